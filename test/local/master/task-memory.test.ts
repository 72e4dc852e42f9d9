/**
 * What the master keeps per task, counted: at 100,000 tasks every object per task is ~100 MiB of
 * heap. It keeps of a TaskInfo only what its answers read, one status per state in a row (as
 * upstream's Master::updateTask), and shares the id objects its statuses repeat.
 */
import { expect, it } from 'vitest';
import type { TaskRecord } from '../../../src/local/master/frameworks.js';
import { launch, makeMaster, subscribe, task } from './fakes.js';

function record(master: ReturnType<typeof makeMaster>['master'], taskId: string): TaskRecord {
  const fw = master.operatorView().frameworks[0]!;
  const found = fw.tasks.get(taskId);
  if (found === undefined) throw new Error(`no task ${taskId}`);
  return found;
}

it('keeps one status per state in a row: health updates of a running task replace its RUNNING status', () => {
  const { master, agents } = makeMaster(1);
  const fw = subscribe(master);
  master.allocate();
  launch(master, fw, fw.connection.offers(), [task('t1', 'agent-0')]);
  agents[0]!.report(fw.id, 't1', 'TASK_STARTING');
  agents[0]!.report(fw.id, 't1', 'TASK_RUNNING');
  for (const healthy of [true, false, true]) {
    agents[0]!.report(fw.id, 't1', 'TASK_RUNNING', { reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED', healthy });
  }
  const statuses = record(master, 't1').statuses;
  expect(statuses.map((s) => s.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING']);
  expect(statuses[1]!.healthy).toBe(true);
  // The framework still gets every update (one at a time, as each is acknowledged).
  expect(master.pendingStatusUpdates(fw.id)).toBe(5);
});

it('keeps of a TaskInfo only the fields its answers read, not the command, resources or agent id', () => {
  const { master } = makeMaster(1);
  const fw = subscribe(master);
  master.allocate();
  const variables = Array.from({ length: 12 }, (_, i) => ({ name: `VAR_${i}`, value: `value-${i}` }));
  launch(master, fw, fw.connection.offers(), [
    task('t1', 'agent-0', 1, 128, {
      command: { value: 'sleep 100', user: 'nobody', environment: { variables }, uris: [{ value: 'http://example/x.tgz' }] },
      labels: { labels: [{ key: 'k', value: 'v' }] },
      kill_policy: { grace_period: { nanoseconds: 3e9 } },
    }),
  ]);
  const info = record(master, 't1').info;
  expect(Object.keys(info).sort()).toEqual(['container', 'discovery', 'health_check', 'kill_policy', 'labels', 'name', 'task_id', 'user']);
  expect(info).toMatchObject({ name: 't1', task_id: { value: 't1' }, user: 'nobody', labels: { labels: [{ key: 'k', value: 'v' }] } });
  const state = master.stateJson() as { frameworks: { tasks: { user?: string; labels?: unknown }[] }[] };
  expect(state.frameworks[0]!.tasks[0]).toMatchObject({ user: 'nobody', labels: [{ key: 'k', value: 'v' }] });
});

it("shares the task's and the agent's id objects among the statuses it keeps, and keeps no status data", () => {
  const { master, agents } = makeMaster(1);
  const fw = subscribe(master);
  master.allocate();
  launch(master, fw, fw.connection.offers(), [task('t1', 'agent-0'), task('t2', 'agent-0')]);
  agents[0]!.report(fw.id, 't1', 'TASK_RUNNING', { executor_id: { value: 't1' }, data: 'aGVsbG8=' });
  agents[0]!.report(fw.id, 't2', 'TASK_RUNNING', { executor_id: { value: 't2' } });
  const t1 = record(master, 't1');
  const t2 = record(master, 't2');
  const [s1] = t1.statuses;
  const [s2] = t2.statuses;
  expect(s1!.task_id).toBe(t1.info.task_id);
  expect(s1!.agent_id).toBe(s2!.agent_id);
  // A command task's executor id is its task id: one object for both.
  expect(s1!.executor_id).toBe(t1.info.task_id);
  expect(s1!.data).toBeUndefined();
  // The framework gets the data all the same.
  expect(fw.connection.updates().find((u) => u.task_id.value === 't1')!.data).toBe('aGVsbG8=');
});

it('shares one frozen resource bag between tasks whose resources are equal', () => {
  const { master, agents } = makeMaster(2);
  const fw = subscribe(master);
  master.allocate();
  const [first, second] = fw.connection.offers();
  launch(master, fw, [first!], [task('a1', first!.agent_id.value), task('a2', first!.agent_id.value), task('b1', first!.agent_id.value, 2)]);
  launch(master, fw, [second!], [task('a3', second!.agent_id.value)]);
  const bag = record(master, 'a1').resources;
  expect(record(master, 'a2').resources).toBe(bag);
  expect(record(master, 'a3').resources).toBe(bag);
  expect(record(master, 'b1').resources).not.toBe(bag);
  expect(bag.isFrozen).toBe(true);
  // Its resources go back to the allocator when the task ends, and the bag is unchanged.
  agents[0]!.report(fw.id, 'a1', 'TASK_FINISHED');
  expect(bag.toString()).toBe(record(master, 'a2').resources.toString());
});
