/**
 * LAUNCH_GROUP in the embedded master, held to upstream's `validation::task::group::validate` and
 * `Master::accept` (src/master/validation.cpp, src/master/master.cpp of Mesos 1.12): the master
 * copies the group's executor into tasks that have none, fills in allocation roles but not
 * `framework_id`, and refuses a bad group with TASK_ERROR / REASON_TASK_GROUP_INVALID from the
 * master for every task of the group, with upstream's message.
 */
import { describe, expect, it } from 'vitest';
import type { ExecutorInfo, TaskInfo } from '../../../src/mesos/types.js';
import { call, makeMaster, subscribe, task, type Harness } from './fakes.js';

type Subscribed = ReturnType<typeof subscribe>;

function scalar(name: string, value: number) {
  return { name, type: 'SCALAR' as const, scalar: { value } };
}

function defaultExecutor(fw: Subscribed, extra: Partial<ExecutorInfo> = {}): ExecutorInfo {
  return {
    type: 'DEFAULT',
    executor_id: { value: 'default' },
    framework_id: { value: fw.id },
    resources: [scalar('cpus', 0.1), scalar('mem', 32), scalar('disk', 10)],
    ...extra,
  };
}

/** A task of a group: a command, no executor (the master copies the group's in). */
function groupTask(id: string, extra: Partial<TaskInfo> = {}): TaskInfo {
  return task(id, 'agent-0', 0.5, 64, extra);
}

function launchGroup(h: Harness, fw: Subscribed, executor: ExecutorInfo, tasks: TaskInfo[]): void {
  call(h.master, fw, {
    type: 'ACCEPT',
    accept: {
      offer_ids: fw.connection.offers().map((o) => o.id),
      operations: [{ type: 'LAUNCH_GROUP', launch_group: { executor, task_group: { tasks } } }],
    },
  });
}

function setup() {
  const h = makeMaster(1);
  const fw = subscribe(h.master);
  h.master.allocate();
  return { h, fw };
}

/** The one message every task of the refused group got, after checking the rest of each update. */
function refusal(fw: Subscribed, taskIds: string[]): string {
  const updates = fw.connection.updates();
  expect(updates.map((u) => u.task_id.value)).toEqual(taskIds);
  for (const u of updates) expect(u).toMatchObject({ state: 'TASK_ERROR', source: 'SOURCE_MASTER', reason: 'REASON_TASK_GROUP_INVALID' });
  const messages = new Set(updates.map((u) => u.message));
  expect(messages.size).toBe(1);
  return [...messages][0]!;
}

describe('LocalMaster LAUNCH_GROUP', () => {
  it('launches tasks without an executor, copying the group executor in as upstream does', () => {
    const { h, fw } = setup();
    const executor = defaultExecutor(fw);
    launchGroup(h, fw, executor, [groupTask('pod.c0'), groupTask('pod.c1')]);
    expect(fw.connection.updates()).toEqual([]);
    const [launched] = h.agents[0]!.groups;
    expect(launched!.executor.executor_id.value).toBe('default');
    expect(launched!.executor.resources!.every((r) => r.allocation_info?.role === '*')).toBe(true);
    for (const t of launched!.group.tasks ?? []) {
      expect(t.executor).toEqual(launched!.executor);
      expect(t.resources!.every((r) => r.allocation_info?.role === '*')).toBe(true);
    }
    expect(h.master.task(fw.id, 'pod.c0')?.state).toBe('TASK_STAGING');
    expect(h.master.task(fw.id, 'pod.c1')?.state).toBe('TASK_STAGING');
  });

  it('lists the default executor and its tasks in /master/state', () => {
    const { h, fw } = setup();
    launchGroup(h, fw, defaultExecutor(fw, { name: 'pod executor' }), [groupTask('pod.c0'), groupTask('pod.c1')]);
    const state = h.master.stateJson() as Record<string, any>;
    const framework = state.frameworks[0];
    expect(framework.executors).toEqual([
      {
        executor_id: 'default',
        name: 'pod executor',
        framework_id: fw.id,
        command: { argv: [], uris: [] },
        resources: { cpus: 0.1, mem: 32, disk: 10, gpus: 0 },
        role: '*',
        type: 'DEFAULT',
        slave_id: 'agent-0',
      },
    ]);
    expect(framework.tasks.map((t: Record<string, unknown>) => [t.id, t.executor_id, t.state])).toEqual([
      ['pod.c0', 'default', 'TASK_STAGING'],
      ['pod.c1', 'default', 'TASK_STAGING'],
    ]);
  });

  it('frees the executor with the last terminal task of the group', () => {
    const { h, fw } = setup();
    launchGroup(h, fw, defaultExecutor(fw), [groupTask('pod.c0'), groupTask('pod.c1')]);
    const agent = h.agents[0]!;
    agent.report(fw.id, 'pod.c0', 'TASK_FINISHED');
    let state = h.master.stateJson() as Record<string, any>;
    expect(state.frameworks[0].executors).toHaveLength(1);
    // The other task (0.5 cpus, 64 MB) and the executor (0.1 cpus, 32 MB, 10 MB disk) stay allocated.
    expect(state.slaves[0].used_resources).toMatchObject({ cpus: 0.6, mem: 96, disk: 10 });
    agent.report(fw.id, 'pod.c1', 'TASK_KILLED');
    state = h.master.stateJson() as Record<string, any>;
    expect(state.frameworks[0].executors).toEqual([]);
    expect(state.slaves[0].used_resources).toMatchObject({ cpus: 0, mem: 0, disk: 0 });
  });

  const refusals: Array<{ name: string; executor?: (fw: Subscribed) => ExecutorInfo; tasks?: () => TaskInfo[]; message: string | RegExp }> = [
    {
      name: 'an executor without framework_id (the master does not fill it in for LAUNCH_GROUP)',
      executor: (fw) => {
        const { framework_id: _omitted, ...rest } = defaultExecutor(fw);
        return rest;
      },
      message: "'ExecutorInfo.framework_id' must be set",
    },
    {
      name: 'an executor of another framework',
      executor: (fw) => defaultExecutor(fw, { framework_id: { value: 'someone-else' } }),
      message: /^ExecutorInfo has an invalid FrameworkID \(Actual: someone-else vs Expected: .+\)$/,
    },
    { name: 'an executor without type', executor: (fw) => ({ ...defaultExecutor(fw), type: undefined }), message: "'ExecutorInfo.type' must be set" },
    {
      name: 'a DEFAULT executor with a command',
      executor: (fw) => defaultExecutor(fw, { command: { value: 'true' } }),
      message: "'ExecutorInfo.command' must not be set for 'DEFAULT' executor",
    },
    {
      name: 'a DEFAULT executor with an image',
      executor: (fw) => defaultExecutor(fw, { container: { type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name: 'busybox' } } } } }),
      message: "'ExecutorInfo.container.mesos.image' must not be set for 'DEFAULT' executor",
    },
    {
      name: 'an executor without disk',
      executor: (fw) => defaultExecutor(fw, { resources: [scalar('cpus', 0.1), scalar('mem', 32)] }),
      message: "Executor 'default' uses no disk",
    },
    {
      name: 'an executor with too little cpu',
      executor: (fw) => defaultExecutor(fw, { resources: [scalar('cpus', 0.001), scalar('mem', 32), scalar('disk', 10)] }),
      message: "Executor 'default' uses less CPUs (0.001) than the minimum required (0.01)",
    },
    {
      name: 'an executor without memory',
      executor: (fw) => defaultExecutor(fw, { resources: [scalar('cpus', 0.1), scalar('disk', 10)] }),
      message: "Executor 'default' uses less memory (None) than the minimum required (32MB)",
    },
    {
      name: 'a task with a Docker container',
      tasks: () => [groupTask('pod.c0'), groupTask('pod.c1', { container: { type: 'DOCKER', docker: { image: 'busybox' } } })],
      message: "Task 'pod.c1' is invalid: Docker ContainerInfo is not supported on the task",
    },
    {
      name: 'a task with resource limits but shared cgroups',
      tasks: () => [groupTask('pod.c0', { limits: { cpus: { value: 1 } } })],
      message: "Task 'pod.c0' is invalid: Resource limits may only be set for tasks within a task group when the 'share_cgroups' field is set to 'false'.",
    },
    {
      name: 'a task with its own network and an HTTP health check',
      tasks: () => [
        groupTask('pod.c0', {
          container: { type: 'MESOS', network_infos: [{ name: 'overlay' }] },
          health_check: { type: 'HTTP', http: { port: 8080 } },
        }),
      ],
      message: "Task 'pod.c0' is invalid: HTTP and TCP health checks are not supported for nested containers not joining parent's network",
    },
    {
      name: 'tasks that disagree on share_cgroups',
      tasks: () => [groupTask('pod.c0', { container: { type: 'MESOS', linux_info: { share_cgroups: false } } }), groupTask('pod.c1')],
      message: "If set, the value of 'share_cgroups' must be the same for all tasks in each task group and under a single executor",
    },
    {
      name: 'a task without resources',
      tasks: () => [groupTask('pod.c0', { resources: [] })],
      message: "Task 'pod.c0' is invalid: Task uses no resources",
    },
    {
      name: 'a group larger than the offer',
      tasks: () => [groupTask('pod.c0'), task('pod.c1', 'agent-0', 3.5, 64)],
      message:
        /^Total resources cpus\(allocated: \*\):4\.1; mem\(allocated: \*\):160; disk\(allocated: \*\):10 required by task group and its executor are more than available cpus\(allocated: \*\):4; /,
    },
  ];
  for (const c of refusals) {
    it(`refuses ${c.name}`, () => {
      const { h, fw } = setup();
      const tasks = c.tasks?.() ?? [groupTask('pod.c0'), groupTask('pod.c1')];
      launchGroup(h, fw, (c.executor ?? defaultExecutor)(fw), tasks);
      const message = refusal(
        fw,
        tasks.map((t) => t.task_id.value),
      );
      if (typeof c.message === 'string') expect(message).toBe(c.message);
      else expect(message).toMatch(c.message);
      expect(h.agents[0]!.groups).toEqual([]);
      expect(h.master.task(fw.id, tasks[0]!.task_id.value)).toBeUndefined();
    });
  }
});
