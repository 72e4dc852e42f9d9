/**
 * The agents' `/slave(1)/state` (upstream's slave/http.cpp `state`), where upstream puts each
 * executor's sandbox: `frameworks[].executors[].directory` (and `completed_executors`), with the
 * executor's tasks. The in-process agents all answer at the master's address under the pid
 * `slave(1)@<ip>:<port>` (that is what /master/state says of every one of them), so this one
 * endpoint describes them together: `id`, `hostname` and `resources` are the first agent's, and the
 * executors of every agent are listed, each with its `slave_id`.
 */
import path from 'node:path';
import type { LocalAgent } from './agents/agent.js';

type Json = Record<string, unknown>;

interface StateTask extends Json {
  id: string;
  framework_id: string;
  executor_id?: string;
  slave_id: string;
}

interface StateFramework extends Json {
  id: string;
  tasks?: StateTask[];
  completed_tasks?: StateTask[];
}

export interface AgentStateSources {
  /** The master's `/master/state` document. */
  masterState: Json;
  agents: readonly LocalAgent[];
  flags: { work_dir: string; gc_delay: string };
}

export function buildAgentStateJson({ masterState, agents, flags }: AgentStateSources): Json {
  const byId = new Map(agents.map((a) => [a.id, a]));
  const slaves = (masterState.slaves as Json[] | undefined) ?? [];
  const first = slaves[0] ?? {};
  const frameworkOf = (fw: StateFramework): Json => {
    const executors = new Map<string, { agentId: string; tasks: StateTask[]; completed: StateTask[] }>();
    const add = (task: StateTask, completed: boolean): void => {
      if (!byId.has(task.slave_id)) return;
      const executorId = task.executor_id === undefined || task.executor_id === '' ? task.id : task.executor_id;
      const key = `${task.slave_id}\u0000${executorId}`;
      const entry = executors.get(key) ?? { agentId: task.slave_id, tasks: [], completed: [] };
      (completed ? entry.completed : entry.tasks).push(task);
      executors.set(key, entry);
    };
    for (const task of fw.tasks ?? []) add(task, false);
    for (const task of fw.completed_tasks ?? []) add(task, true);
    const live: Json[] = [];
    const ended: Json[] = [];
    for (const [key, entry] of executors) {
      const executorId = key.split('\u0000')[1]!;
      const anyTask = entry.tasks[0] ?? entry.completed[0]!;
      const sandbox = byId.get(entry.agentId)?.sandboxOf(anyTask.id);
      // A task of a group runs in tasks/<taskId> of its executor's sandbox.
      const directory = sandbox === undefined ? '' : executorId === anyTask.id ? sandbox : path.dirname(path.dirname(sandbox));
      const model: Json = {
        id: executorId,
        name: executorId === anyTask.id ? `Command Executor (Task: ${anyTask.id})` : executorId,
        source: executorId === anyTask.id ? anyTask.id : '',
        framework_id: fw.id,
        slave_id: entry.agentId,
        directory,
        tasks: entry.tasks,
        queued_tasks: [],
        completed_tasks: entry.completed,
      };
      (entry.tasks.length > 0 ? live : ended).push(model);
    }
    return {
      id: fw.id,
      name: fw.name,
      user: fw.user,
      hostname: fw.hostname,
      checkpoint: fw.checkpoint,
      role: fw.role ?? (fw.roles as string[] | undefined)?.[0] ?? '*',
      executors: live,
      completed_executors: ended,
    };
  };
  const masterInfo = (masterState.pid as string | undefined) ?? '';
  return {
    version: masterState.version,
    start_time: masterState.start_time,
    id: first.id ?? '',
    pid: first.pid ?? '',
    hostname: first.hostname ?? '',
    resources: first.resources ?? {},
    attributes: first.attributes ?? {},
    master_hostname: masterInfo.split('@')[1]?.split(':')[0] ?? '',
    flags,
    frameworks: ((masterState.frameworks as StateFramework[] | undefined) ?? []).map(frameworkOf),
    completed_frameworks: ((masterState.completed_frameworks as StateFramework[] | undefined) ?? []).map(frameworkOf),
  };
}
