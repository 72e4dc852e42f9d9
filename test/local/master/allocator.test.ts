import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Allocator, type Allocation } from '../../../src/local/master/allocator.js';
import { ResourceBag } from '../../../src/local/master/resources.js';
import type { Resource } from '../../../src/mesos/types.js';

const scalar = (name: string, value: number, role?: string): Resource => ({
  name,
  type: 'SCALAR',
  scalar: { value },
  ...(role !== undefined ? { role } : {}),
});
const ports = (begin: number, end: number): Resource => ({ name: 'ports', type: 'RANGES', ranges: { range: [{ begin, end }] } });

const PLAIN_AGENT = [scalar('cpus', 4), scalar('mem', 1024), ports(1000, 1009)];
/** Two cpus statically reserved for role `web`, the rest unreserved. */
const RESERVED_AGENT = [scalar('cpus', 2, 'web'), scalar('cpus', 1), scalar('mem', 512)];

function same(a: ResourceBag, b: ResourceBag): boolean {
  return a.contains(b) && b.contains(a);
}

function cluster(agents: readonly (readonly Resource[])[], frameworks: readonly { id: string; roles: string[] }[]) {
  let clock = 1_000_000;
  const allocator = new Allocator<string>(() => clock, 1000);
  const totals = new Map<string, ResourceBag>();
  agents.forEach((resources, i) => {
    const bag = ResourceBag.fromResources(resources);
    totals.set(`agent-${i}`, bag);
    allocator.addAgent(`agent-${i}`, bag, `tag-${i}`);
  });
  for (const fw of frameworks) allocator.addFramework(fw.id, { roles: fw.roles, gpuAware: false, active: true });
  return { allocator, totals, advance: (ms: number) => (clock += ms) };
}

describe('Allocator', () => {
  it('offers a whole agent as one frozen bag that is both the offer and the holding, and hands back the agent tag', () => {
    const { allocator, totals } = cluster([PLAIN_AGENT], [{ id: 'f1', roles: ['web'] }]);
    const [first] = allocator.allocate();
    expect(first).toMatchObject({ frameworkId: 'f1', agentId: 'agent-0', agentTag: 'tag-0', role: 'web' });
    expect(first!.resources.isFrozen).toBe(true);
    expect(same(first!.resources, totals.get('agent-0')!.allocatedTo('web'))).toBe(true);
    expect(allocator.held('f1', 'agent-0', 'web')).toBe(first!.resources);
    expect(allocator.available('agent-0')!.isEmpty()).toBe(true);

    // Declined whole: the agent's pool is its total again, and the next offer reuses the bag.
    allocator.offerClosed('f1', 'agent-0');
    allocator.recover('f1', 'agent-0', first!.resources);
    expect(same(allocator.available('agent-0')!, totals.get('agent-0')!)).toBe(true);
    expect(allocator.held('f1', 'agent-0', 'web')).toBeUndefined();
    const [second] = allocator.allocate();
    expect(second!.resources).toBe(first!.resources);
  });

  it('copies a shared holding before changing it, so an offer never changes under its holder', () => {
    const { allocator, totals } = cluster([PLAIN_AGENT], [{ id: 'f1', roles: ['*'] }]);
    const [offer] = allocator.allocate();
    const before = offer!.resources.toString();
    // The framework launches a task on 1 cpu and 128 MB and returns the rest.
    const task = ResourceBag.fromResources([scalar('cpus', 1), scalar('mem', 128)]).allocatedTo('*');
    const rest = offer!.resources.clone().subtract(task);
    allocator.offerClosed('f1', 'agent-0');
    allocator.recover('f1', 'agent-0', rest, { refuseSeconds: 0 });

    expect(offer!.resources.toString()).toBe(before);
    expect(same(allocator.held('f1', 'agent-0', '*')!, task)).toBe(true);
    const expectedAvailable = totals.get('agent-0')!.clone().subtract(task.allocatedTo(undefined));
    expect(same(allocator.available('agent-0')!, expectedAvailable)).toBe(true);

    // The task ends: everything is back.
    allocator.recover('f1', 'agent-0', task);
    expect(same(allocator.available('agent-0')!, totals.get('agent-0')!)).toBe(true);
    expect(allocator.dominantShare('f1', '*')).toBe(0);
  });

  it('visits free agents in registration order, whatever order their resources came back in', () => {
    const { allocator } = cluster([PLAIN_AGENT, PLAIN_AGENT, PLAIN_AGENT], [{ id: 'f1', roles: ['*'] }]);
    const offers = allocator.allocate();
    expect(offers.map((a) => a.agentId)).toEqual(['agent-0', 'agent-1', 'agent-2']);
    for (const a of [...offers].reverse()) {
      allocator.offerClosed('f1', a.agentId);
      allocator.recover('f1', a.agentId, a.resources, { refuseSeconds: 0 });
    }
    expect(allocator.allocate().map((a) => a.agentId)).toEqual(['agent-0', 'agent-1', 'agent-2']);
  });

  it('splits a reserved agent by role and still offers the framework with the lower dominant share first', () => {
    const { allocator } = cluster(
      [PLAIN_AGENT, RESERVED_AGENT],
      [
        { id: 'f-any', roles: ['*'] },
        { id: 'f-web', roles: ['web'] },
      ],
    );
    const offers = allocator.allocate();
    // agent-0 goes to f-any (tie broken by name), agent-1 to f-web, which now has the lower share.
    expect(offers.map((a) => [a.agentId, a.frameworkId])).toEqual([
      ['agent-0', 'f-any'],
      ['agent-1', 'f-web'],
    ]);
    const web = offers[1]!;
    expect(web.resources.isFrozen).toBe(false);
    expect(web.resources.scalarMilli('cpus')).toBe(3000);
    expect(allocator.available('agent-1')!.isEmpty()).toBe(true);
  });

  it('keeps available + holdings = total, offers unchanged and shares exact under any sequence of calls', () => {
    type Op =
      | { kind: 'allocate' }
      | { kind: 'decline'; pick: number; refuse: 0 | 5 }
      | { kind: 'accept'; pick: number; cpusMilli: number }
      | { kind: 'finish'; pick: number }
      | { kind: 'restartFramework'; pick: number }
      | { kind: 'tick' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.constant<Op>({ kind: 'allocate' }),
      fc.record({ kind: fc.constant('decline' as const), pick: fc.nat(), refuse: fc.constantFrom(0 as const, 5 as const) }),
      fc.record({ kind: fc.constant('accept' as const), pick: fc.nat(), cpusMilli: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ kind: fc.constant('finish' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('restartFramework' as const), pick: fc.nat() }),
      fc.constant<Op>({ kind: 'tick' }),
    );
    const frameworks = [
      { id: 'f-a', roles: ['*'] },
      { id: 'f-b', roles: ['web'] },
      { id: 'f-c', roles: ['*', 'web'] },
    ];

    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const { allocator, totals, advance } = cluster([PLAIN_AGENT, PLAIN_AGENT, RESERVED_AGENT], frameworks);
        const offers: { allocation: Allocation<string>; snapshot: string }[] = [];
        const tasks: { frameworkId: string; agentId: string; role: string; resources: ResourceBag }[] = [];

        for (const o of ops) {
          switch (o.kind) {
            case 'allocate':
              for (const allocation of allocator.allocate()) {
                expect(offers.some((x) => x.allocation.agentId === allocation.agentId && x.allocation.frameworkId === allocation.frameworkId)).toBe(false);
                offers.push({ allocation, snapshot: allocation.resources.toString() });
              }
              break;
            case 'decline': {
              if (offers.length === 0) break;
              const [{ allocation }] = offers.splice(o.pick % offers.length, 1) as [(typeof offers)[number]];
              allocator.offerClosed(allocation.frameworkId, allocation.agentId);
              allocator.recover(allocation.frameworkId, allocation.agentId, allocation.resources, { refuseSeconds: o.refuse });
              break;
            }
            case 'accept': {
              if (offers.length === 0) break;
              const [{ allocation }] = offers.splice(o.pick % offers.length, 1) as [(typeof offers)[number]];
              // The task takes part of the offer's first unreserved cpus, never more than that
              // resource holds (the offer's total cpus may include reserved ones).
              const used = ResourceBag.fromResources(
                allocation.resources
                  .toResources()
                  .filter((r) => r.name === 'cpus' && r.reservations === undefined)
                  .slice(0, 1)
                  .map((r) => ({ ...r, scalar: { value: Math.min(o.cpusMilli, Math.round(r.scalar!.value * 1000)) / 1000 } })),
              );
              const rest = allocation.resources.clone().subtract(used);
              allocator.offerClosed(allocation.frameworkId, allocation.agentId);
              allocator.recover(allocation.frameworkId, allocation.agentId, rest, { refuseSeconds: 0 });
              if (!used.isEmpty()) tasks.push({ frameworkId: allocation.frameworkId, agentId: allocation.agentId, role: allocation.role, resources: used });
              break;
            }
            case 'finish': {
              if (tasks.length === 0) break;
              const [task] = tasks.splice(o.pick % tasks.length, 1);
              allocator.recover(task!.frameworkId, task!.agentId, task!.resources);
              break;
            }
            case 'restartFramework': {
              const fw = frameworks[o.pick % frameworks.length]!;
              allocator.removeFramework(fw.id);
              for (let i = offers.length - 1; i >= 0; i--) if (offers[i]!.allocation.frameworkId === fw.id) offers.splice(i, 1);
              for (let i = tasks.length - 1; i >= 0; i--) if (tasks[i]!.frameworkId === fw.id) tasks.splice(i, 1);
              allocator.addFramework(fw.id, { roles: fw.roles, gpuAware: false, active: true });
              break;
            }
            case 'tick':
              advance(6000);
              break;
          }

          for (const { allocation, snapshot } of offers) expect(allocation.resources.toString()).toBe(snapshot);
          const clusterTotal = new Map<string, number>();
          for (const total of totals.values()) total.accumulateScalars(clusterTotal, 1);
          for (const [agentId, total] of totals) {
            const sum = allocator.available(agentId)!.clone();
            for (const fw of frameworks) {
              for (const role of fw.roles) {
                const held = allocator.held(fw.id, agentId, role);
                const expected = new ResourceBag();
                for (const x of offers)
                  if (x.allocation.frameworkId === fw.id && x.allocation.agentId === agentId && x.allocation.role === role)
                    expected.add(x.allocation.resources);
                for (const t of tasks) if (t.frameworkId === fw.id && t.agentId === agentId && t.role === role) expected.add(t.resources);
                expect(same(held ?? new ResourceBag(), expected)).toBe(true);
                if (held !== undefined) sum.add(held.allocatedTo(undefined));
              }
            }
            expect(same(sum, total)).toBe(true);
          }
          for (const fw of frameworks) {
            for (const role of fw.roles) {
              const heldByName = new Map<string, number>();
              for (const agentId of totals.keys()) allocator.held(fw.id, agentId, role)?.accumulateScalars(heldByName, 1);
              let dominant = 0;
              for (const [name, milli] of heldByName) if (milli > 0) dominant = Math.max(dominant, milli / clusterTotal.get(name)!);
              expect(allocator.dominantShare(fw.id, role)).toBe(dominant);
            }
          }
        }
      }),
      { numRuns: 150, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {}) },
    );
  });
});
