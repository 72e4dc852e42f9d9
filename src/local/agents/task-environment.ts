import type { CommandInfo, Resource } from '../../mesos/types.js';

/** Variables a local task inherits from Pacer's own environment when none are configured. */
const INHERITED_BY_DEFAULT = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'TMPDIR', 'TZ'] as const;

/**
 * The part of Pacer's environment that tasks see. Upstream hands executors the agent's whole
 * environment; Pacer passes only the basics so that its own secrets (PACER_* flags) stay private.
 */
export function inheritedEnvironment(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_BY_DEFAULT) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  if (env.PATH === undefined) env.PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  return env;
}

export interface TaskEnvironmentInput {
  readonly base: Readonly<Record<string, string>>;
  readonly frameworkId: string;
  readonly executorId: string;
  readonly agentId: string;
  readonly taskId: string;
  readonly executorSandbox: string;
  readonly taskSandbox: string;
  readonly agentEndpoint?: string;
  readonly resources?: readonly Resource[];
  readonly command: CommandInfo;
}

/**
 * Same precedence as upstream's command executor: inherited variables, then what the agent sets
 * for executors (MESOS_FRAMEWORK_ID, MESOS_EXECUTOR_ID, MESOS_DIRECTORY, MESOS_SANDBOX,
 * MESOS_SLAVE_ID, ...), then the task's CommandInfo.environment, which wins. MESOS_TASK_ID and
 * MESOS_AGENT_ID are Pacer additions (Marathon sets MESOS_TASK_ID itself, so they agree).
 * SECRET variables cannot be resolved locally and are left out.
 */
export function taskEnvironment(input: TaskEnvironmentInput): Record<string, string> {
  const env: Record<string, string> = {
    ...input.base,
    MESOS_FRAMEWORK_ID: input.frameworkId,
    MESOS_EXECUTOR_ID: input.executorId,
    MESOS_DIRECTORY: input.executorSandbox,
    MESOS_SANDBOX: input.taskSandbox,
    MESOS_SLAVE_ID: input.agentId,
    MESOS_AGENT_ID: input.agentId,
    MESOS_TASK_ID: input.taskId,
    MESOS_CHECKPOINT: '0',
  };
  if (input.agentEndpoint !== undefined) env.MESOS_AGENT_ENDPOINT = input.agentEndpoint;
  const role = allocationRoleOf(input.resources ?? []);
  if (role !== undefined) env.MESOS_ALLOCATION_ROLE = role;
  for (const variable of input.command.environment?.variables ?? []) {
    if (variable.type === 'SECRET') continue;
    env[variable.name] = variable.value ?? '';
  }
  return env;
}

function allocationRoleOf(resources: readonly Resource[]): string | undefined {
  for (const resource of resources) {
    if (resource.allocation_info?.role !== undefined) return resource.allocation_info.role;
  }
  return undefined;
}
