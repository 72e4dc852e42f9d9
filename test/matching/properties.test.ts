/**
 * Property tests: generated agents, apps and constraints. Every check here is written
 * independently of the matcher (plain loops over the output and the input).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { match, type LaunchRequest, type MatchOffer, type PlacedInstance } from '../../src/matching/index.js';

const ZONES = ['z1', 'z2', 'z3'];
const RACKS = ['r1', 'r2', 'r3', 'r4'];

const agentArb = fc.record({
  cpus: fc.integer({ min: 0, max: 40 }).map((n) => n / 10),
  mem: fc.integer({ min: 0, max: 4000 }),
  reservedCpus: fc.integer({ min: 0, max: 20 }).map((n) => n / 10),
  portRanges: fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 12 })), { minLength: 1, maxLength: 4 }),
  zone: fc.option(fc.constantFrom(...ZONES), { nil: undefined }),
  rack: fc.option(fc.constantFrom(...RACKS), { nil: undefined }),
  offers: fc.integer({ min: 1, max: 2 }),
  role: fc.constantFrom('*', 'web'),
});

const constraintArb = fc.oneof(
  fc.constant(['hostname', 'UNIQUE']),
  fc.constant(['rack', 'UNIQUE']),
  fc.constant(['@zone', 'GROUP_BY', '3']),
  fc.constant(['rack', 'GROUP_BY']),
  fc.constantFrom(['rack', 'MAX_PER', '1'], ['rack', 'MAX_PER', '2']),
  fc.constant(['rack', 'CLUSTER']),
  fc.constant(['rack', 'CLUSTER', 'r2']),
  fc.constant(['hostname', 'LIKE', 'agent-[0-4]']),
  fc.constant(['rack', 'UNLIKE', 'r1']),
  fc.constant(['@zone', 'IS', 'z2']),
);

const appArb = fc.record({
  count: fc.integer({ min: 1, max: 6 }),
  cpus: fc.integer({ min: 1, max: 15 }).map((n) => n / 10),
  mem: fc.integer({ min: 0, max: 700 }),
  dynamicPorts: fc.integer({ min: 0, max: 3 }),
  fixedPort: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined, freq: 4 }),
  constraints: fc.array(constraintArb, { maxLength: 2 }),
  role: fc.constantFrom('*', 'web'),
  spread: fc.boolean(),
  placedOn: fc.array(fc.nat(), { maxLength: 2 }),
});

interface World {
  offers: MatchOffer[];
  requests: LaunchRequest[];
  agents: { name: string; zone: string | undefined; rack: string | undefined }[];
}

type Generated<A> = A extends fc.Arbitrary<infer T> ? T : never;

const SPREAD_LABELS: Readonly<Record<string, string>> = { PACER_PLACEMENT_STRATEGY: 'spread' };
const NO_LABELS: Readonly<Record<string, string>> = {};

function buildWorld(agents: Generated<typeof agentArb>[], apps: Generated<typeof appArb>[]): World {
  const offers: MatchOffer[] = [];
  const names = agents.map((a, i) => ({ name: `agent-${i}`, zone: a.zone, rack: a.rack }));
  agents.forEach((a, i) => {
    const name = names[i]!.name;
    const ranges = a.portRanges.map(([b, len]) => ({ begin: 1000 + b, end: 1000 + b + len }));
    const alloc = { role: a.role };
    for (let k = 0; k < a.offers; k++) {
      // Split the agent's resources over its offers; ports only in the first.
      const share = k === 0 ? 1 : 0;
      offers.push({
        id: { value: `o-${i}-${k}` },
        agent_id: { value: name },
        hostname: name,
        resources: [
          { name: 'cpus', type: 'SCALAR', scalar: { value: k === 0 ? a.cpus : 0.5 }, allocation_info: alloc },
          ...(a.role === 'web'
            ? [
                {
                  name: 'cpus',
                  type: 'SCALAR' as const,
                  scalar: { value: a.reservedCpus },
                  reservations: [{ type: 'DYNAMIC', role: 'web', principal: 'p' }],
                  allocation_info: alloc,
                },
              ]
            : []),
          { name: 'mem', type: 'SCALAR', scalar: { value: a.mem * share + 10 }, allocation_info: alloc },
          ...(share && ranges.length > 0 ? [{ name: 'ports', type: 'RANGES' as const, ranges: { range: ranges }, allocation_info: alloc }] : []),
        ],
        attributes: a.rack ? [{ name: 'rack', type: 'TEXT', text: { value: a.rack } }] : [],
        ...(a.zone ? { domain: { fault_domain: { region: { name: 'reg' }, zone: { name: a.zone } } } } : {}),
        allocation_info: alloc,
      });
    }
  });
  const requests: LaunchRequest[] = apps.map((a, i) => {
    const placed: PlacedInstance[] = a.placedOn
      .filter(() => names.length > 0)
      .map((n) => names[n % names.length]!)
      .map((ag) => ({
        hostname: ag.name,
        ...(ag.zone ? { zone: ag.zone, region: 'reg' } : {}),
        attributes: ag.rack ? [{ name: 'rack', type: 'TEXT', text: { value: ag.rack } }] : [],
      }));
    return {
      key: `/app-${i}`,
      count: a.count,
      cpus: a.cpus,
      mem: a.mem,
      ports: [...Array.from({ length: a.dynamicPorts }, () => ({ port: 0 })), ...(a.fixedPort !== undefined ? [{ port: 1000 + a.fixedPort }] : [])],
      requirePorts: a.fixedPort !== undefined,
      constraints: a.constraints,
      role: a.role,
      labels: a.spread ? SPREAD_LABELS : NO_LABELS,
      placed,
    };
  });
  return { offers, requests, agents: names };
}

const worldArb = fc
  .tuple(fc.array(agentArb, { minLength: 1, maxLength: 8 }), fc.array(appArb, { minLength: 1, maxLength: 4 }), fc.nat())
  .map(([agents, apps, seed]) => ({ world: buildWorld(agents, apps), seed }));

/** Independent constraint semantics (Marathon docs): value per agent, counts of earlier instances. */
function fieldValue(agent: World['agents'][number], field: string): string | undefined {
  if (field === 'hostname') return agent.name;
  if (field === '@zone') return agent.zone;
  return field === 'rack' ? agent.rack : undefined;
}

function holds(c: readonly string[], value: string | undefined, earlier: (string | undefined)[]): boolean {
  const [, op, v = ''] = c;
  if (value === undefined) return op === 'UNLIKE';
  const same = earlier.filter((e) => e === value).length;
  switch (op) {
    case 'UNIQUE':
      return same === 0;
    case 'MAX_PER':
      return same < Number(v);
    case 'CLUSTER':
      return v !== '' ? value === v : earlier.length === 0 || earlier[0] === value;
    case 'LIKE':
      return new RegExp(`^(?:${v})$`).test(value);
    case 'UNLIKE':
      return !new RegExp(`^(?:${v})$`).test(value);
    case 'IS':
      return value === v;
    case 'GROUP_BY': {
      const groups = new Map<string | undefined, number>();
      for (const e of earlier) groups.set(e, (groups.get(e) ?? 0) + 1);
      if (!groups.has(value)) return true;
      return groups.size >= Number(v || 0) && same === Math.min(...groups.values());
    }
  }
  return false;
}

describe('matcher properties', () => {
  it('never over-allocates, honours every hard constraint, keeps ports valid, and is deterministic', () => {
    let placements = 0;
    let constrained = 0;
    const reasons = new Map<string, number>();
    fc.assert(
      fc.property(worldArb, ({ world, seed }) => {
        const input = { offers: world.offers, requests: world.requests, options: { now: 0, seed, localRegion: 'reg' } };
        const result = match(input);
        // Determinism: same input and seed, same output.
        expect(JSON.stringify(match(input))).toBe(JSON.stringify(result));

        // Every offer is either accepted or declined, exactly once.
        const seen = [...result.launches.flatMap((l) => l.offerIds), ...result.declines.flatMap((d) => d.offerIds)].sort();
        expect(seen).toEqual(world.offers.map((o) => o.id.value).sort());

        for (const launch of result.launches) {
          const agentOffers = world.offers.filter((o) => o.agent_id.value === launch.agentId);
          // Resources: per identity, the sum used ≤ the sum offered (in milli-units).
          const offered = new Map<string, number>();
          const used = new Map<string, number>();
          const identity = (r: { name: string; reservations?: unknown }) => `${r.name}|${JSON.stringify(r.reservations ?? null)}`;
          for (const o of agentOffers)
            for (const r of o.resources)
              if (r.type === 'SCALAR') offered.set(identity(r), (offered.get(identity(r)) ?? 0) + Math.round(r.scalar!.value * 1000));
          const offeredPorts = agentOffers.flatMap((o) => o.resources.filter((r) => r.name === 'ports').flatMap((r) => r.ranges!.range!));
          const usedPorts: number[] = [];
          for (const task of launch.tasks) {
            const request = world.requests.find((r) => r.key === task.requestKey)!;
            for (const r of task.resources) {
              if (r.type === 'SCALAR') used.set(identity(r), (used.get(identity(r)) ?? 0) + Math.round(r.scalar!.value * 1000));
              // allocation_info copied back unchanged, and only from offers allocated to the app's role.
              expect(r.allocation_info).toEqual({ role: request.role });
            }
            // The task got what it asked for.
            const cpus = task.resources.filter((r) => r.name === 'cpus').reduce((n, r) => n + Math.round(r.scalar!.value * 1000), 0);
            expect(cpus).toBe(Math.round(request.cpus * 1000));
            // Role: reserved resources only for role web, which accepts both by default.
            if (request.role === '*') expect(task.resources.every((r) => r.reservations === undefined)).toBe(true);
            // Ports: declared count, inside the offer, listed in the resources.
            expect(task.hostPorts).toHaveLength(request.ports!.length);
            request.ports!.forEach((p, i) => p.port !== 0 && expect(task.hostPorts[i]).toBe(p.port));
            const inResources = task.resources
              .filter((r) => r.name === 'ports')
              .flatMap((r) => r.ranges!.range!.flatMap((x) => Array.from({ length: x.end - x.begin + 1 }, (_, k) => x.begin + k)));
            expect(inResources.sort()).toEqual([...task.hostPorts].sort());
            for (const p of task.hostPorts) expect(offeredPorts.some((r) => r.begin <= p && p <= r.end)).toBe(true);
            usedPorts.push(...task.hostPorts);
          }
          for (const [k, n] of used) expect(n).toBeLessThanOrEqual(offered.get(k) ?? 0);
          expect(new Set(usedPorts).size).toBe(usedPorts.length);
        }

        // Constraints: replay each app's placements in order against its earlier instances.
        for (const request of world.requests) {
          const tasks = result.launches
            .flatMap((l) => l.tasks)
            .filter((t) => t.requestKey === request.key)
            .sort((a, b) => a.instanceIndex - b.instanceIndex);
          expect(tasks.length).toBeLessThanOrEqual(request.count);
          const outcome = result.requests.find((r) => r.key === request.key)!;
          expect(outcome.placed).toBe(tasks.length);
          const placedAgents = (request.placed ?? []).map((p) => world.agents.find((a) => a.name === p.hostname)!);
          placements += tasks.length;
          for (const [k, n] of Object.entries(outcome.diagnosis.rejectSummary)) reasons.set(k, (reasons.get(k) ?? 0) + n);
          if ((request.constraints ?? []).length > 0) constrained += tasks.length;
          for (const task of tasks) {
            const agent = world.agents.find((a) => a.name === task.agentId)!;
            for (const c of request.constraints ?? []) {
              const earlier = placedAgents.map((a) => fieldValue(a, c[0]!));
              expect(holds(c, fieldValue(agent, c[0]!), earlier), `${request.key} ${c.join(' ')} on ${agent.name}`).toBe(true);
            }
            placedAgents.push(agent);
          }
          // A waiting app has processed every offer. An unused one counts UnfulfilledConstraint
          // exactly when one of the app's constraints fails on its agent given every instance
          // placed by the end of the round.
          if (outcome.unplaced > 0) {
            const usedAgents = new Set(tasks.map((t) => t.agentId));
            const unused = world.offers.filter((o) => !usedAgents.has(o.agent_id.value));
            const refused = unused.filter((o) => {
              const agent = world.agents.find((a) => a.name === o.agent_id.value)!;
              return (request.constraints ?? []).some(
                (c) =>
                  !holds(
                    c,
                    fieldValue(agent, c[0]!),
                    placedAgents.map((a) => fieldValue(a, c[0]!)),
                  ),
              );
            });
            expect(outcome.diagnosis.offersProcessed).toBe(world.offers.length);
            expect(outcome.diagnosis.offersUnused).toBe(unused.length);
            expect(outcome.diagnosis.reasonCounts.UnfulfilledConstraint ?? 0, `${request.key} diagnosis`).toBe(refused.length);
          }
        }
      }),
      { numRuns: 150 },
    );
    // The generators must exercise real placements, or the checks above prove nothing.
    expect(placements, JSON.stringify([...reasons])).toBeGreaterThan(150);
    expect(constrained).toBeGreaterThan(50);
  });
});
