/**
 * Issue #14, item 2, black box: a real `pacer --master local` runs an app, dies with SIGKILL (its
 * task processes with it) and starts again on the same data directory. The new embedded master
 * never saw the tasks of the first run, so reconciliation answers TASK_UNKNOWN for them. As in
 * Marathon's Condition model (Unknown is terminal), those instances are expunged and replaced;
 * nothing tries to KILL them again and again.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getJson, postJson, waitFor } from '../helpers/http.js';
import { signalGroup, startPacerProcess, type PacerProcess } from '../helpers/pacer-process.js';

const APP_ID = '/restart-unknown';
const INSTANCES = 2;
const CONVERGE_MS = 60_000;
/** Retries of a KILL come this often, so a loop would show within a few reconciliation runs. */
const KILL_RETRY_MS = 200;
const RECONCILIATION_MS = 1_000;

interface LogLine {
  level?: number;
  msg?: string;
  taskId?: string;
  [field: string]: unknown;
}

interface TaskView {
  id: string;
  state?: string;
}

const pacers: PacerProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const p of pacers.splice(0)) await p.stop();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function logLines(pacer: PacerProcess): Promise<LogLine[]> {
  const text = await readFile(pacer.logPath, 'utf8');
  const lines: LogLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      // A line cut by a write in progress.
    }
  }
  return lines;
}

async function runningTasks(pacer: PacerProcess): Promise<TaskView[] | undefined> {
  const res = await getJson<{ tasks: TaskView[] }>(`${pacer.url}/v2/apps${APP_ID}/tasks`);
  if (res.status !== 200) return undefined;
  const running = res.body.tasks.filter((t) => t.state === 'TASK_RUNNING');
  return running.length === INSTANCES && res.body.tasks.length === INSTANCES ? running : undefined;
}

function start(name: string, dataDir: string): Promise<PacerProcess> {
  return startPacerProcess({
    name,
    dataDir,
    agents: 1,
    agentResources: 'cpus:4;mem:1024;ports:[31000-32000]',
    extraArgs: ['--kill_retry_timeout', String(KILL_RETRY_MS), '--reconciliation_interval', String(RECONCILIATION_MS)],
  });
}

describe('restart with the embedded master: tasks of the previous run answer TASK_UNKNOWN', () => {
  it('expunges and replaces them once, with no KILL loop', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pacer-restart-unknown-'));
    dirs.push(dataDir);

    const first = await start('restart-unknown-1', dataDir);
    pacers.push(first);
    const created = await postJson(`${first.url}/v2/apps`, { id: APP_ID, cmd: 'sleep 100000', cpus: 0.01, mem: 8, instances: INSTANCES });
    expect(created.status, created.text).toBe(201);
    const before = await waitFor(() => runningTasks(first), { timeoutMs: CONVERGE_MS, what: `${INSTANCES} running tasks before the restart` });
    const oldIds = new Set(before.map((t) => t.id));

    // A crash: the whole process group at once, then stop() reaps the task processes.
    signalGroup(first.pid, 'SIGKILL');
    await first.stop();

    const second = await start('restart-unknown-2', dataDir);
    pacers.push(second);
    const after = await waitFor(
      async () => {
        const tasks = await runningTasks(second);
        return tasks !== undefined && tasks.every((t) => !oldIds.has(t.id)) ? tasks : undefined;
      },
      { timeoutMs: CONVERGE_MS, what: 'the old tasks replaced by new running ones' },
    );
    expect(after).toHaveLength(INSTANCES);

    // The old tasks went through TASK_UNKNOWN and left the state.
    const unknownSeen = await waitFor(
      async () => {
        const lines = await logLines(second);
        const seen = lines.filter((l) => typeof l.taskId === 'string' && oldIds.has(l.taskId) && JSON.stringify(l).includes('TASK_UNKNOWN'));
        return seen.length > 0 ? seen : undefined;
      },
      { timeoutMs: CONVERGE_MS, what: 'a log line of a TASK_UNKNOWN update for an old task' },
    );
    expect(unknownSeen.length).toBeGreaterThan(0);

    // Give a KILL loop room to show: many KILL retry intervals and several reconciliation runs.
    // The wait ends early once the log has grown (a loop logs every retry); either way nothing
    // is asserted about time, only about what the log holds.
    const mark = (await logLines(second)).length;
    await waitFor(async () => (await logLines(second)).length > mark + 10 || undefined, { timeoutMs: 5 * RECONCILIATION_MS, what: 'more log lines' }).catch(
      () => undefined,
    );

    const lines = await logLines(second);
    const aboutOld = lines.filter((l) => typeof l.taskId === 'string' && oldIds.has(l.taskId));
    const kills = aboutOld.filter((l) => /kill/i.test(l.msg ?? ''));
    const warnings = aboutOld.filter((l) => (l.level ?? 0) >= 40);
    expect(
      kills.map((l) => l.msg),
      JSON.stringify(kills.slice(0, 5)),
    ).toEqual([]);
    expect(
      warnings.map((l) => l.msg),
      JSON.stringify(warnings.slice(0, 5)),
    ).toEqual([]);
  });
});
