/**
 * Task users on a process agent (upstream's --switch_user): an agent running as root runs a task
 * as CommandInfo.user, else as FrameworkInfo.user, in a sandbox handed to that user; an unknown
 * user fails the task before anything runs. The tests run as root here; elsewhere they say so.
 */
import { readFileSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessAgent } from '../../src/local/agents/process-agent.js';
import type { CommandInfo, TaskInfo } from '../../src/mesos/types.js';
import { CollectingSink } from '../local/agents/collecting-sink.js';

const IS_ROOT = process.getuid?.() === 0;
const NOBODY_UID = 65534;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function startAgent(
  opts: { switchUser?: boolean; frameworkUser?: string } = {},
): Promise<{ agent: ProcessAgent; sink: CollectingSink; workDir: string }> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'pacer-task-user-'));
  await chmod(workDir, 0o755);
  const sink = new CollectingSink();
  const agent = new ProcessAgent({
    id: 'master-S0',
    hostname: 'localhost',
    resources: [],
    workDir,
    sink,
    logger: pino({ level: 'silent' }),
    closeGracePeriodMs: 200,
    ...(opts.switchUser !== undefined ? { switchUser: opts.switchUser } : {}),
    ...(opts.frameworkUser !== undefined ? { frameworkUser: () => opts.frameworkUser } : {}),
  });
  cleanups.push(async () => {
    await agent.close();
    await rm(workDir, { recursive: true, force: true });
  });
  return { agent, sink, workDir };
}

const task = (id: string, command: CommandInfo): TaskInfo => ({ name: id, task_id: { value: id }, agent_id: { value: 'master-S0' }, command });

function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Uid:'))!;
  return Number(line.split(/\s+/)[1]);
}

async function runningUid(agent: ProcessAgent, sink: CollectingSink, taskId: string): Promise<{ uid: number; pid: number }> {
  await sink.waitForState(taskId, 'TASK_RUNNING');
  const pid = agent.pidOf(taskId);
  expect(pid).toBeGreaterThan(0);
  return { uid: uidOf(pid!), pid: pid! };
}

describe.runIf(IS_ROOT || process.env.CI === 'true')('tasks under a root agent', () => {
  it('runs a task as CommandInfo.user nobody, in a sandbox nobody owns', async () => {
    expect(IS_ROOT, 'this test needs root').toBe(true);
    const { agent, sink } = await startAgent({ frameworkUser: 'root' });
    agent.launchTask('fw-1', task('as-nobody', { value: 'touch mine && sleep 30', user: 'nobody' }));
    const { uid } = await runningUid(agent, sink, 'as-nobody');
    expect(uid).toBe(NOBODY_UID);
    const sandbox = agent.sandboxOf('as-nobody')!;
    expect(statSync(sandbox).uid).toBe(NOBODY_UID);
    await sink.waitFor(
      () => {
        try {
          return statSync(path.join(sandbox, 'mine')).uid === NOBODY_UID;
        } catch {
          return false;
        }
      },
      10_000,
      'the task to write in its sandbox',
    );
  });

  it('falls back to FrameworkInfo.user', async () => {
    const { agent, sink } = await startAgent({ frameworkUser: 'nobody' });
    agent.launchTask('fw-1', task('framework-user', { value: 'sleep 30' }));
    expect((await runningUid(agent, sink, 'framework-user')).uid).toBe(NOBODY_UID);
  });

  it('fails a task whose user does not exist, and runs nothing', async () => {
    const { agent, sink } = await startAgent();
    agent.launchTask('fw-1', task('ghost', { value: 'sleep 30', user: 'no-such-user-pacer' }));
    const failed = await sink.waitForState('ghost', 'TASK_FAILED');
    expect(failed.message).toBe("Failed to launch container: Failed to chown sandbox to user no-such-user-pacer: No such user 'no-such-user-pacer'");
    expect(failed.reason).toBe('REASON_CONTAINER_LAUNCH_FAILED');
    expect(sink.states('ghost')).toEqual(['TASK_FAILED']);
  });

  it('--switch_user=false runs every task as the agent’s user', async () => {
    const { agent, sink } = await startAgent({ switchUser: false });
    agent.launchTask('fw-1', task('no-switch', { value: 'sleep 30', user: 'nobody' }));
    expect((await runningUid(agent, sink, 'no-switch')).uid).toBe(0);
  });
});
