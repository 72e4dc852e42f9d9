import { describe, expect, it } from 'vitest';
import { call, frameworkInfo, launch, makeMaster, RecordingConnection, subscribe, task } from './fakes.js';

describe('LocalMaster failover and teardown', () => {
  it('replaces the stream on re-SUBSCRIBE: the old one gets ERROR "Framework failed over" and is closed', () => {
    const { master } = makeMaster(1);
    const info = frameworkInfo({ failover_timeout: 60 });
    const first = subscribe(master, info);
    master.allocate();
    const oldOffer = first.connection.offers()[0]!;
    const second = subscribe(master, { ...info, id: { value: first.id } });
    expect(first.connection.events.at(-1)).toEqual({ type: 'ERROR', error: { message: 'Framework failed over' } });
    expect(first.connection.closed).toBe(true);
    expect(second.id).toBe(first.id);
    // Calls on the old stream id are refused; the new one works and the old offer is gone.
    expect(() => master.handleCall({ type: 'REVIVE', framework_id: { value: first.id } }, first.connection.streamId)).toThrow(
      expect.objectContaining({ status: 400 }),
    );
    launch(master, second, [oldOffer], [task('t1', 'agent-0')]);
    expect(second.connection.updates()[0]).toMatchObject({ state: 'TASK_LOST', reason: 'REASON_INVALID_OFFERS' });
    expect(master.allocate()).toBe(1);
    expect(second.connection.offers()).toHaveLength(1);
  });

  it('keeps tasks of a disconnected framework running until failover_timeout, then kills them and removes it', () => {
    const { master, clock, agents } = makeMaster(1);
    const info = frameworkInfo({ failover_timeout: 10 });
    const fw = subscribe(master, info);
    master.allocate();
    launch(master, fw, fw.connection.offers(), [task('t1', 'agent-0')]);
    agents[0]!.report(fw.id, 't1', 'TASK_RUNNING');
    master.connectionClosed(fw.connection);
    expect(master.allocate()).toBe(0);

    clock.advance(9_999);
    master.tick();
    expect(agents[0]!.kills).toEqual([]);
    expect(master.frameworkIds()).toEqual([fw.id]);

    clock.advance(1);
    master.tick();
    expect(agents[0]!.kills).toEqual([{ frameworkId: fw.id, taskId: 't1' }]);
    expect(master.frameworkIds()).toEqual([]);
    // The agent reporting the kill afterwards is harmless.
    agents[0]!.report(fw.id, 't1', 'TASK_KILLED');

    const state = master.stateJson() as { completed_frameworks: { id: string; completed_tasks: { state: string }[] }[] };
    expect(state.completed_frameworks[0]!.id).toBe(fw.id);
    expect(state.completed_frameworks[0]!.completed_tasks[0]!.state).toBe('TASK_KILLED');

    const again = new RecordingConnection('late');
    master.subscribe({ type: 'SUBSCRIBE', framework_id: { value: fw.id }, subscribe: { framework_info: { ...info, id: { value: fw.id } } } }, again);
    expect(again.events).toEqual([{ type: 'ERROR', error: { message: 'Framework has been removed' } }]);
    expect(again.closed).toBe(true);

    // Its resources are free for others.
    const other = subscribe(master, frameworkInfo({ name: 'other' }));
    master.allocate();
    expect(other.connection.offers()[0]!.resources!.find((r) => r.name === 'cpus')!.scalar!.value).toBe(4);
  });

  it('TEARDOWN kills every task, closes the stream and removes the framework', () => {
    const { master, agents } = makeMaster(2);
    const fw = subscribe(master, frameworkInfo({ failover_timeout: 3600 }));
    master.allocate();
    const offers = fw.connection.offers();
    launch(master, fw, [offers[0]!], [task('a', offers[0]!.agent_id.value)]);
    launch(master, fw, [offers[1]!], [task('b', offers[1]!.agent_id.value)]);
    call(master, fw, { type: 'TEARDOWN' });
    expect(agents.flatMap((a) => a.kills.map((k) => k.taskId)).sort()).toEqual(['a', 'b']);
    expect(fw.connection.closed).toBe(true);
    expect(master.frameworkIds()).toEqual([]);
    expect(() => call(master, fw, { type: 'REVIVE' })).toThrow(expect.objectContaining({ status: 400, message: 'Framework cannot be found' }));
  });

  it('refuses SUBSCRIBE with invalid roles as an ERROR event, and a mismatched framework_id with 400', () => {
    const { master } = makeMaster(0);
    const c = new RecordingConnection('s');
    master.subscribe({ type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo({ roles: ['a'] }) } }, c);
    expect(c.events).toEqual([{ type: 'ERROR', error: { message: "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable" } }]);
    expect(() =>
      master.subscribe({ type: 'SUBSCRIBE', framework_id: { value: 'x' }, subscribe: { framework_info: frameworkInfo() } }, new RecordingConnection('t')),
    ).toThrow(
      expect.objectContaining({ status: 400, message: "Failed to validate scheduler::Call: 'framework_id' differs from 'subscribe.framework_info.id'" }),
    );
  });

  it('UPDATE_FRAMEWORK changes roles, rescinding offers of removed roles', () => {
    const { master } = makeMaster(1);
    const info = frameworkInfo({ roles: ['a'], capabilities: [{ type: 'MULTI_ROLE' }] });
    const fw = subscribe(master, info);
    master.allocate();
    const offer = fw.connection.offers()[0]!;
    call(master, fw, { type: 'UPDATE_FRAMEWORK', update_framework: { framework_info: { ...info, id: { value: fw.id }, roles: ['b'] } } });
    expect(fw.connection.ofType('RESCIND')[0]!.rescind!.offer_id).toEqual(offer.id);
    master.allocate();
    expect(fw.connection.offers()[1]!.allocation_info).toEqual({ role: 'b' });
    expect(() => call(master, fw, { type: 'UPDATE_FRAMEWORK', update_framework: { framework_info: { ...info, id: { value: fw.id }, user: 'root' } } })).toThrow(
      expect.objectContaining({
        status: 400,
        message: expect.stringMatching(/^FrameworkInfo update is not valid: Updating 'FrameworkInfo.user' is unsupported/),
      }),
    );
  });

  it('serves /master/state with upstream field names', () => {
    const { master, agents } = makeMaster(1);
    const fw = subscribe(master);
    master.allocate();
    launch(master, fw, fw.connection.offers(), [task('t1', 'agent-0', 1, 256)]);
    agents[0]!.report(fw.id, 't1', 'TASK_RUNNING');
    const state = master.stateJson() as Record<string, any>;
    expect(state.slaves[0]).toMatchObject({
      id: 'agent-0',
      hostname: 'agent-0.local',
      resources: { cpus: 4, mem: 4096, ports: '[31000-32000]' },
      attributes: { rack: 'r1' },
    });
    expect(state.slaves[0].used_resources).toMatchObject({ cpus: 1, mem: 256 });
    expect(state.frameworks[0]).toMatchObject({ id: fw.id, name: 'test-framework', active: true, role: '*' });
    expect(state.frameworks[0].tasks).toHaveLength(1);
    expect(state.frameworks[0].tasks[0]).toMatchObject({ id: 't1', slave_id: 'agent-0', state: 'TASK_RUNNING', resources: { cpus: 1, mem: 256 } });
  });
});
