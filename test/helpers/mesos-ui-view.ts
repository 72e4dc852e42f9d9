/**
 * What the Mesos web UI shows of Pacer, read the way the UI reads it, for the embedded master
 * (test/integration/mesos-ui-state.test.ts) and a real Mesos master (test/mesos-real/pacer.test.ts)
 * alike: one app with labels, named ports and a MESOS_HTTP health check; its task in the master's
 * state as Marathon's TaskInfo fills it; `/master/tasks` and `/master/frameworks`; JSONP reads of
 * the state, the agent's state and the sandbox files behind a task's "Sandbox" link.
 */
import { expect } from 'vitest';
import { http, waitFor } from './processes.js';

export const MESOS_UI_APP_ID = '/shop/web';
/** Marathon's task name: the app id's segments reversed, joined with dots. */
export const MESOS_UI_TASK_NAME = 'web.shop';

/** The app: `cmd` must serve HTTP on $PORT0 (its stderr gets a line per request). */
export function mesosUiApp(cmd: string): Record<string, unknown> {
  return {
    id: MESOS_UI_APP_ID,
    cmd,
    cpus: 0.05,
    mem: 32,
    instances: 1,
    labels: { team: 'shop', tier: 'frontend' },
    portDefinitions: [
      { port: 0, name: 'http', protocol: 'tcp', labels: { VIP_0: '/shop/web:80' } },
      { port: 0, name: 'stats', protocol: 'udp,tcp' },
    ],
    healthChecks: [
      { protocol: 'MESOS_HTTP', path: '/', portIndex: 0, intervalSeconds: 1, timeoutSeconds: 2, gracePeriodSeconds: 60, maxConsecutiveFailures: 3 },
    ],
  };
}

export interface MasterStatus {
  state: string;
  timestamp: number;
  healthy?: boolean;
}

export interface MasterTaskView {
  id: string;
  name: string;
  state: string;
  slave_id: string;
  labels?: Array<{ key: string; value?: string }>;
  discovery?: unknown;
  statuses: MasterStatus[];
}

export interface MasterFrameworkView {
  id: string;
  name: string;
  webui_url: string;
  hostname: string;
  tasks: MasterTaskView[];
}

export interface MasterStateView {
  frameworks: MasterFrameworkView[];
  slaves: Array<{ id: string; pid: string; hostname: string }>;
}

interface AgentStateView {
  frameworks: Array<{ id: string; executors: Array<{ id: string; directory: string; tasks: Array<{ id: string }> }> }>;
}

interface PacerTaskView {
  id: string;
  ports: number[];
  healthCheckResults?: Array<{ alive: boolean }>;
}

const CALLBACK = 'angular.callbacks._0';

/** A JSONP answer as the Mesos UI's `$http.jsonp` takes it: the callback's one argument. */
export async function jsonp<T>(url: string): Promise<T> {
  const res = await fetch(`${url}${url.includes('?') ? '&' : '?'}jsonp=${CALLBACK}`, { signal: AbortSignal.timeout(10_000) });
  expect(res.status, url).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/javascript');
  const body = await res.text();
  expect(body.startsWith(`${CALLBACK}(`) && body.endsWith(')'), body.slice(0, 80)).toBe(true);
  return JSON.parse(body.slice(CALLBACK.length + 1, -1)) as T;
}

export async function masterState(masterUrl: string): Promise<MasterStateView> {
  const answer = await http<MasterStateView>('GET', `${masterUrl}/master/state`);
  expect(answer.status).toBe(200);
  return answer.body;
}

/** The framework row: its name, and a webui_url that opens Pacer's UI. */
export async function expectFrameworkRow(masterUrl: string, frameworkId: string, name: string, pacerUrl: string): Promise<void> {
  const framework = (await masterState(masterUrl)).frameworks.find((f) => f.id === frameworkId);
  expect(framework).toBeDefined();
  expect(framework!.name).toBe(name);
  expect(framework!.webui_url).toBe(`${pacerUrl}/ui/`);
  const ui = await fetch(framework!.webui_url, { signal: AbortSignal.timeout(10_000) });
  expect(ui.status).toBe(200);
  expect(ui.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await ui.text()).toMatch(/<title>[^<]*Pacer/);
}

/**
 * Creates the app, waits until Pacer and then the master call its task healthy, and checks the
 * task as the master shows it. Returns the task id.
 */
export async function expectTaskAsMarathonWritesIt(pacerUrl: string, masterUrl: string, cmd: string, timeoutMs = 120_000): Promise<string> {
  const created = await http('POST', `${pacerUrl}/v2/apps`, mesosUiApp(cmd));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const pacerTask = await waitFor(
    'the task healthy in Pacer',
    async () => {
      const answer = await http<{ tasks: PacerTaskView[] }>('GET', `${pacerUrl}/v2/apps${MESOS_UI_APP_ID}/tasks`);
      const task = answer.body.tasks?.[0];
      return task && (task.healthCheckResults ?? []).some((r) => r.alive) ? task : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
  const [httpPort, statsPort] = pacerTask.ports;
  expect(httpPort).toBeGreaterThan(0);
  expect(statsPort).toBeGreaterThan(0);

  // The executor's check reaches the master as a status update with `healthy` set.
  const task = await waitFor(
    'a healthy status in /master/state',
    async () => {
      const found = (await masterState(masterUrl)).frameworks.flatMap((f) => f.tasks).find((t) => t.id === pacerTask.id);
      return found?.statuses.at(-1)?.healthy === true ? found : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
  expect(task.state).toBe('TASK_RUNNING');
  expect(task.name).toBe(MESOS_UI_TASK_NAME);
  expect(task.labels).toEqual([
    { key: 'team', value: 'shop' },
    { key: 'tier', value: 'frontend' },
  ]);
  expect(task.discovery).toEqual({
    visibility: 'FRAMEWORK',
    name: MESOS_UI_TASK_NAME,
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
  return task.id;
}

/** `/master/tasks` and `/master/frameworks` answer the same task and framework as the state. */
export async function expectTasksAndFrameworksEndpoints(masterUrl: string, frameworkId: string, taskId: string, name: string, pacerUrl: string): Promise<void> {
  const stateTask = (await masterState(masterUrl)).frameworks.find((f) => f.id === frameworkId)!.tasks.find((t) => t.id === taskId)!;
  const tasks = await http<{ tasks: MasterTaskView[] }>('GET', `${masterUrl}/master/tasks?framework_id=${frameworkId}&task_id=${encodeURIComponent(taskId)}`);
  expect(tasks.status).toBe(200);
  // The same object as in /master/state, statuses and all (the task is settled and healthy).
  expect(tasks.body.tasks).toEqual([stateTask]);
  expect((await http('GET', `${masterUrl}/master/tasks?task_id=no-such-task`)).body).toEqual({ tasks: [] });

  const frameworks = await http<{ frameworks: MasterFrameworkView[]; completed_frameworks: unknown[]; unregistered_frameworks: unknown[] }>(
    'GET',
    `${masterUrl}/master/frameworks?framework_id=${frameworkId}`,
  );
  expect(frameworks.status).toBe(200);
  expect(frameworks.body.frameworks.map((f) => [f.id, f.name, f.webui_url])).toEqual([[frameworkId, name, `${pacerUrl}/ui/`]]);
  expect(frameworks.body.frameworks[0]!.tasks.map((t) => t.id)).toEqual([taskId]);
  expect(frameworks.body.completed_frameworks).toEqual([]);
  expect(frameworks.body.unregistered_frameworks).toEqual([]);
}

/** The Mesos UI's own reads (JSONP): the state, the agent's state, the sandbox behind the task's link. */
export async function expectMesosUiReads(masterUrl: string, frameworkId: string, taskId: string): Promise<void> {
  const state = await jsonp<MasterStateView>(`${masterUrl}/master/state`);
  const task = state.frameworks.find((f) => f.id === frameworkId)!.tasks.find((t) => t.id === taskId)!;
  expect(task.name).toBe(MESOS_UI_TASK_NAME);
  // The UI builds an agent's address from its hostname and the port and process id in its pid.
  const agent = state.slaves.find((a) => a.id === task.slave_id)!;
  const agentBase = `http://${agent.hostname}:${agent.pid.slice(agent.pid.lastIndexOf(':') + 1)}`;
  const agentState = await jsonp<AgentStateView>(`${agentBase}/${agent.pid.slice(0, agent.pid.indexOf('@'))}/state`);
  const executor = agentState.frameworks.find((f) => f.id === frameworkId)!.executors.find((e) => e.tasks.some((t) => t.id === taskId))!;
  expect(executor.directory).not.toBe('');
  const listing = await jsonp<Array<{ path: string }>>(`${agentBase}/files/browse?path=${encodeURIComponent(executor.directory)}`);
  expect(listing.map((f) => f.path)).toEqual(expect.arrayContaining([`${executor.directory}/stdout`, `${executor.directory}/stderr`]));
  // The pailer reads the size first (offset=-1), then pages through the file.
  const stderr = encodeURIComponent(`${executor.directory}/stderr`);
  const size = await jsonp<{ data: string; offset: number }>(`${agentBase}/files/read?path=${stderr}&offset=-1`);
  expect(size.data).toBe('');
  expect(size.offset).toBeGreaterThan(0);
  const page = await jsonp<{ data: string; offset: number }>(`${agentBase}/files/read?path=${stderr}&offset=0&length=-1`);
  // python's http.server logs each request (the health checks') to stderr.
  expect(page.data).toContain('GET / HTTP/1.1');
}
