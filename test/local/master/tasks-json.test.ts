/**
 * mesos-local's `/master/tasks` and `/master/frameworks` documents as upstream's read-only handler
 * builds them (src/master/readonly_handler.cpp): tasks of every framework, active and completed,
 * ordered by their first status's time (newest first unless `order=asc`, tasks without a status
 * last, or first in ascending order), paged by `offset` and `limit` (100 by default), filtered by
 * `framework_id` and `task_id`; frameworks optionally filtered by `framework_id`.
 */
import { expect, it } from 'vitest';
import { buildFrameworksJson, buildTasksJson } from '../../../src/local/master/state-json.js';
import { frameworkInfo, launch, makeMaster, subscribe, task } from './fakes.js';

function scenario() {
  const harness = makeMaster(1);
  const { master, agents, clock } = harness;
  const first = subscribe(master, frameworkInfo({ name: 'first' }));
  const second = subscribe(master, frameworkInfo({ name: 'second' }));
  master.allocate();
  launch(master, first, first.connection.offers(), [task('a', 'agent-0', 0.5, 64), task('b', 'agent-0', 0.5, 64), task('quiet', 'agent-0', 0.5, 64)]);
  master.allocate();
  launch(master, second, second.connection.offers(), [task('c', 'agent-0', 0.5, 64)]);
  // First statuses at t0+1 (b), t0+2 (c), t0+3 (a); `a` finishes later, `quiet` never reports.
  for (const [frameworkId, taskId] of [
    [first.id, 'b'],
    [second.id, 'c'],
    [first.id, 'a'],
  ] as const) {
    clock.advance(1000);
    agents[0]!.report(frameworkId, taskId, 'TASK_RUNNING', { timestamp: clock.now() / 1000 });
  }
  clock.advance(1000);
  agents[0]!.report(first.id, 'a', 'TASK_FINISHED', { timestamp: clock.now() / 1000 });
  return { view: master.operatorView(), first, second };
}

const ids = (doc: object): string[] => (doc as { tasks: Array<{ id: string }> }).tasks.map((t) => t.id);

it('lists active and completed tasks newest first by their first status, tasks without one last', () => {
  const { view } = scenario();
  expect(ids(buildTasksJson(view))).toEqual(['a', 'c', 'b', 'quiet']);
  expect(ids(buildTasksJson(view, { order: 'asc' }))).toEqual(['quiet', 'b', 'c', 'a']);
  const finished = (buildTasksJson(view, { taskId: 'a' }) as { tasks: Array<Record<string, unknown>> }).tasks;
  expect(finished.map((t) => t.state)).toEqual(['TASK_FINISHED']);
});

it('pages by offset and limit and filters by framework and task', () => {
  const { view, first, second } = scenario();
  expect(ids(buildTasksJson(view, { limit: 2 }))).toEqual(['a', 'c']);
  expect(ids(buildTasksJson(view, { offset: 1, limit: 2 }))).toEqual(['c', 'b']);
  expect(ids(buildTasksJson(view, { offset: 10 }))).toEqual([]);
  expect(ids(buildTasksJson(view, { frameworkId: second.id }))).toEqual(['c']);
  expect(ids(buildTasksJson(view, { frameworkId: first.id, taskId: 'b' }))).toEqual(['b']);
  expect(ids(buildTasksJson(view, { frameworkId: second.id, taskId: 'b' }))).toEqual([]);
});

it('lists frameworks as the state does, optionally one by id', () => {
  const { view, second } = scenario();
  const all = buildFrameworksJson(view) as {
    frameworks: Array<{ id: string; name: string }>;
    completed_frameworks: unknown[];
    unregistered_frameworks: unknown[];
  };
  expect(all.frameworks.map((f) => f.name).sort()).toEqual(['first', 'second']);
  expect(all.completed_frameworks).toEqual([]);
  expect(all.unregistered_frameworks).toEqual([]);
  const one = buildFrameworksJson(view, second.id) as { frameworks: Array<{ id: string; name: string; tasks: Array<{ id: string }> }> };
  expect(one.frameworks.map((f) => [f.id, f.name, f.tasks.map((t) => t.id)])).toEqual([[second.id, 'second', ['c']]]);
  expect((buildFrameworksJson(view, 'no-such-framework') as { frameworks: unknown[] }).frameworks).toEqual([]);
});

it("writes a task's user (its command's) and a status's labels, as upstream's json(Task) and json(TaskStatus) do", () => {
  const { master, agents } = makeMaster(1);
  const fw = subscribe(master);
  master.allocate();
  launch(master, fw, fw.connection.offers(), [task('t1', 'agent-0', 1, 128, { command: { value: 'sleep 100', user: 'nobody' } }), task('t2', 'agent-0')]);
  agents[0]!.report(fw.id, 't1', 'TASK_RUNNING', { labels: { labels: [{ key: 'probe', value: 'ok' }] } });
  const byId = new Map((buildTasksJson(master.operatorView()) as { tasks: Array<Record<string, any>> }).tasks.map((t) => [t.id, t]));
  expect(byId.get('t1')!.user).toBe('nobody');
  expect(byId.get('t1')!.statuses[0].labels).toEqual([{ key: 'probe', value: 'ok' }]);
  expect('user' in byId.get('t2')!).toBe(false);
});
