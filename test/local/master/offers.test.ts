import { describe, expect, it } from 'vitest';
import { call, frameworkInfo, launch, makeMaster, subscribe, task } from './fakes.js';

describe('LocalMaster offers', () => {
  it('sends SUBSCRIBED with id, heartbeat interval and master info, then one offer per agent with allocation_info', () => {
    const { master } = makeMaster(2);
    const fw = subscribe(master, frameworkInfo({ roles: ['web'], capabilities: [{ type: 'MULTI_ROLE' }] }));
    const subscribed = fw.connection.ofType('SUBSCRIBED')[0]!.subscribed!;
    expect(subscribed.framework_id.value).toMatch(/^m1-0000$/);
    expect(subscribed.heartbeat_interval_seconds).toBe(15);
    expect(subscribed.master_info).toMatchObject({ id: 'm1', port: 5050, ip: 16777343, address: { ip: '127.0.0.1', port: 5050 } });

    expect(master.allocate()).toBe(2);
    const offers = fw.connection.offers();
    expect(offers.map((o) => o.agent_id.value).sort()).toEqual(['agent-0', 'agent-1']);
    for (const offer of offers) {
      expect(offer.framework_id.value).toBe(fw.id);
      expect(offer.hostname).toBe(`${offer.agent_id.value}.local`);
      expect(offer.allocation_info).toEqual({ role: 'web' });
      expect(offer.url).toEqual({ scheme: 'http', address: { hostname: offer.hostname, ip: '127.0.0.1', port: 5050 }, path: '/slave(1)' });
      expect(offer.attributes).toEqual([{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }]);
      expect(offer.resources!.map((r) => r.name).sort()).toEqual(['cpus', 'disk', 'mem', 'ports']);
      for (const r of offer.resources!) expect(r.allocation_info).toEqual({ role: 'web' });
    }
    // Both offers of one pass travel in one OFFERS event.
    expect(fw.connection.ofType('OFFERS')).toHaveLength(1);
  });

  it('shares frozen parts between offers of one agent, so no holder can change another offer', () => {
    const { master } = makeMaster(1);
    const fw = subscribe(master);
    master.allocate();
    const [first] = fw.connection.offers();
    call(master, fw, { type: 'DECLINE', decline: { offer_ids: [first!.id], filters: { refuse_seconds: 0 } } });
    master.allocate();
    const second = fw.connection.offers()[1]!;
    expect(second.id).not.toEqual(first!.id);
    for (const part of ['agent_id', 'url', 'attributes', 'resources', 'framework_id', 'allocation_info'] as const) {
      expect(second[part]).toBe(first![part]);
      expect(Object.isFrozen(second[part])).toBe(true);
    }
    expect(() => second.resources!.push({ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } })).toThrow(TypeError);
    expect(() => {
      second.url!.address.port = 1;
    }).toThrow(TypeError);
  });

  it('keeps at most one outstanding offer per agent and framework', () => {
    const { master } = makeMaster(1);
    const fw = subscribe(master);
    expect(master.allocate()).toBe(1);
    const [offer] = fw.connection.offers();
    // Use part of the offer; the rest goes back (without a filter) but the agent has no open offer now.
    launch(master, fw, [offer!], [task('t1', 'agent-0')], 0);
    expect(master.allocate()).toBe(1);
    expect(master.allocate()).toBe(0);
    expect(master.outstandingOffers(fw.id)).toHaveLength(1);
  });

  it('honours a decline filter for refuse_seconds, then offers the agent again', () => {
    const { master, clock } = makeMaster(1);
    const fw = subscribe(master);
    master.allocate();
    const [offer] = fw.connection.offers();
    call(master, fw, { type: 'DECLINE', decline: { offer_ids: [offer!.id], filters: { refuse_seconds: 30 } } });
    expect(master.allocate()).toBe(0);
    clock.advance(29_000);
    expect(master.allocate()).toBe(0);
    clock.advance(1_000);
    expect(master.allocate()).toBe(1);
    expect(fw.connection.offers()).toHaveLength(2);
  });

  it('uses the default 5 s refusal when DECLINE has no filters, and none for refuse_seconds 0', () => {
    const { master, clock } = makeMaster(1);
    const fw = subscribe(master);
    master.allocate();
    call(master, fw, { type: 'DECLINE', decline: { offer_ids: [fw.connection.offers()[0]!.id] } });
    clock.advance(4_999);
    expect(master.allocate()).toBe(0);
    clock.advance(1);
    expect(master.allocate()).toBe(1);
    call(master, fw, { type: 'DECLINE', decline: { offer_ids: [fw.connection.offers()[1]!.id], filters: { refuse_seconds: 0 } } });
    expect(master.allocate()).toBe(1);
  });

  it('stops offers on SUPPRESS and resumes them (clearing filters) on REVIVE', () => {
    const { master } = makeMaster(1);
    const fw = subscribe(master);
    master.allocate();
    call(master, fw, { type: 'SUPPRESS', suppress: {} });
    call(master, fw, { type: 'DECLINE', decline: { offer_ids: [fw.connection.offers()[0]!.id], filters: { refuse_seconds: 3600 } } });
    expect(master.allocate()).toBe(0);
    call(master, fw, { type: 'REVIVE', revive: {} });
    expect(master.allocate()).toBe(1);
  });

  it('offers a second framework resources while the first holds offers and tasks (DRF)', () => {
    const { master } = makeMaster(2);
    const first = subscribe(master, frameworkInfo({ name: 'first' }));
    master.allocate();
    const offers = first.connection.offers();
    expect(offers).toHaveLength(2);
    // The first framework runs a 3-cpu task on agent-0 and keeps holding its agent-1 offer.
    const on0 = offers.find((o) => o.agent_id.value === 'agent-0')!;
    launch(master, first, [on0], [task('big', 'agent-0', 3, 1024)]);

    const second = subscribe(master, frameworkInfo({ name: 'second' }));
    expect(master.allocate()).toBe(1);
    const got = second.connection.offers();
    expect(got).toHaveLength(1);
    expect(got[0]!.agent_id.value).toBe('agent-0');
    expect(got[0]!.resources!.find((r) => r.name === 'cpus')!.scalar!.value).toBe(1);
  });

  it('gives freed resources to the framework with the lower dominant share', () => {
    const { master } = makeMaster(3);
    const heavy = subscribe(master, frameworkInfo({ name: 'heavy' }));
    master.allocate();
    const heavyOffers = heavy.connection.offers();
    expect(heavyOffers).toHaveLength(3);
    const light = subscribe(master, frameworkInfo({ name: 'light' }));
    // heavy gives one agent back without a filter: both frameworks could take it; light's share is 0.
    call(master, heavy, { type: 'DECLINE', decline: { offer_ids: [heavyOffers[2]!.id], filters: { refuse_seconds: 0 } } });
    expect(master.allocate()).toBe(1);
    expect(light.connection.offers().map((o) => o.agent_id.value)).toEqual([heavyOffers[2]!.agent_id.value]);
  });

  it('splits agents between two frameworks that subscribe together', () => {
    const { master } = makeMaster(4);
    const a = subscribe(master, frameworkInfo({ name: 'a' }));
    const b = subscribe(master, frameworkInfo({ name: 'b' }));
    expect(master.allocate()).toBe(4);
    expect(a.connection.offers()).toHaveLength(2);
    expect(b.connection.offers()).toHaveLength(2);
  });

  it('rescinds offers of a removed agent and marks its tasks lost', () => {
    const { master } = makeMaster(2);
    const fw = subscribe(master);
    master.allocate();
    const offers = fw.connection.offers();
    const on0 = offers.find((o) => o.agent_id.value === 'agent-0')!;
    const on1 = offers.find((o) => o.agent_id.value === 'agent-1')!;
    launch(master, fw, [on0], [task('t0', 'agent-0')]);
    master.allocate();
    const again = fw.connection.offers().filter((o) => o.agent_id.value === 'agent-0' && o.id.value !== on0.id.value);
    fw.connection.clear();

    master.removeAgent('agent-0');
    const rescinded = fw.connection.ofType('RESCIND').map((e) => e.rescind!.offer_id.value);
    expect(rescinded).toEqual(again.map((o) => o.id.value));
    expect(rescinded).not.toContain(on1.id.value);
    const lost = fw.connection.updates().find((u) => u.task_id.value === 't0')!;
    expect(lost).toMatchObject({ state: 'TASK_LOST', reason: 'REASON_AGENT_REMOVED', source: 'SOURCE_MASTER' });
    expect(lost.uuid).toBeUndefined();
    expect(fw.connection.ofType('FAILURE')[0]!.failure!.agent_id!.value).toBe('agent-0');
    // Accepting a rescinded offer now drops the tasks.
    fw.connection.clear();
    launch(master, fw, again, [task('t1', 'agent-0')]);
    expect(fw.connection.updates()[0]).toMatchObject({ state: 'TASK_LOST', reason: 'REASON_INVALID_OFFERS' });
  });
});
