import { describe, expect, it } from 'vitest';
import { call, frameworkInfo, launch, makeMaster, subscribe, task } from './fakes.js';

const PA = frameworkInfo({ capabilities: [{ type: 'PARTITION_AWARE' }] });

describe('LocalMaster ACCEPT', () => {
  it('launches a valid task in TASK_STAGING on the offer agent with allocation_info injected', () => {
    const { master, agents } = makeMaster(1);
    const fw = subscribe(master);
    master.allocate();
    launch(master, fw, fw.connection.offers(), [task('t1', 'agent-0', 0.5, 64)]);
    expect(agents[0]!.launched).toHaveLength(1);
    const launched = agents[0]!.launched[0]!.task;
    expect(launched.resources!.every((r) => r.allocation_info?.role === '*')).toBe(true);
    expect(master.task(fw.id, 't1')).toEqual({ state: 'TASK_STAGING', agentId: 'agent-0' });
  });

  it('answers an offer of another framework with TASK_LOST and REASON_INVALID_OFFERS', () => {
    const { master, agents } = makeMaster(2);
    const owner = subscribe(master, frameworkInfo({ name: 'owner' }));
    const thief = subscribe(master, frameworkInfo({ name: 'thief' }));
    master.allocate();
    const foreign = owner.connection.offers()[0]!;
    launch(master, thief, [foreign], [task('t1', foreign.agent_id.value)]);
    const [update] = thief.connection.updates();
    expect(update).toMatchObject({ state: 'TASK_LOST', reason: 'REASON_INVALID_OFFERS', source: 'SOURCE_MASTER' });
    expect(update!.message).toBe(
      `Task launched with invalid offers: Offer ${foreign.id.value} has invalid framework ${owner.id} while framework ${thief.id} is expected`,
    );
    expect(agents.every((a) => a.launched.length === 0)).toBe(true);
    // The owner's offer is untouched and still usable.
    launch(master, owner, [foreign], [task('t2', foreign.agent_id.value)]);
    expect(master.task(owner.id, 't2')?.state).toBe('TASK_STAGING');
  });

  it('drops tasks of a reused offer for a PARTITION_AWARE framework with TASK_DROPPED', () => {
    const { master } = makeMaster(1);
    const fw = subscribe(master, PA);
    master.allocate();
    const [offer] = fw.connection.offers();
    launch(master, fw, [offer!], [task('t1', 'agent-0')]);
    launch(master, fw, [offer!], [task('t2', 'agent-0')]);
    const update = fw.connection.updates().find((u) => u.task_id.value === 't2')!;
    expect(update).toMatchObject({ state: 'TASK_DROPPED', reason: 'REASON_INVALID_OFFERS' });
    expect(update.message).toBe(`Task launched with invalid offers: Offer ${offer!.id.value} is no longer valid`);
  });

  it('refuses a launch that exceeds the offer with TASK_ERROR, and returns the resources', () => {
    const { master, agents } = makeMaster(1);
    const fw = subscribe(master);
    master.allocate();
    launch(master, fw, fw.connection.offers(), [task('huge', 'agent-0', 4.001, 64)], 0);
    const [update] = fw.connection.updates();
    expect(update).toMatchObject({ state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID', source: 'SOURCE_MASTER' });
    expect(update!.message).toMatch(
      /^Total resources cpus\(allocated: \*\):4\.001; mem\(allocated: \*\):64 required by task and its executor is more than available /,
    );
    expect(agents[0]!.launched).toHaveLength(0);
    // Master keeps serving: the whole agent comes back in the next offer.
    expect(master.allocate()).toBe(1);
    const cpus = fw.connection.offers()[1]!.resources!.find((r) => r.name === 'cpus')!;
    expect(cpus.scalar!.value).toBe(4);
  });

  it('refuses a duplicate task id with TASK_ERROR while launching the first', () => {
    const { master, agents } = makeMaster(1);
    const fw = subscribe(master);
    master.allocate();
    launch(master, fw, fw.connection.offers(), [task('dup', 'agent-0'), task('dup', 'agent-0')]);
    expect(agents[0]!.launched).toHaveLength(1);
    const [update] = fw.connection.updates();
    expect(update).toMatchObject({ state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID', message: 'Task has duplicate ID: dup' });
  });

  it('validates task ids, agent ids, resources and command/executor exclusivity', () => {
    const { master } = makeMaster(1);
    const fw = subscribe(master);
    master.allocate();
    const bad = [
      task('a/b', 'agent-0'),
      task('other-agent', 'agent-9'),
      { ...task('no-resources', 'agent-0'), resources: [] },
      { ...task('both', 'agent-0'), executor: { executor_id: { value: 'e' }, command: { value: 'x' } } },
    ];
    launch(master, fw, fw.connection.offers(), bad);
    expect(fw.connection.updates().map((u) => u.message)).toEqual([
      "'a/b' contains invalid characters",
      'Task uses invalid agent agent-9 while agent agent-0 is expected',
      'Task uses no resources',
      'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present',
    ]);
  });

  it('launches a task group through agent.launchGroup', () => {
    const { master, agents } = makeMaster(1);
    const fw = subscribe(master);
    master.allocate();
    const executor = {
      type: 'DEFAULT' as const,
      executor_id: { value: 'default' },
      framework_id: { value: fw.id },
      resources: [
        { name: 'cpus', type: 'SCALAR' as const, scalar: { value: 0.1 } },
        { name: 'mem', type: 'SCALAR' as const, scalar: { value: 32 } },
        { name: 'disk', type: 'SCALAR' as const, scalar: { value: 32 } },
      ],
    };
    const tasks = [task('g1', 'agent-0'), task('g2', 'agent-0')].map((t) => {
      const { command: _command, ...rest } = t;
      return rest;
    });
    call(master, fw, {
      type: 'ACCEPT',
      accept: {
        offer_ids: fw.connection.offers().map((o) => o.id),
        operations: [{ type: 'LAUNCH_GROUP', launch_group: { executor, task_group: { tasks: tasks.map((t) => ({ ...t, executor })) } } }],
      },
    });
    expect(fw.connection.updates()).toEqual([]);
    expect(agents[0]!.groups).toHaveLength(1);
    expect(agents[0]!.groups[0]!.executor.framework_id).toEqual({ value: fw.id });
    expect(master.task(fw.id, 'g2')?.state).toBe('TASK_STAGING');
  });

  it('answers invalid stream ids and unsubscribed frameworks like upstream', () => {
    const { master } = makeMaster(1);
    const fw = subscribe(master, frameworkInfo({ failover_timeout: 60 }));
    expect(() => master.handleCall({ type: 'REVIVE', framework_id: { value: fw.id } }, 'bogus')).toThrow(
      expect.objectContaining({
        status: 400,
        message: `The stream ID 'bogus' included in this request didn't match the stream ID currently associated with framework ID ${fw.id}`,
      }),
    );
    expect(() => master.handleCall({ type: 'REVIVE', framework_id: { value: 'nope' } }, 'x')).toThrow(
      expect.objectContaining({ status: 400, message: 'Framework cannot be found' }),
    );
    expect(() => master.handleCall({ type: 'KILL', framework_id: { value: fw.id } }, fw.connection.streamId)).toThrow(
      expect.objectContaining({ status: 400, message: "Failed to validate scheduler::Call: Expecting 'kill' to be present" }),
    );
    master.connectionClosed(fw.connection);
    expect(() => call(master, fw, { type: 'REVIVE' })).toThrow(expect.objectContaining({ status: 403, message: 'Framework is not subscribed' }));
  });
});
