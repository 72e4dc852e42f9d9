/**
 * Marathon's Python client, as Debian packages it (python3-marathon 0.13, thefactory's
 * marathon-python), driving a real `pacer --master local` child: test/integration/python/
 * marathon_session.py calls the client's own methods in one session and prints each call's
 * outcome as JSON; this test checks every outcome. The two calls that cannot work against
 * Marathon 1.11 either fail here with the same known error (docs/compatibility.md, "Marathon
 * Python client").
 *
 * The package installs into Debian's interpreter (/usr/bin/python3), not whichever python3 is
 * first on PATH. Install it with `bash .ci/install-python-marathon.sh`. Under CI=true a
 * missing client fails the run; elsewhere the suite is skipped with that hint.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson } from '../helpers/http.js';
import { startPacerProcess, type PacerProcess } from '../helpers/pacer-process.js';

const DEBIAN_PYTHON = '/usr/bin/python3';
const SESSION_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'python', 'marathon_session.py');
const SESSION_TIMEOUT_MS = 60_000;
const PREFIX = '/pyclient';

const probe = spawnSync(DEBIAN_PYTHON, ['-c', 'import marathon'], { encoding: 'utf8', timeout: 10_000 });
const clientInstalled = probe.status === 0;
const inCi = process.env.CI === 'true';

interface Step {
  step: string;
  ok: boolean;
  result?: unknown;
  error?: { type: string; message: string; status?: number };
}
interface Session {
  client: string;
  steps: Step[];
}

function runSession(baseUrl: string): Promise<{ session: Session; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(DEBIAN_PYTHON, [SESSION_SCRIPT, baseUrl, PREFIX], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), SESSION_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve({ session: JSON.parse(last) as Session, stderr });
      } catch {
        reject(new Error(`session ended (code ${code}, signal ${signal}) without a JSON summary\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      }
    });
  });
}

describe.skipIf(!clientInstalled && !inCi)('python3-marathon (Debian) against Pacer', () => {
  let pacer: PacerProcess | undefined;
  let session: Session;
  let stderr = '';

  beforeAll(async () => {
    if (!clientInstalled) {
      throw new Error(`${DEBIAN_PYTHON} cannot import marathon (${probe.stderr.trim()}): run 'bash .ci/install-python-marathon.sh'`);
    }
    pacer = await startPacerProcess({ name: 'python-marathon', agents: 3 });
    ({ session, stderr } = await runSession(pacer.url));
  }, 90_000);

  afterAll(async () => {
    await pacer?.stop();
  });

  const step = (name: string): Step => {
    const found = session.steps.find((s) => s.step === name);
    expect(found, `step ${name} missing; stderr:\n${stderr}`).toBeDefined();
    return found!;
  };
  const ok = <T>(name: string): T => {
    const s = step(name);
    expect(s.ok, `${name}: ${JSON.stringify(s.error)}`).toBe(true);
    return s.result as T;
  };
  const failed = (name: string): NonNullable<Step['error']> => {
    const s = step(name);
    expect(s.ok, `${name} unexpectedly worked: ${JSON.stringify(s.result)}`).toBe(false);
    return s.error!;
  };

  it('is the Debian package, version 0.13', () => {
    expect(session.client).toMatch(/^0\.13\./);
  });

  it('ping, get_info and get_leader work', () => {
    // The client asks for JSON only, so Marathon (and Pacer) answer the JSON string "pong".
    expect(ok<string>('ping')).toBe('"pong"');
    const info = ok<{ name: string; elected: boolean; framework_id: string; leader: string }>('get_info');
    expect(info.name).toBe('marathon');
    expect(info.elected).toBe(true);
    expect(info.framework_id).toMatch(/-0000$/);
    const host = new URL(pacer!.url).host;
    expect(info.leader).toBe(host);
    expect(ok('get_leader')).toEqual({ leader: host });
  });

  it('create_app, list_apps, get_app and scale_app work, and the app runs its tasks', () => {
    expect(ok('create_app')).toEqual({ id: `${PREFIX}/sleeper`, instances: 1, deployments: 1 });
    expect(ok<string[]>('wait_one_task')).toHaveLength(1);
    const apps = ok<Array<{ id: string; instances: number; tasks_running: number }>>('list_apps');
    expect(apps).toContainEqual({ id: `${PREFIX}/sleeper`, instances: 1, tasks_running: 1 });
    expect(ok('get_app')).toEqual({ id: `${PREFIX}/sleeper`, instances: 1, tasks_running: 1, tasks: 1 });
    const scaled = ok<{ deploymentId: string; version: string }>('scale_app');
    expect(typeof scaled.deploymentId).toBe('string');
    const listed = ok<Array<{ id: string; affected_apps: string[]; total_steps: number }>>('list_deployments');
    // The scale deployment may already be over when the client lists; if listed, it is whole.
    for (const d of listed.filter((x) => x.id === scaled.deploymentId))
      expect(d).toEqual({ id: scaled.deploymentId, affected_apps: [`${PREFIX}/sleeper`], total_steps: 1 });
    expect(ok<string[]>('wait_two_tasks')).toHaveLength(2);
  });

  it('list_tasks, list_endpoints and kill_task work; the killed task is replaced', () => {
    const two = ok<string[]>('wait_two_tasks');
    const tasks = ok<Array<{ id: string; app_id: string; state: string; host: string; ports: number[] }>>('list_tasks');
    expect(tasks.map((t) => t.id).sort()).toEqual(two);
    for (const t of tasks) expect(t).toMatchObject({ app_id: `${PREFIX}/sleeper`, state: 'TASK_RUNNING', host: '127.0.0.1', ports: [expect.any(Number)] });
    expect(ok<string[]>('list_all_tasks')).toEqual(expect.arrayContaining(two));
    const endpoints = ok<Array<{ app_id: string; task_id: string; service_port: number; task_port: number }>>('list_endpoints');
    expect(endpoints.map((e) => e.task_id).sort()).toEqual(two);
    for (const e of endpoints) expect(e.service_port).toBeGreaterThanOrEqual(10_000);
    expect(ok('kill_task')).toEqual({ id: two[0] });
    const after = ok<string[]>('wait_replacement');
    expect(after).toHaveLength(2);
    expect(after).not.toContain(two[0]);
  });

  it('restart_app replaces every task through a deployment that list_deployments shows', () => {
    const restarted = ok<{ deploymentId: string; version: string }>('restart_app');
    expect(ok<boolean>('wait_restart_done')).toBe(true);
    const before = ok<string[]>('wait_replacement');
    const after = ok<string[]>('wait_restarted_tasks');
    expect(after.filter((id) => before.includes(id))).toEqual([]);
    expect(ok<string[]>('list_versions')[0]).toBe(restarted.version);
    expect(Array.isArray(ok('list_deployments_after_restart'))).toBe(true);
  });

  it('list_queue fails in the client on the `role` field Marathon 1.11 (and Pacer) put in queue items; reset_delay works', () => {
    expect(ok<string[]>('wait_queued')).toEqual([`${PREFIX}/too-big`]);
    const error = failed('list_queue');
    expect(error.type).toBe('TypeError');
    expect(error.message).toContain("unexpected keyword argument 'role'");
    expect(ok('reset_delay')).toBeNull();
    expect(ok<{ deploymentId: string }>('delete_queued_app').deploymentId).toEqual(expect.any(String));
  });

  it('list_groups, get_group, get_metrics and event_stream work', () => {
    expect(ok<string[]>('list_groups')).toContain(PREFIX);
    expect(ok('get_group')).toEqual({ id: PREFIX, apps: [`${PREFIX}/sleeper`] });
    expect(ok<string[]>('get_metrics')).toEqual(expect.arrayContaining(['counters', 'gauges', 'histograms', 'meters', 'timers', 'version']));
    expect(ok('event_stream')).toEqual({ event_type: 'event_stream_attached', remote_address: '127.0.0.1' });
  });

  it('event subscriptions fail as on Marathon >= 1.5, where /v2/eventSubscriptions was removed', () => {
    for (const name of ['list_event_subscriptions', 'create_event_subscription']) {
      expect(failed(name)).toEqual({ type: 'InternalServerError', status: 500, message: 'URI not found' });
    }
  });

  it('delete_app removes the app; get_app then raises NotFoundError', async () => {
    expect(ok<{ deploymentId: string }>('delete_app').deploymentId).toEqual(expect.any(String));
    expect(ok<boolean>('wait_delete_done')).toBe(true);
    expect(failed('get_deleted_app')).toEqual({ type: 'NotFoundError', status: 404, message: `App '${PREFIX}/sleeper' does not exist` });
    expect((await getJson(`${pacer!.url}/v2/apps${PREFIX}/sleeper`)).status).toBe(404);
    // Every step of the session was checked above.
    expect(
      session.steps.every((s) => s.ok || ['list_queue', 'list_event_subscriptions', 'create_event_subscription', 'get_deleted_app'].includes(s.step)),
    ).toBe(true);
  });
});
