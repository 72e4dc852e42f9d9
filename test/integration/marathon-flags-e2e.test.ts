/**
 * Marathon flags that change what Pacer does, through a real `pacer --master local` process
 * (issue #14, item 4): what a task sees in its environment, which groups enforce their role, and
 * whether the Prometheus reporter answers.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, postJson, waitFor } from '../helpers/http.js';
import { startPacerProcess, type PacerProcess } from '../helpers/pacer-process.js';

const CONVERGE_MS = 60_000;
let pacer: PacerProcess;

beforeAll(async () => {
  pacer = await startPacerProcess({
    name: 'marathon-flags',
    agents: 1,
    extraArgs: ['--env_vars_prefix', 'MY_', '--new_group_enforce_role', 'top', '--disable_metrics_prometheus'],
  });
});
afterAll(async () => {
  await pacer?.stop();
});

/** Every file named `name` under `dir` (task sandboxes lie below the agents' work directory). */
async function findFiles(dir: string, name: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name === name) found.push(path.join(entry.parentPath, entry.name));
  }
  return found;
}

describe('Marathon flags with an effect, end to end', () => {
  it('--new_group_enforce_role top: a top-level group an app creates enforces its role, and the app gets that role', async () => {
    const created = await postJson<{ role?: string }>(`${pacer.url}/v2/apps`, { id: '/team/idle', cmd: 'sleep 100000', cpus: 0.01, mem: 8, instances: 0 });
    expect(created.status, created.text).toBe(201);
    expect(created.body.role).toBe('team');
    const group = await getJson<{ enforceRole?: boolean }>(`${pacer.url}/v2/groups/team`);
    expect(group.body.enforceRole).toBe(true);
  });

  it('--env_vars_prefix names the port variables and HOST of a task, not the MARATHON_ ones', { timeout: 90_000 }, async () => {
    const created = await postJson(`${pacer.url}/v2/apps`, {
      id: '/envdump',
      cmd: 'env > env-dump.txt && sleep 100000',
      cpus: 0.01,
      mem: 8,
      instances: 1,
      portDefinitions: [{ port: 0, name: 'web' }],
    });
    expect(created.status, created.text).toBe(201);

    const env = await waitFor(
      async () => {
        for (const file of await findFiles(pacer.workDir, 'env-dump.txt')) {
          const text = await readFile(file, 'utf8');
          if (text.includes('MARATHON_APP_ID=')) return text;
        }
        return undefined;
      },
      { timeoutMs: CONVERGE_MS, what: 'the task to write its environment' },
    );
    const names = env.split('\n').map((line) => line.split('=')[0]);
    expect(names).toEqual(expect.arrayContaining(['MY_PORT0', 'MY_PORT', 'MY_PORTS', 'MY_PORT_WEB', 'MY_HOST', 'MARATHON_APP_ID', 'MESOS_TASK_ID']));
    expect(names).not.toContain('PORT0');
    expect(env).toContain('MARATHON_APP_ID=/envdump');
  });

  it('--disable_metrics_prometheus turns /metrics/prometheus off as Marathon does', async () => {
    const res = await getJson<{ message?: string }>(`${pacer.url}/metrics/prometheus`);
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('Prometheus reporter is disabled');
  });
});
