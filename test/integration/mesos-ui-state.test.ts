/**
 * What an operator sees of Pacer in the Mesos web UI, over real HTTP: a real `pacer --master local`
 * runs an app with labels, named ports and a MESOS_HTTP health check, and the embedded master's
 * `/master/state` (the document the Mesos UI polls) shows the task as Marathon's TaskInfo fills it
 * (name, labels, discovery with named ports and their labels, `healthy` in the latest status) and
 * the framework with its name and a `webui_url` that opens Pacer's UI. `/master/tasks` and
 * `/master/frameworks` answer the same, and the Mesos UI's own way of reading (JSONP, then the
 * agent's state and its files API for the sandbox link) works as it does against upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPacerProcess, type PacerProcess } from '../helpers/pacer-process.js';
import { http, pacerFrameworkId, waitFor } from '../helpers/processes.js';

const FRAMEWORK_NAME = 'marathon';
const APP_ID = '/shop/web';

const APP = {
  id: APP_ID,
  cmd: 'exec python3 -m http.server $PORT0 --bind 127.0.0.1',
  cpus: 0.05,
  mem: 32,
  instances: 1,
  labels: { team: 'shop', tier: 'frontend' },
  portDefinitions: [
    { port: 0, name: 'http', protocol: 'tcp', labels: { VIP_0: '/shop/web:80' } },
    { port: 0, name: 'stats', protocol: 'udp,tcp' },
  ],
  healthChecks: [{ protocol: 'MESOS_HTTP', path: '/', portIndex: 0, intervalSeconds: 1, timeoutSeconds: 2, gracePeriodSeconds: 30, maxConsecutiveFailures: 3 }],
};

interface MasterStatus {
  state: string;
  timestamp: number;
  healthy?: boolean;
}

interface MasterTask {
  id: string;
  name: string;
  state: string;
  slave_id: string;
  labels?: Array<{ key: string; value?: string }>;
  discovery?: unknown;
  statuses: MasterStatus[];
}

interface MasterFramework {
  id: string;
  name: string;
  webui_url: string;
  hostname: string;
  tasks: MasterTask[];
}

interface MasterState {
  frameworks: MasterFramework[];
  slaves: Array<{ id: string; pid: string; hostname: string }>;
}

interface AgentState {
  frameworks: Array<{ id: string; executors: Array<{ id: string; directory: string; tasks: Array<{ id: string }> }> }>;
}

/** A JSONP answer as the Mesos UI's `$http.jsonp` takes it: the callback's one argument. */
async function jsonp<T>(url: string): Promise<T> {
  const res = await fetch(`${url}${url.includes('?') ? '&' : '?'}jsonp=angular.callbacks._0`, { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/javascript');
  const body = await res.text();
  expect(body.startsWith('angular.callbacks._0(') && body.endsWith(')')).toBe(true);
  return JSON.parse(body.slice('angular.callbacks._0('.length, -1)) as T;
}

interface PacerTask {
  id: string;
  ports: number[];
  healthCheckResults?: Array<{ alive: boolean }>;
}

let pacer: PacerProcess;
let frameworkId: string;
let taskId: string;

beforeAll(async () => {
  pacer = await startPacerProcess({ name: 'mesos-ui-state', agents: 1, extraArgs: ['--framework_name', FRAMEWORK_NAME, '--hostname', '127.0.0.1'] });
});

afterAll(async () => {
  await pacer?.stop();
});

async function masterState(): Promise<MasterState> {
  const answer = await http<MasterState>('GET', `${pacer.masterUrl}/master/state`);
  expect(answer.status).toBe(200);
  return answer.body;
}

describe('Pacer in the master state the Mesos UI renders', () => {
  it('shows the framework by its name with a webui_url that opens Pacer’s UI', async () => {
    frameworkId = await waitFor('Pacer subscribed', () => pacerFrameworkId(pacer.url), { timeoutMs: 30_000, intervalMs: 200 });
    const framework = (await masterState()).frameworks.find((f) => f.id === frameworkId);
    expect(framework).toBeDefined();
    expect(framework!.name).toBe(FRAMEWORK_NAME);
    expect(framework!.hostname).toBe('127.0.0.1');
    expect(framework!.webui_url).toBe(`${pacer.url}/ui/`);
    // The link the Mesos UI puts on the framework row opens Pacer's own UI.
    const ui = await fetch(framework!.webui_url, { signal: AbortSignal.timeout(10_000) });
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await ui.text()).toMatch(/<title>[^<]*Pacer/);
  });

  it('shows the task with its name, labels, named ports and health, as Marathon’s TaskInfo carries them', async () => {
    expect((await http('POST', `${pacer.url}/v2/apps`, APP)).status).toBe(201);
    const pacerTask = await waitFor(
      'the task healthy in Pacer',
      async () => {
        const answer = await http<{ tasks: PacerTask[] }>('GET', `${pacer.url}/v2/apps${APP_ID}/tasks`);
        const task = answer.body.tasks?.[0];
        return task && (task.healthCheckResults ?? []).some((r) => r.alive) ? task : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const [httpPort, statsPort] = pacerTask.ports;
    expect(httpPort).toBeGreaterThan(0);
    expect(statsPort).toBeGreaterThan(0);

    // The executor's check reaches the master as a status update with `healthy` set.
    const task = await waitFor(
      'a healthy status in /master/state',
      async () => {
        const frameworks = (await masterState()).frameworks;
        const found = frameworks.flatMap((f) => f.tasks).find((t) => t.id === pacerTask.id);
        return found?.statuses.at(-1)?.healthy === true ? found : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(task.state).toBe('TASK_RUNNING');
    expect(task.statuses.map((s) => s.state)).toContain('TASK_RUNNING');
    // Marathon's name: the app id's segments reversed, joined with dots.
    expect(task.name).toBe('web.shop');
    expect(task.labels).toEqual([
      { key: 'team', value: 'shop' },
      { key: 'tier', value: 'frontend' },
    ]);
    expect(task.discovery).toEqual({
      visibility: 'FRAMEWORK',
      name: 'web.shop',
      ports: {
        ports: [
          { number: httpPort, name: 'http', protocol: 'tcp', labels: { labels: [{ key: 'VIP_0', value: '/shop/web:80' }] } },
          // One discovery port per protocol of a declaration.
          { number: statsPort, name: 'stats', protocol: 'udp' },
          { number: statsPort, name: 'stats', protocol: 'tcp' },
        ],
      },
    });
    // The advertised port really serves: discovery names the port the task listens on.
    expect((await fetch(`http://127.0.0.1:${httpPort}/`, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
    taskId = task.id;
  });

  it('answers /master/tasks and /master/frameworks with the same task and framework', async () => {
    const inState = (await masterState()).frameworks.find((f) => f.id === frameworkId)!;
    const stateTask = inState.tasks.find((t) => t.id === taskId)!;
    const tasks = await http<{ tasks: MasterTask[] }>(
      'GET',
      `${pacer.masterUrl}/master/tasks?framework_id=${frameworkId}&task_id=${encodeURIComponent(taskId)}`,
    );
    expect(tasks.status).toBe(200);
    expect(tasks.body.tasks).toHaveLength(1);
    // The same object as in /master/state, statuses and all (the task is settled and healthy).
    expect(tasks.body.tasks[0]).toEqual(stateTask);
    const none = await http<{ tasks: MasterTask[] }>('GET', `${pacer.masterUrl}/master/tasks?task_id=no-such-task`);
    expect(none.body).toEqual({ tasks: [] });

    const frameworks = await http<{ frameworks: MasterFramework[]; completed_frameworks: unknown[]; unregistered_frameworks: unknown[] }>(
      'GET',
      `${pacer.masterUrl}/master/frameworks?framework_id=${frameworkId}`,
    );
    expect(frameworks.status).toBe(200);
    expect(frameworks.body.frameworks.map((f) => [f.id, f.name, f.webui_url])).toEqual([[frameworkId, FRAMEWORK_NAME, `${pacer.url}/ui/`]]);
    expect(frameworks.body.frameworks[0]!.tasks.map((t) => t.id)).toEqual([taskId]);
    expect(frameworks.body.completed_frameworks).toEqual([]);
    expect(frameworks.body.unregistered_frameworks).toEqual([]);
  });

  it('serves the Mesos UI’s JSONP reads: the state, then the agent’s state and the sandbox behind the task’s link', async () => {
    const state = await jsonp<MasterState>(`${pacer.masterUrl}/master/state`);
    const task = state.frameworks.find((f) => f.id === frameworkId)!.tasks.find((t) => t.id === taskId)!;
    expect(task.name).toBe('web.shop');
    // The UI builds an agent's address from its hostname and the port and process id in its pid.
    const agent = state.slaves.find((a) => a.id === task.slave_id)!;
    const agentBase = `http://${agent.hostname}:${agent.pid.slice(agent.pid.lastIndexOf(':') + 1)}`;
    const agentState = await jsonp<AgentState>(`${agentBase}/${agent.pid.slice(0, agent.pid.indexOf('@'))}/state`);
    const executor = agentState.frameworks.find((f) => f.id === frameworkId)!.executors.find((e) => e.tasks.some((t) => t.id === taskId))!;
    expect(executor.directory).not.toBe('');
    const listing = await jsonp<Array<{ path: string }>>(`${agentBase}/files/browse?path=${encodeURIComponent(executor.directory)}`);
    expect(listing.map((f) => f.path)).toEqual(expect.arrayContaining([`${executor.directory}/stdout`, `${executor.directory}/stderr`]));
    // The pailer reads the size first (offset=-1), then pages through the file.
    const size = await jsonp<{ data: string; offset: number }>(`${agentBase}/files/read?path=${encodeURIComponent(`${executor.directory}/stderr`)}&offset=-1`);
    expect(size.data).toBe('');
    expect(size.offset).toBeGreaterThan(0);
    const page = await jsonp<{ data: string; offset: number }>(
      `${agentBase}/files/read?path=${encodeURIComponent(`${executor.directory}/stderr`)}&offset=0&length=-1`,
    );
    // python's http.server logs each request (the health checks') to stderr.
    expect(page.data).toContain('GET / HTTP/1.1');
  });
});
