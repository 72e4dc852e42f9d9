import { mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Sandbox directories in upstream's layout (docs/sandbox.md):
 * `<work_dir>/slaves/<agentId>/frameworks/<frameworkId>/executors/<executorId>/runs/<containerId>`,
 * with a `runs/latest` symlink. Tasks of a task group get `<executor sandbox>/tasks/<taskId>`, as
 * the default executor lays them out.
 */

export class SandboxError extends Error {
  readonly code = 'PACER_INVALID_SANDBOX_ID';
}

/** Ids become path components: refuse the ones that would escape the directory tree. */
export function assertPathSafeId(kind: string, id: string): void {
  if (id.length === 0 || id === '.' || id === '..' || id.includes('/') || id.includes('\0')) {
    throw new SandboxError(`${kind} id '${id}' cannot be used as a directory name`);
  }
}

export interface ExecutorSandboxRef {
  readonly workDir: string;
  readonly agentId: string;
  readonly frameworkId: string;
  readonly executorId: string;
  readonly containerId: string;
}

export function executorSandboxPath(ref: ExecutorSandboxRef): string {
  assertPathSafeId('agent', ref.agentId);
  assertPathSafeId('framework', ref.frameworkId);
  assertPathSafeId('executor', ref.executorId);
  assertPathSafeId('container', ref.containerId);
  return path.join(path.resolve(ref.workDir), 'slaves', ref.agentId, 'frameworks', ref.frameworkId, 'executors', ref.executorId, 'runs', ref.containerId);
}

export function groupTaskSandboxPath(executorSandbox: string, taskId: string): string {
  assertPathSafeId('task', taskId);
  return path.join(executorSandbox, 'tasks', taskId);
}

/** Creates the executor sandbox and points `runs/latest` at it. */
export async function createExecutorSandbox(ref: ExecutorSandboxRef): Promise<string> {
  const sandbox = executorSandboxPath(ref);
  await mkdir(sandbox, { recursive: true });
  const latest = path.join(path.dirname(sandbox), 'latest');
  await rm(latest, { force: true });
  await symlink(ref.containerId, latest).catch(() => undefined);
  return sandbox;
}
