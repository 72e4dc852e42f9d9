import { describe, expect, it } from 'vitest';
import { parseConstraints, match, MatchingInputError, type LaunchRequest, type MatchOffer } from '../../src/matching/index.js';
import { formatAttribute, formatDecimal3, normalizeIsValue } from '../../src/matching/constraints/values.js';
import { PlacementCounter } from '../../src/matching/constraints/placement.js';
import { FieldDictionary } from '../../src/matching/constraints/values.js';
import { app, NOW, offer, text } from './fixtures.js';

function placedCount(offers: MatchOffer[], request: LaunchRequest): Map<string, number> {
  const result = match({ offers, requests: [request], options: { now: NOW } });
  const perAgent = new Map<string, number>();
  for (const l of result.launches) perAgent.set(l.agentId, l.tasks.length);
  return perAgent;
}

describe('scalar attribute formatting 0.###', () => {
  it.each([
    [0.8, '0.8'],
    [0.8001, '0.8'],
    [1, '1'],
    [2.5, '2.5'],
    [1.0005, '1'], // binary value is just below the tie
    [1.1005, '1.101'], // binary value is just above the tie
    [0.0625, '0.062'], // exact tie: HALF_EVEN keeps the even digit
    [0.1875, '0.188'],
    [1234567, '1234567'],
  ])('%d → %s', (value, expected) => {
    expect(formatDecimal3(value)).toBe(expected);
  });

  it('formats ranges and sets sorted, as Mesos does', () => {
    expect(
      formatAttribute({
        name: 'r',
        type: 'RANGES',
        ranges: {
          range: [
            { begin: 5, end: 9 },
            { begin: 1, end: 2 },
          ],
        },
      }),
    ).toBe('[1-2,5-9]');
    expect(formatAttribute({ name: 's', type: 'SET', set: { item: ['b', 'a', 'c'] } })).toBe('{a,b,c}');
    expect(formatAttribute({ name: 'x', type: 'SCALAR', scalar: { value: 0.8 } })).toBe('0.8');
  });

  it('normalizes scalar IS values the same way', () => {
    expect(normalizeIsValue('0.80')).toBe('0.8');
    expect(normalizeIsValue('0.8001')).toBe('0.8');
    expect(normalizeIsValue('rack-1')).toBe('rack-1');
  });
});

describe('parsing', () => {
  it.each([
    [[['hostname']], 'Each constraint must have either 2 or 3 fields'],
    [[['hostname', 'FOO']], 'operator must be one of'],
    [[['hostname', 'UNIQUE', 'x']], 'UNIQUE does not accept a value'],
    [[['rack', 'MAX_PER']], 'MAX_PER requires an integer value'],
    [[['rack', 'GROUP_BY', 'two']], 'GROUP BY must define an integer value'],
    [[['rack', 'LIKE', '']], 'LIKE and UNLIKE require a non-empty'],
    [[['rack', 'LIKE', '(']], 'is not a valid regular expression'],
    [[['rack', 'IS', 'a b']], 'IS only supports'],
    [[['', 'UNIQUE']], 'illegal constraint specification'],
  ])('%j is rejected', (raw, message) => {
    const result = parseConstraints(raw);
    expect(result).toBeInstanceOf(MatchingInputError);
    expect((result as MatchingInputError).code).toBe('PACER_MATCH_BAD_CONSTRAINT');
    expect((result as MatchingInputError).message).toContain(message);
  });

  it('upper-cases operators and collapses duplicates', () => {
    const result = parseConstraints([
      ['hostname', 'unique'],
      ['hostname', 'UNIQUE'],
    ]);
    expect(result).toEqual([{ field: 'hostname', operator: 'UNIQUE', value: '' }]);
  });

  it('an app with a bad constraint is reported, not placed, and does not stop the round', () => {
    const result = match({
      offers: [offer({ agent: 'a' })],
      requests: [app('/bad', { constraints: [['x', 'NOPE']] }), app('/good')],
      options: { now: NOW },
    });
    expect(result.invalidRequests.map((r) => [r.key, r.error.code])).toEqual([['/bad', 'PACER_MATCH_BAD_CONSTRAINT']]);
    expect(result.launches.flatMap((l) => l.tasks.map((t) => t.requestKey))).toEqual(['/good']);
  });
});

describe('operators through match()', () => {
  const racks = ['r1', 'r1', 'r2', 'r3'].map((rack, i) => offer({ agent: `a${i}`, cpus: 8, mem: 8192, attributes: [text('rack', rack)] }));

  it('UNIQUE hostname puts at most one instance per agent', () => {
    const perAgent = placedCount(racks, app('/u', { count: 10, constraints: [['hostname', 'UNIQUE']] }));
    expect([...perAgent.values()]).toEqual([1, 1, 1, 1]);
  });

  it('UNIQUE counts instances placed before the round', () => {
    const perAgent = placedCount(
      racks,
      app('/u', { count: 10, constraints: [['rack', 'UNIQUE']], placed: [{ hostname: 'x', attributes: [text('rack', 'r2')] }] }),
    );
    expect(perAgent.has('a2')).toBe(false);
    expect([...perAgent.values()].reduce((a, b) => a + b, 0)).toBe(2); // r1 once, r3 once
  });

  it('a missing attribute only satisfies UNLIKE', () => {
    const bare = [offer({ agent: 'bare', cpus: 8, mem: 8192 })];
    for (const c of [
      ['rack', 'UNIQUE'],
      ['rack', 'CLUSTER'],
      ['rack', 'GROUP_BY'],
      ['rack', 'LIKE', '.*'],
      ['rack', 'MAX_PER', '5'],
      ['rack', 'IS', 'r1'],
    ]) {
      expect(placedCount(bare, app('/m', { constraints: [c] })).size, c.join(' ')).toBe(0);
    }
    expect(placedCount(bare, app('/m', { constraints: [['rack', 'UNLIKE', 'r1']] })).get('bare')).toBe(1);
  });

  it('LIKE is a full match, UNLIKE its negation', () => {
    const hosts = ['web-1', 'web-12', 'xweb-1'].map((h) => offer({ agent: h }));
    expect([...placedCount(hosts, app('/l', { count: 3, constraints: [['hostname', 'LIKE', 'web-[0-9]']] })).keys()]).toEqual(['web-1']);
    expect(
      [
        ...placedCount(
          hosts,
          app('/l', {
            count: 3,
            constraints: [
              ['hostname', 'UNLIKE', 'web-[0-9]'],
              ['hostname', 'UNIQUE'],
            ],
          }),
        ).keys(),
      ].sort(),
    ).toEqual(['web-12', 'xweb-1']);
  });

  it('IS compares scalar attributes after 0.### formatting', () => {
    const gens = [0.8, 0.8001, 0.81].map((v, i) => offer({ agent: `g${i}`, attributes: [{ name: 'gen', type: 'SCALAR', scalar: { value: v } }] }));
    expect(
      [
        ...placedCount(
          gens,
          app('/is', {
            count: 3,
            constraints: [
              ['gen', 'IS', '0.80'],
              ['hostname', 'UNIQUE'],
            ],
          }),
        ).keys(),
      ].sort(),
    ).toEqual(['g0', 'g1']);
  });

  it('CLUSTER with a value pins to it; without, follows the first instance', () => {
    expect([...placedCount(racks, app('/c', { count: 4, constraints: [['rack', 'CLUSTER', 'r1']] })).keys()].every((a) => a === 'a0' || a === 'a1')).toBe(true);
    const follow = placedCount(
      racks,
      app('/c', { count: 4, constraints: [['rack', 'CLUSTER']], placed: [{ hostname: 'h', attributes: [text('rack', 'r3')] }] }),
    );
    expect([...follow.keys()]).toEqual(['a3']);
  });

  it('MAX_PER caps instances per value', () => {
    const perAgent = placedCount(racks, app('/mp', { count: 20, constraints: [['rack', 'MAX_PER', '2']] }));
    const total = [...perAgent.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(6); // r1, r2, r3 two each
  });

  it('GROUP_BY with a count spreads evenly over the values', () => {
    const zones = Array.from({ length: 9 }, (_, i) => offer({ agent: `z${i}`, zone: `zone-${i % 3}`, cpus: 8, mem: 8192 }));
    const result = match({ offers: zones, requests: [app('/g', { count: 7, constraints: [['@zone', 'GROUP_BY', '3']] })], options: { now: NOW } });
    const perZone = new Map<string, number>();
    for (const l of result.launches) {
      const zone = `zone-${Number(l.agentId.slice(1)) % 3}`;
      perZone.set(zone, (perZone.get(zone) ?? 0) + l.tasks.length);
    }
    expect([...perZone.values()].sort()).toEqual([2, 2, 3]);
  });
});

describe('GROUP_BY counter (Marathon 1.10 semantics)', () => {
  const dict = new FieldDictionary('rack', [offer({ attributes: [text('rack', 'a')] }), offer({ attributes: [text('rack', 'b')] })]);
  const a = dict.idOf('a');
  const b = dict.idOf('b');

  it('without a value lets every instance into an existing group', () => {
    const counter = new PlacementCounter({ field: 'rack', operator: 'GROUP_BY', value: '', number: 0 }, dict);
    counter.add(a);
    expect(counter.allows(a)).toBe(true);
  });

  it('with a value waits for enough groups, then only the smallest', () => {
    const counter = new PlacementCounter({ field: 'rack', operator: 'GROUP_BY', value: '2', number: 2 }, dict);
    counter.add(a);
    expect(counter.allows(a)).toBe(false); // only 1 of 2 groups exists
    expect(counter.allows(b)).toBe(true); // new group
    counter.add(b);
    expect(counter.allows(a)).toBe(true);
    counter.add(a);
    expect(counter.allows(a)).toBe(false);
    expect(counter.allows(b)).toBe(true);
  });
});

describe('requests sharing a candidate index', () => {
  // Big agents keep ranking first under binpack after each placement, so a UNIQUE app skips
  // more and more of them in the shared index until it moves to an index of its own.
  const big = () =>
    Array.from({ length: 300 }, (_, i) => offer({ agent: `b${String(i).padStart(3, '0')}`, zone: `z${i % 3}`, region: 'r', cpus: 64, mem: 65536 }));

  it('UNIQUE holds for many instances, and an unconstrained app with the same demand is still placed', () => {
    const result = match({
      offers: big(),
      requests: [app('/unique', { count: 250, constraints: [['hostname', 'UNIQUE']] }), app('/free', { count: 250 })],
      options: { now: NOW, seed: 3, localRegion: 'r' },
    });
    const unique = result.launches.map((l) => l.tasks.filter((t) => t.requestKey === '/unique').length);
    expect(unique.reduce((a, b) => a + b, 0)).toBe(250);
    expect(Math.max(...unique)).toBe(1);
    expect(result.launches.flatMap((l) => l.tasks).filter((t) => t.requestKey === '/free')).toHaveLength(250);
  });

  it('GROUP_BY stays balanced over many instances', () => {
    const result = match({
      offers: big(),
      requests: [
        app('/zones', {
          count: 240,
          constraints: [
            ['@zone', 'GROUP_BY', '3'],
            ['hostname', 'UNIQUE'],
          ],
        }),
        app('/free', { count: 100 }),
      ],
      options: { now: NOW, seed: 5, localRegion: 'r' },
    });
    const perZone = new Map<string, number>();
    for (const l of result.launches) {
      const n = l.tasks.filter((t) => t.requestKey === '/zones').length;
      if (n > 0) perZone.set(`z${Number(l.agentId.slice(1)) % 3}`, (perZone.get(`z${Number(l.agentId.slice(1)) % 3}`) ?? 0) + n);
    }
    expect([...perZone.values()]).toEqual([80, 80, 80]);
  });

  it('each request keeps its own constraint reasons when it shares an index with others', () => {
    const agents = ['a', 'b', 'c'].map((a) => offer({ agent: a, cpus: 2, mem: 4096 }));
    const result = match({
      offers: agents,
      requests: [app('/unique', { count: 5, constraints: [['hostname', 'UNIQUE']] }), app('/free', { count: 1 }), app('/other', { count: 9 })],
      options: { now: NOW },
    });
    const byKey = new Map(result.requests.map((r) => [r.key, r]));
    expect(byKey.get('/unique')!.placed).toBe(3);
    // /unique is waiting: the agents it used are not unused; nothing else is left.
    expect(byKey.get('/unique')!.diagnosis.offersUnused).toBe(0);
    // /other is waiting with no constraints: its unused agents are full, never constrained.
    const other = byKey.get('/other')!.diagnosis;
    expect(other.reasonCounts.UnfulfilledConstraint).toBeUndefined();
  });
});
