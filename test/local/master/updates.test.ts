import { describe, expect, it } from 'vitest';
import { call, frameworkInfo, launch, makeMaster, subscribe, task, type Subscribed } from './fakes.js';
import type { LocalMaster } from '../../../src/local/master/master.js';
import type { TaskStatus } from '../../../src/mesos/types.js';

function ack(master: LocalMaster, fw: Subscribed, status: TaskStatus): void {
  call(master, fw, {
    type: 'ACKNOWLEDGE',
    acknowledge: { agent_id: status.agent_id!, task_id: status.task_id, uuid: status.uuid! },
  });
}

describe('LocalMaster status updates', () => {
  it('starts the retry clock of an update when it has left the master, not while it waits behind a slow subscriber', () => {
    const { master, clock, agents } = makeMaster(1, { statusUpdateRetryMs: 1000 });
    const fw = subscribe(master);
    master.allocate();
    launch(master, fw, fw.connection.offers(), [task('t1', 'agent-0')]);
    fw.connection.unwritten = [];
    agents[0]!.report(fw.id, 't1', 'TASK_RUNNING');
    expect(fw.connection.updates()).toHaveLength(1);

    // Still in the master's buffer after many retry intervals: the subscriber cannot have read it,
    // and a copy would only queue behind it.
    clock.advance(10_000);
    master.tick();
    expect(fw.connection.updates()).toHaveLength(1);

    // Written out now: retried one interval later, as before.
    for (const written of fw.connection.unwritten.splice(0)) written();
    clock.advance(999);
    master.tick();
    expect(fw.connection.updates()).toHaveLength(1);
    clock.advance(1);
    master.tick();
    expect(fw.connection.updates()).toHaveLength(2);
    expect(fw.connection.updates()[1]!.uuid).toBe(fw.connection.updates()[0]!.uuid);
  });

  it('retries an update until acknowledged, one in flight per task, then delivers the next', () => {
    const { master, clock, agents } = makeMaster(1, { statusUpdateRetryMs: 1000 });
    const fw = subscribe(master);
    master.allocate();
    launch(master, fw, fw.connection.offers(), [task('t1', 'agent-0')]);
    agents[0]!.report(fw.id, 't1', 'TASK_RUNNING', { healthy: true, message: 'up', data: 'aGk=' });
    agents[0]!.report(fw.id, 't1', 'TASK_FINISHED', { reason: 'REASON_COMMAND_EXECUTOR_FAILED' });

    let updates = fw.connection.updates();
    expect(updates).toHaveLength(1);
    const running = updates[0]!;
    expect(running).toMatchObject({
      state: 'TASK_RUNNING',
      healthy: true,
      message: 'up',
      data: 'aGk=',
      agent_id: { value: 'agent-0' },
      source: 'SOURCE_EXECUTOR',
    });
    expect(Buffer.from(running.uuid!, 'base64')).toHaveLength(16);

    clock.advance(999);
    master.tick();
    expect(fw.connection.updates()).toHaveLength(1);
    clock.advance(1);
    master.tick();
    updates = fw.connection.updates();
    expect(updates).toHaveLength(2);
    expect(updates[1]).toEqual(running);
    // Backoff doubles: next resend 2 s later.
    clock.advance(1999);
    master.tick();
    expect(fw.connection.updates()).toHaveLength(2);
    clock.advance(1);
    master.tick();
    expect(fw.connection.updates()).toHaveLength(3);

    // A wrong uuid does not release anything.
    ack(master, fw, { ...running, uuid: Buffer.alloc(16).toString('base64') });
    expect(fw.connection.updates()).toHaveLength(3);
    ack(master, fw, running);
    const finished = fw.connection.updates()[3]!;
    expect(finished).toMatchObject({ state: 'TASK_FINISHED', reason: 'REASON_COMMAND_EXECUTOR_FAILED' });
    expect(finished.uuid).not.toBe(running.uuid);
    expect(master.task(fw.id, 't1')?.state).toBe('TASK_FINISHED');
    ack(master, fw, finished);
    expect(master.task(fw.id, 't1')).toBeUndefined();
    expect(master.pendingStatusUpdates()).toBe(0);
  });

  it('releases resources when the terminal state arrives, before the acknowledgement', () => {
    const { master, agents } = makeMaster(1);
    const fw = subscribe(master);
    master.allocate();
    launch(master, fw, fw.connection.offers(), [task('t1', 'agent-0', 4, 4096)], 0);
    // Only disk and ports are left: below upstream's minimum allocatable (0.01 cpus or 32 MB).
    expect(master.allocate()).toBe(0);
    agents[0]!.report(fw.id, 't1', 'TASK_FAILED');
    expect(master.pendingStatusUpdates(fw.id)).toBe(1);
    expect(master.allocate()).toBe(1);
    const cpus = fw.connection.offers()[1]!.resources!.find((r) => r.name === 'cpus');
    expect(cpus?.scalar?.value).toBe(4);
  });

  it('rejects a malformed acknowledgement uuid with 400', () => {
    const { master } = makeMaster(1);
    const fw = subscribe(master);
    expect(() => call(master, fw, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'agent-0' }, task_id: { value: 't' }, uuid: 'abcd' } })).toThrow(
      expect.objectContaining({ status: 400, message: 'Failed to validate scheduler::Call: Not a valid UUID' }),
    );
  });

  it('holds updates while the framework is disconnected and resends them on re-subscription', () => {
    const { master, agents } = makeMaster(1);
    const info = frameworkInfo({ failover_timeout: 3600 });
    const fw = subscribe(master, info);
    master.allocate();
    launch(master, fw, fw.connection.offers(), [task('t1', 'agent-0')]);
    master.connectionClosed(fw.connection);
    agents[0]!.report(fw.id, 't1', 'TASK_RUNNING');
    expect(agents[0]!.kills).toEqual([]);
    const again = subscribe(master, { ...info, id: { value: fw.id } });
    expect(again.id).toBe(fw.id);
    expect(again.connection.events.map((e) => e.type)).toEqual(['SUBSCRIBED', 'UPDATE']);
    expect(again.connection.updates()[0]!.state).toBe('TASK_RUNNING');
  });
});

describe('LocalMaster reconciliation', () => {
  it('answers implicit reconciliation with the latest state of every task, without uuid', () => {
    const { master, agents } = makeMaster(1);
    const fw = subscribe(master);
    master.allocate();
    launch(master, fw, fw.connection.offers(), [task('a', 'agent-0', 1), task('b', 'agent-0', 1)]);
    agents[0]!.report(fw.id, 'a', 'TASK_RUNNING', { healthy: false });
    fw.connection.clear();
    call(master, fw, { type: 'RECONCILE', reconcile: {} });
    const answers = fw.connection.updates();
    expect(answers.map((u) => [u.task_id.value, u.state]).sort()).toEqual([
      ['a', 'TASK_RUNNING'],
      ['b', 'TASK_STAGING'],
    ]);
    for (const u of answers) {
      expect(u).toMatchObject({ reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER', message: 'Reconciliation: Latest task state' });
      expect(u.uuid).toBeUndefined();
    }
    expect(answers.find((u) => u.task_id.value === 'a')!.healthy).toBe(false);
  });

  it('answers explicit reconciliation of unknown tasks per PARTITION_AWARE', () => {
    const { master } = makeMaster(1);
    const plain = subscribe(master);
    const aware = subscribe(master, frameworkInfo({ capabilities: [{ type: 'PARTITION_AWARE' }] }));
    const tasks = [
      { task_id: { value: 'x' }, agent_id: { value: 'agent-0' } },
      { task_id: { value: 'y' }, agent_id: { value: 'agent-77' } },
      { task_id: { value: 'z' } },
    ];
    call(master, plain, { type: 'RECONCILE', reconcile: { tasks } });
    call(master, aware, { type: 'RECONCILE', reconcile: { tasks } });
    expect(plain.connection.updates().map((u) => u.state)).toEqual(['TASK_LOST', 'TASK_LOST', 'TASK_LOST']);
    expect(aware.connection.updates().map((u) => [u.state, u.message])).toEqual([
      ['TASK_GONE', 'Reconciliation: Task is unknown to the agent'],
      ['TASK_UNKNOWN', 'Reconciliation: Task is unknown'],
      ['TASK_UNKNOWN', 'Reconciliation: Task is unknown'],
    ]);
  });

  it('turns KILL of an unknown task into reconciliation and forwards known kills with the policy', () => {
    const { master, agents } = makeMaster(1);
    const fw = subscribe(master);
    master.allocate();
    launch(master, fw, fw.connection.offers(), [task('t1', 'agent-0')]);
    call(master, fw, { type: 'KILL', kill: { task_id: { value: 'ghost' } } });
    expect(fw.connection.updates()[0]).toMatchObject({ state: 'TASK_LOST', reason: 'REASON_RECONCILIATION' });
    call(master, fw, { type: 'KILL', kill: { task_id: { value: 't1' }, kill_policy: { grace_period: { nanoseconds: 1e9 } } } });
    expect(agents[0]!.kills).toEqual([{ frameworkId: fw.id, taskId: 't1', killPolicy: { grace_period: { nanoseconds: 1e9 } } }]);
  });
});
