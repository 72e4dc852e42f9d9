/**
 * A framework Pacer did not write, against a real `pacer mesos-local` child: the Python 3
 * standard-library scheduler in frameworks/foreign_scheduler.py speaks the v1 scheduler API the
 * way pymesos and mesos-go do (raw-socket SUBSCRIBE with its own chunked and RecordIO parsers,
 * calls on a second keep-alive connection) and prints one JSON report of what it saw. Every
 * expectation below is what an Apache Mesos 1.11 master sends (src/master/http.cpp, master.cpp,
 * src/internal/evolve.cpp, src/launcher/executor.cpp).
 *
 * Runs the compiled binary: `npm run build` first.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnMesosLocal, type ManagedProcess } from '../helpers/processes.js';

const PYTHON = 'python3';
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'frameworks', 'foreign_scheduler.py');
const SESSION_TIMEOUT_MS = 90_000;
const TASKS = ['with-allocation-info', 'without-allocation-info'];
const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_LOST']);

const probe = spawnSync(PYTHON, ['--version'], { encoding: 'utf8', timeout: 10_000 });
const pythonFound = probe.status === 0;

interface CallAnswer {
  status: number;
  version: number;
  body: string;
  content_type: string | null;
  content_length: string | null;
}
interface StreamHead {
  status: number;
  version: string;
  headers: [string, string][];
  chunked: boolean;
  second_event_type?: string | null;
}
interface SeenUpdate {
  phase: string;
  task: string;
  state: string;
  source: string | null;
  reason: string | null;
  message: string | null;
  has_uuid: boolean;
  uuid_bytes: number | null;
  executor_id: string | null;
  agent_id: string | null;
  timestamp_is_number: boolean;
  container_status: { container_id?: { value: string }; network_infos?: { ip_addresses?: { protocol?: string; ip_address?: string }[] }[] } | null;
}
type Json = Record<string, unknown>;
interface Report {
  fatal?: string;
  subscribe: StreamHead;
  subscribed: { type: string; subscribed: { framework_id: { value: string }; heartbeat_interval_seconds: unknown; master_info: Json } };
  first_offers: Json[];
  offers: { phase: string; agent: string; idle_declined_before: boolean }[];
  accepts: { task: string; status: number; body: string; content_length: string | null }[];
  declines: { offers: number; status: number; body: string }[];
  acks: { task: string; state: string; status: number; body: string }[];
  updates: SeenUpdate[];
  reconcile_implicit: CallAnswer;
  state: { status: number; body: Json };
  errors: Record<string, CallAnswer>;
  held_terminal: { task: string; uuid: string }[];
  while_disconnected: CallAnswer;
  resubscribe: StreamHead;
  resubscribed: Report['subscribed'];
  stale_stream_id: CallAnswer;
  idle_declined_agents: string[];
  state_after_acks: { tasks: string[]; completed_tasks: [string, string][] };
  teardown: CallAnswer;
  stream_end: { clean: boolean };
  after_teardown: CallAnswer;
  resubscribe_removed: { head: StreamHead; first: Json | null; then: Json | null };
  call_sockets: number;
}

function runScheduler(masterUrl: string): Promise<{ report: Report; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT, masterUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
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
        resolve({ report: JSON.parse(last) as Report, stderr });
      } catch {
        reject(new Error(`scheduler ended (code ${code}, signal ${signal}) without a JSON report\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      }
    });
  });
}

function header(head: StreamHead, name: string): string[] {
  return head.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
}

describe.skipIf(!pythonFound && process.env.CI !== 'true')('a Python stdlib scheduler against pacer mesos-local', () => {
  let master: ManagedProcess | undefined;
  let report: Report;
  let stderr = '';

  beforeAll(async () => {
    if (!pythonFound) throw new Error(`${PYTHON} not found: ${probe.error?.message ?? probe.stderr}`);
    master = await spawnMesosLocal(['--agents', '3', '--allocation_interval', '100ms', '--heartbeat_interval', '1secs'], {
      name: 'foreign-framework-mesos-local',
    });
    ({ report, stderr } = await runScheduler(master.url));
    if (report.fatal !== undefined) {
      throw new Error(`scheduler session failed: ${report.fatal}\nstderr:\n${stderr}\nmaster log:\n${master.logTail(4000)}`);
    }
  }, SESSION_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    await master?.kill('SIGTERM');
  });

  const updatesOf = (task: string, phase?: string): SeenUpdate[] => report.updates.filter((u) => u.task === task && (phase === undefined || u.phase === phase));

  it('answers SUBSCRIBE with a chunked HTTP/1.1 200 JSON stream carrying Mesos-Stream-Id', () => {
    for (const head of [report.subscribe, report.resubscribe]) {
      expect(head.status).toBe(200);
      expect(head.version).toBe('HTTP/1.1');
      expect(head.chunked).toBe(true);
      expect(header(head, 'Content-Type')).toEqual(['application/json']);
      expect(header(head, 'Mesos-Stream-Id')).toHaveLength(1);
      expect(header(head, 'Mesos-Stream-Id')[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(header(head, 'Content-Length')).toEqual([]);
    }
    expect(header(report.resubscribe, 'Mesos-Stream-Id')).not.toEqual(header(report.subscribe, 'Mesos-Stream-Id'));
  });

  it('sends SUBSCRIBED first, with the framework id, heartbeat interval and master_info', () => {
    const { subscribed } = report.subscribed;
    expect(report.subscribed.type).toBe('SUBSCRIBED');
    expect(subscribed.framework_id.value).toMatch(/-0000$/);
    expect(subscribed.heartbeat_interval_seconds).toBe(1);
    const info = subscribed.master_info as { id: string; ip: number; port: number; pid: string; version: string; address: Json };
    const port = Number(new URL(master!.url).port);
    expect(info).toMatchObject({ port, pid: `master@127.0.0.1:${port}`, version: '1.11.0' });
    expect(info.address).toEqual({ hostname: '127.0.0.1', ip: '127.0.0.1', port });
    // 127.0.0.1 in network byte order read as a little-endian uint32, as upstream stores it.
    expect(info.ip).toBe(16777343);
    expect(report.resubscribed.subscribed.framework_id).toEqual(subscribed.framework_id);
    // Upstream's heartbeater beats at once: HEARTBEAT always follows SUBSCRIBED.
    expect(report.subscribe.second_event_type).toBe('HEARTBEAT');
    expect(report.resubscribe.second_event_type).toBe('HEARTBEAT');
  });

  it('offers resources as a pre-refinement, pre-MULTI_ROLE framework sees them: role "*" and no allocation_info', () => {
    const offer = report.first_offers[0] as {
      framework_id: { value: string };
      hostname: string;
      url: { scheme: string; address: Json; path: string };
      resources: Json[];
      allocation_info?: Json;
    };
    expect(offer.framework_id).toEqual(report.subscribed.subscribed.framework_id);
    expect(offer.hostname).toBe('127.0.0.1');
    expect(offer.url).toMatchObject({ scheme: 'http', path: '/slave(1)' });
    // Upstream strips allocation_info for frameworks without MULTI_ROLE (MESOS-8237), as the
    // real-Mesos differential test (offers) showed.
    expect(offer.allocation_info).toBeUndefined();
    const cpus = offer.resources.find((r) => r.name === 'cpus');
    expect(cpus).toEqual({ name: 'cpus', type: 'SCALAR', scalar: { value: 4 }, role: '*' });
    expect(offer.resources.find((r) => r.name === 'ports')).toMatchObject({ type: 'RANGES', role: '*' });
  });

  it('answers ACCEPT, DECLINE and ACKNOWLEDGE with an empty 202, all on one keep-alive connection', () => {
    expect(report.accepts.map((a) => a.task)).toEqual(TASKS);
    for (const answer of [...report.accepts, ...report.declines, ...report.acks]) {
      expect(answer).toMatchObject({ status: 202, body: '' });
    }
    expect(report.accepts.every((a) => a.content_length === '0')).toBe(true);
    expect(report.declines.length).toBeGreaterThan(0);
    expect(report.call_sockets).toBe(1);
  });

  it('runs both launches, with and without allocation_info, through STARTING, RUNNING and FINISHED', () => {
    for (const task of TASKS) {
      const fromExecutor = updatesOf(task).filter((u) => u.reason !== 'REASON_RECONCILIATION');
      const states = [...new Set(fromExecutor.map((u) => u.state))];
      expect(states).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
      for (const update of fromExecutor) {
        expect(update.source).toBe('SOURCE_EXECUTOR');
        // The command executor's id is the task id.
        expect(update.executor_id).toBe(task);
        expect(update.has_uuid).toBe(true);
        expect(update.uuid_bytes).toBe(16);
        expect(update.timestamp_is_number).toBe(true);
        expect(update.container_status?.network_infos?.[0]?.ip_addresses?.[0]).toEqual({ protocol: 'IPv4', ip_address: '127.0.0.1' });
      }
      const finished = fromExecutor.find((u) => u.state === 'TASK_FINISHED')!;
      expect(finished.message).toBe('Command exited with status 0');
    }
  });

  it('acknowledges every uuid-carrying update with 202, and never one without a uuid', () => {
    for (const task of TASKS) {
      const acked = report.acks.filter((a) => a.task === task).map((a) => a.state);
      expect(acked).toEqual(expect.arrayContaining(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']));
    }
    const withoutUuid = report.updates.filter((u) => !u.has_uuid);
    expect(withoutUuid.length).toBeGreaterThan(0);
    expect(withoutUuid.every((u) => u.reason === 'REASON_RECONCILIATION')).toBe(true);
  });

  it('answers implicit reconciliation with the latest state, master-sourced and without uuid', () => {
    expect(report.reconcile_implicit).toMatchObject({ status: 202, body: '' });
    for (const task of TASKS) {
      const [answer] = updatesOf(task, 'reconcile-implicit').filter((u) => u.reason === 'REASON_RECONCILIATION');
      expect(answer).toMatchObject({
        state: 'TASK_RUNNING',
        source: 'SOURCE_MASTER',
        message: 'Reconciliation: Latest task state',
        has_uuid: false,
      });
      expect(answer!.agent_id).toMatch(/-S\d$/);
    }
  });

  it('answers explicit reconciliation of an unknown task on a registered agent with TASK_LOST', () => {
    const [ghost] = updatesOf('ghost');
    expect(ghost).toMatchObject({
      state: 'TASK_LOST',
      source: 'SOURCE_MASTER',
      reason: 'REASON_RECONCILIATION',
      message: 'Reconciliation: Task is unknown to the agent',
      has_uuid: false,
    });
  });

  it('shows the framework, its tasks and the agents in /master/state', () => {
    expect(report.state.status).toBe(200);
    const state = report.state.body as {
      leader: string;
      slaves: { id: string; hostname: string; resources: Json }[];
      frameworks: { id: string; name: string; active: boolean; tasks: { id: string; state: string; resources: Json; executor_id: string }[] }[];
    };
    const port = new URL(master!.url).port;
    expect(state.leader).toBe(`master@127.0.0.1:${port}`);
    expect(state.slaves).toHaveLength(3);
    expect(state.slaves[0]).toMatchObject({ hostname: '127.0.0.1', resources: { cpus: 4, mem: 8192, disk: 20000 } });
    const framework = state.frameworks.find((f) => f.id === report.subscribed.subscribed.framework_id.value)!;
    expect(framework).toMatchObject({ name: 'foreign-python', active: true });
    expect(framework.tasks.map((t) => t.id).sort()).toEqual(TASKS);
    for (const task of framework.tasks) {
      expect(task.state).toBe('TASK_RUNNING');
      expect(task.resources).toMatchObject({ cpus: 0.1, mem: 32 });
      expect(task.executor_id).toBe('');
    }
  });

  it('refuses bad calls with the status and text a Mesos master uses', () => {
    const { errors } = report;
    expect(errors.unknown_framework).toMatchObject({ status: 400, body: 'Framework cannot be found' });
    expect(errors.missing_stream_id).toMatchObject({ status: 400, body: "All non-subscribe calls should include the 'Mesos-Stream-Id' header" });
    expect(errors.bad_uuid).toMatchObject({ status: 400, body: 'Failed to validate scheduler::Call: Not a valid UUID' });
    expect(errors.get).toMatchObject({ status: 405 });
    expect(errors.no_content_type).toMatchObject({ status: 400, body: "Expecting 'Content-Type' to be present" });
    expect(errors.text_plain!.status).toBe(415);
    expect(errors.bad_json!.status).toBe(400);
    expect(errors.bad_json!.body).toMatch(/^Failed to parse body into JSON: /);
    for (const answer of Object.values(errors)) expect(answer.version).toBe(11);
  });

  it('keeps the tasks across a scheduler failover and fences the old stream', () => {
    expect(report.while_disconnected).toMatchObject({ status: 403, body: 'Framework is not subscribed' });
    const frameworkId = report.subscribed.subscribed.framework_id.value;
    const oldStream = header(report.subscribe, 'Mesos-Stream-Id')[0]!;
    expect(report.stale_stream_id).toMatchObject({
      status: 400,
      body: `The stream ID '${oldStream}' included in this request didn't match the stream ID currently associated with framework ID ${frameworkId}`,
    });
    for (const task of TASKS) {
      const [answer] = updatesOf(task, 'after-failover').filter((u) => u.reason === 'REASON_RECONCILIATION');
      // Finished but not yet acknowledged: the master still knows the task and its latest state.
      expect(answer).toMatchObject({ state: 'TASK_FINISHED', has_uuid: false });
    }
  });

  it('accepts, on the new stream, the exact uuid received on the old one', () => {
    expect(report.held_terminal.map((h) => h.task).sort()).toEqual(TASKS);
    expect(report.state_after_acks).toEqual({
      tasks: [],
      completed_tasks: TASKS.map((t) => [t, 'TASK_FINISHED']),
    });
  });

  it('honours refuse_seconds until the framework disconnects, then offers declined agents again', () => {
    expect(report.idle_declined_agents.length).toBeGreaterThan(0);
    const early = report.offers.filter((o) => o.phase !== 'after-failover' && o.idle_declined_before);
    expect(early).toEqual([]);
    const again = report.offers.filter((o) => o.phase === 'after-failover' && report.idle_declined_agents.includes(o.agent));
    expect(again.length).toBeGreaterThan(0);
  });

  it('ends the stream on TEARDOWN and refuses the removed framework afterwards', () => {
    expect(report.teardown).toMatchObject({ status: 202, body: '' });
    expect(report.stream_end).toEqual({ clean: true });
    expect(report.after_teardown).toMatchObject({ status: 400, body: 'Framework cannot be found' });
    expect(report.resubscribe_removed.head.status).toBe(200);
    expect(report.resubscribe_removed.first).toEqual({ type: 'ERROR', error: { message: 'Framework has been removed' } });
    expect(report.resubscribe_removed.then).toBeNull();
  });

  it('saw no terminal state other than TASK_FINISHED for the launched tasks', () => {
    const terminal = report.updates.filter((u) => TASKS.includes(u.task) && TERMINAL.has(u.state));
    expect(terminal.every((u) => u.state === 'TASK_FINISHED')).toBe(true);
  });
});
