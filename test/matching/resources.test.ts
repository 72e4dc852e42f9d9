import { describe, expect, it } from 'vitest';
import { match, type MesosResource } from '../../src/matching/index.js';
import { normalizeRanges, removeValue, addValue, subtractRanges, rangeCount, rangesFromValues } from '../../src/matching/ranges.js';
import { toMilli } from '../../src/matching/units.js';
import { app, NOW, offer, scalar } from './fixtures.js';

function tasksOf(result: ReturnType<typeof match>) {
  return result.launches.flatMap((l) => l.tasks);
}

describe('milli-unit arithmetic', () => {
  it('0.1 + 0.2 cpus fit an offer of 0.3', () => {
    expect(toMilli(0.1) + toMilli(0.2)).toBe(toMilli(0.3));
    const result = match({
      offers: [offer({ agent: 'a', cpus: 0.3, mem: 100 })],
      requests: [app('/a', { cpus: 0.1, mem: 10 }), app('/b', { cpus: 0.2, mem: 10 })],
      options: { now: NOW },
    });
    const tasks = tasksOf(result);
    expect(tasks.map((t) => t.requestKey).sort()).toEqual(['/a', '/b']);
    const cpus = tasks.map((t) => t.resources.find((r) => r.name === 'cpus')!.scalar!.value).sort();
    expect(cpus).toEqual([0.1, 0.2]);
  });

  it('never hands out more than offered', () => {
    const result = match({
      offers: [offer({ agent: 'a', cpus: 1, mem: 1000 })],
      requests: [app('/a', { count: 4, cpus: 0.3, mem: 1 })],
      options: { now: NOW },
    });
    expect(tasksOf(result)).toHaveLength(3);
  });
});

describe('range sets', () => {
  it('normalizes, splits and merges', () => {
    const set = normalizeRanges([
      { begin: 10, end: 12 },
      { begin: 1, end: 3 },
      { begin: 4, end: 5 },
      { begin: 11, end: 20 },
    ]);
    expect(set).toEqual([1, 5, 10, 20]);
    removeValue(set, 15);
    expect(set).toEqual([1, 5, 10, 14, 16, 20]);
    removeValue(set, 1);
    removeValue(set, 20);
    expect(set).toEqual([2, 5, 10, 14, 16, 19]);
    addValue(set, 15);
    expect(set).toEqual([2, 5, 10, 19]);
    addValue(set, 1);
    expect(set).toEqual([1, 5, 10, 19]);
    expect(rangeCount(set)).toBe(15);
    expect(subtractRanges([1, 100], [5, 10, 50, 200])).toEqual([1, 4, 11, 49]);
    expect(rangesFromValues([7, 3, 4, 9, 8])).toEqual([3, 4, 7, 9]);
  });
});

describe('ports', () => {
  it('dynamic ports come from the offered ranges and are unique per agent', () => {
    const result = match({
      offers: [
        offer({
          agent: 'a',
          cpus: 10,
          mem: 10000,
          ports: [
            [31000, 31002],
            [31010, 31011],
          ],
        }),
      ],
      requests: [app('/p', { count: 3, cpus: 0.1, mem: 1, ports: [{ port: 0 }, { port: 0, name: 'admin' }] })],
      options: { now: NOW, seed: 7 },
    });
    const tasks = tasksOf(result);
    expect(tasks).toHaveLength(2); // 5 ports, 2 per task
    const all = tasks.flatMap((t) => t.hostPorts);
    expect(new Set(all).size).toBe(4);
    for (const p of all) expect((p >= 31000 && p <= 31002) || (p >= 31010 && p <= 31011)).toBe(true);
    expect(tasks[0]!.portNames).toEqual([undefined, 'admin']);
    for (const t of tasks) {
      const resource = t.resources.find((r) => r.name === 'ports')!;
      const inResource = resource.ranges!.range!.flatMap((r) => Array.from({ length: r.end - r.begin + 1 }, (_, i) => r.begin + i));
      expect(inResource.sort()).toEqual([...t.hostPorts].sort());
    }
  });

  it('requirePorts takes exactly the declared ports, once per agent', () => {
    const result = match({
      offers: [offer({ agent: 'a', cpus: 10, mem: 10000 }), offer({ agent: 'b', cpus: 10, mem: 10000, ports: [[32000, 32100]] })],
      requests: [app('/fixed', { count: 3, cpus: 0.1, mem: 1, requirePorts: true, ports: [{ port: 31005 }, { port: 0 }] })],
      options: { now: NOW },
    });
    const tasks = tasksOf(result);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.agentId).toBe('a');
    expect(tasks[0]!.hostPorts[0]).toBe(31005);
    expect(tasks[0]!.hostPorts[1]).not.toBe(31005);
    expect(result.requests[0]!.diagnosis.rejectSummary.InsufficientPorts).toBe(1);
  });
});

describe('reservations and roles', () => {
  const reserved = (value: number): MesosResource =>
    scalar('cpus', value, { reservations: [{ type: 'STATIC', role: 'web' }], allocation_info: { role: 'web' } });

  it('keeps reserved and unreserved resources of one name distinct and copies identity fields', () => {
    const o = offer({
      agent: 'a',
      role: 'web',
      resources: [reserved(0.5), scalar('cpus', 2, { allocation_info: { role: 'web' } }), scalar('mem', 1000, { allocation_info: { role: 'web' } })],
    });
    const result = match({ offers: [o], requests: [app('/w', { role: 'web', cpus: 1, mem: 10 })], options: { now: NOW } });
    const [task] = tasksOf(result);
    const cpus = task!.resources.filter((r) => r.name === 'cpus');
    expect(cpus).toEqual([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, reservations: [{ type: 'STATIC', role: 'web' }], allocation_info: { role: 'web' } },
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, allocation_info: { role: 'web' } },
    ]);
    expect(result.launches[0]!.allocationRole).toBe('web');
  });

  it('legacy role field counts as a reservation; acceptedResourceRoles ["*"] refuses it', () => {
    const o = offer({ agent: 'a', resources: [scalar('cpus', 4, { role: 'web' }), scalar('mem', 1000, { role: 'web' })] });
    const only = match({ offers: [o], requests: [app('/w', { role: 'web', acceptedResourceRoles: ['*'] })], options: { now: NOW } });
    expect(tasksOf(only)).toHaveLength(0);
    expect(only.requests[0]!.diagnosis.rejectSummary).toEqual({ UnfulfilledRole: 1 });
    const any = match({ offers: [o], requests: [app('/w', { role: 'web' })], options: { now: NOW } });
    expect(tasksOf(any)).toHaveLength(1);
  });

  it('default accepted roles follow the configured behaviour', () => {
    const o = offer({ agent: 'a', resources: [scalar('cpus', 4, { role: 'web' }), scalar('mem', 1000, { role: 'web' })] });
    const unreserved = match({ offers: [o], requests: [app('/w', { role: 'web' })], options: { now: NOW, acceptedResourceRolesDefault: 'unreserved' } });
    expect(tasksOf(unreserved)).toHaveLength(0);
    const reservedOnly = match({
      offers: [offer({ agent: 'b' })],
      requests: [app('/w', { role: 'web' })],
      options: { now: NOW, acceptedResourceRolesDefault: 'reserved' },
    });
    expect(tasksOf(reservedOnly)).toHaveLength(0);
  });

  it('resources allocated to another role are not used', () => {
    const result = match({ offers: [offer({ agent: 'a', role: 'other' })], requests: [app('/w', { role: 'web' })], options: { now: NOW } });
    expect(tasksOf(result)).toHaveLength(0);
    expect(result.requests[0]!.diagnosis.reasonCounts.UnfulfilledRole).toBe(1);
  });

  it('persistent volumes and non-root disks are not used as scratch disk', () => {
    const o = offer({
      agent: 'a',
      resources: [
        scalar('cpus', 4),
        scalar('mem', 1000),
        scalar('disk', 500, { disk: { source: { type: 'MOUNT' } } }),
        scalar('disk', 300, { disk: { persistence: { id: 'v1' }, volume: { container_path: 'data' } }, role: 'web' }),
        scalar('disk', 100),
      ],
    });
    const result = match({ offers: [o], requests: [app('/d', { disk: 200 })], options: { now: NOW } });
    expect(tasksOf(result)).toHaveLength(0);
    expect(result.requests[0]!.diagnosis.rejectSummary).toEqual({ InsufficientDisk: 1 });
    const fits = match({ offers: [o], requests: [app('/d', { disk: 100 })], options: { now: NOW } });
    expect(tasksOf(fits)[0]!.resources.find((r) => r.name === 'disk')).toEqual({ name: 'disk', type: 'SCALAR', scalar: { value: 100 } });
  });

  it('combines the offers of one agent into one accept', () => {
    const result = match({
      offers: [offer({ id: 'o1', agent: 'a', cpus: 1, mem: 100 }), offer({ id: 'o2', agent: 'a', cpus: 1, mem: 100, ports: [] })],
      requests: [app('/big', { cpus: 2, mem: 150 })],
      options: { now: NOW },
    });
    expect(result.launches).toHaveLength(1);
    expect(result.launches[0]!.offerIds).toEqual(['o1', 'o2']);
    expect(result.launches[0]!.tasks[0]!.resources.find((r) => r.name === 'cpus')!.scalar!.value).toBe(2);
  });

  it('gpu agents are declined for apps without gpus unless unrestricted', () => {
    const o = offer({ agent: 'g', gpus: 2 });
    const restricted = match({ offers: [o], requests: [app('/cpu')], options: { now: NOW } });
    expect(restricted.requests[0]!.diagnosis.rejectSummary).toEqual({ DeclinedScarceResources: 1 });
    const labelled = match({ offers: [o], requests: [app('/cpu', { labels: { GPU_SCHEDULING_BEHAVIOR: 'unrestricted' } })], options: { now: NOW } });
    expect(tasksOf(labelled)).toHaveLength(1);
  });

  it('agents in a maintenance window are declined with Marathon reasons', () => {
    const o = { ...offer({ agent: 'm' }), unavailability: { start: { nanoseconds: (NOW - 1000) * 1e6 } } };
    const result = match({ offers: [o], requests: [app('/x')], options: { now: NOW } });
    expect(tasksOf(result)).toHaveLength(0);
    expect(result.requests[0]!.diagnosis.unusedOffers[0]!.reasons).toEqual(['UnfulfilledConstraint', 'AgentMaintenance']);
  });
});

describe('placement strategy', () => {
  const agents = () => [offer({ agent: 'a', cpus: 4, mem: 4000 }), offer({ agent: 'b', cpus: 4, mem: 4000 }), offer({ agent: 'c', cpus: 2, mem: 2000 })];

  it('binpack uses the fewest agents', () => {
    const result = match({ offers: agents(), requests: [app('/x', { count: 4, cpus: 1, mem: 100 })], options: { now: NOW } });
    // The smallest agent that fits is filled first, then one more.
    expect(result.launches).toHaveLength(2);
    expect(result.launches.find((l) => l.agentId === 'c')!.tasks).toHaveLength(2);
  });

  it('spread (by label) always picks the agent with the most left', () => {
    const result = match({
      offers: agents(),
      requests: [app('/x', { count: 3, cpus: 1, mem: 100, labels: { PACER_PLACEMENT_STRATEGY: 'spread' } })],
      options: { now: NOW },
    });
    // 4,4,2 cpus: a then b (4 left each), then a or b again (3 left beats 2); c stays untouched.
    expect(result.launches.map((l) => l.agentId).sort()).toEqual(['a', 'b']);
    expect(result.launches.map((l) => l.tasks.length).sort()).toEqual([1, 2]);
  });

  it('rejects an unknown strategy label with a typed error', () => {
    const result = match({ offers: agents(), requests: [app('/x', { labels: { PACER_PLACEMENT_STRATEGY: 'random' } })], options: { now: NOW } });
    expect(result.invalidRequests[0]!.error.code).toBe('PACER_MATCH_BAD_LABEL');
  });
});
