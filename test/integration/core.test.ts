/**
 * The orchestrator core end to end over real HTTP: the embedded master with process agents,
 * Pacer's SchedulerDriver, and the SQLite store in a temporary directory. Waits are driven by
 * instance changes and bounded; nothing asserts on elapsed time.
 */
import { userInfo } from 'node:os';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMesosLocal, type MesosLocalHandle } from '../../src/local/index.js';
import { StaticMasterDetector } from '../../src/mesos/detector.js';
import { buildFrameworkInfo } from '../../src/mesos/framework-info.js';
import type { Instance, MarathonEvent } from '../../src/scheduler/contracts.js';
import { SchedulerCore } from '../../src/scheduler/core/index.js';
import type { LaunchDelay } from '../../src/scheduler/core/rate-limiter.js';
import { LocalEventBus } from '../../src/scheduler/event-bus.js';
import { openSqliteStore, type SqliteStore } from '../../src/state/sqlite-store.js';
import { appOf, MapAppLookup } from '../scheduler/core/fixtures.js';

const logger = pino({ level: process.env.CORE_IT_LOG ?? 'silent' });
const WAIT_MS = 20_000;

let local: MesosLocalHandle;
let dataDir: string;
let store: SqliteStore;
let core: SchedulerCore | undefined;
let apps: MapAppLookup;
let events: MarathonEvent[];

function newCore(): SchedulerCore {
  const bus = new LocalEventBus();
  bus.subscribe((e) => events.push(e));
  return new SchedulerCore({
    store,
    apps,
    events: bus,
    logger,
    driver: {
      detector: new StaticMasterDetector(local.url),
      frameworkInfo: buildFrameworkInfo({ name: 'pacer-core-test', hostname: '127.0.0.1', user: userInfo().username, failoverTimeoutSeconds: 300 }),
      mediaType: 'application/json',
      backoff: { initialMs: 50, maxMs: 500 },
    },
    reconciliationIntervalMs: 60_000,
    taskLaunchTimeoutMs: 60_000,
    reconcileInitialBackoffMs: 200,
    killRetryIntervalMs: 1000,
    supervisionIntervalMs: 100,
    // The embedded master's agents sit in region 'local' but its MasterInfo carries no domain,
    // so the fallback region is given here (with a real master, SUBSCRIBED tells it).
    matchOptions: { localRegion: 'local', declineRefuseSeconds: 1, starvedRefuseSeconds: 0.2, acceptRefuseSeconds: 0.2 },
  });
}

/** Resolves once `done()` holds, re-checking after every instance change; bounded. */
async function until(c: SchedulerCore, what: string, done: () => boolean): Promise<void> {
  if (done()) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}`));
    }, WAIT_MS);
    const off = c.instances.onChange(() => {
      if (!done()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

function running(c: SchedulerCore, appId: string): Instance[] {
  return c.instances.ofApp(appId).filter((i) => i.condition === 'Running');
}

interface StateTask {
  id: string;
  state: string;
}
async function masterTasks(frameworkId: string): Promise<StateTask[]> {
  const res = await fetch(`${local.url}/master/state`);
  const body = (await res.json()) as { frameworks: Array<{ id: string; tasks: StateTask[] }> };
  return body.frameworks.find((f) => f.id === frameworkId)?.tasks ?? [];
}

async function pollMaster(frameworkId: string, what: string, done: (tasks: StateTask[]) => boolean): Promise<StateTask[]> {
  for (let i = 0; i < 200; i++) {
    const tasks = await masterTasks(frameworkId);
    if (done(tasks)) return tasks;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`master never showed ${what}`);
}

beforeAll(async () => {
  local = await startMesosLocal(
    {
      ip: '127.0.0.1',
      port: 0,
      agents: 2,
      simulatedAgents: 0,
      agentResources: 'cpus:4;mem:4096;disk:1000;ports:[31000-31999]',
      allocationIntervalMs: 100,
      heartbeatIntervalSeconds: 0.5,
    },
    logger,
  );
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'pacer-core-it-'));
  store = await openSqliteStore({ dataDir, logger });
  apps = new MapAppLookup();
  events = [];
});

afterEach(async () => {
  await core?.stop();
  core = undefined;
});

afterAll(async () => {
  await core?.stop();
  await store?.close();
  await local?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('SchedulerCore against the embedded master', () => {
  it('runs 5 instances, decommissions 2, and survives a restart without duplicates or orphans', async () => {
    const app = appOf({ id: '/it/sleepy', cmd: 'sleep 1000', cpus: 0.1, mem: 16, instances: 5 });
    apps.set(app);
    core = newCore();
    await core.start();
    await core.launchQueue.add(app, 5);
    await until(core, '5 running instances', () => running(core!, app.id).length === 5);
    const frameworkId = core.framework().frameworkId!;
    expect(core.framework().subscribed).toBe(true);
    await pollMaster(frameworkId, '5 running tasks', (t) => t.filter((x) => x.state === 'TASK_RUNNING').length === 5);
    expect(events.some((e) => e.eventType === 'scheduler_registered_event' && e['frameworkId'] === frameworkId)).toBe(true);
    expect(events.filter((e) => e.eventType === 'status_update_event' && e['taskStatus'] === 'TASK_RUNNING').length).toBe(5);

    const [a, b] = running(core, app.id);
    await core.instances.setGoal([a!.instanceId, b!.instanceId], 'Decommissioned', 'test scale down');
    await until(core, 'the 2 decommissioned instances expunged', () => core!.instances.ofApp(app.id).length === 3);
    expect(core.instances.get(a!.instanceId)).toBeUndefined();
    await pollMaster(frameworkId, '3 running tasks', (t) => t.filter((x) => x.state === 'TASK_RUNNING').length === 3);
    const kept = core.instances
      .ofApp(app.id)
      .map((i) => `${i.instanceId}|${i.taskId}`)
      .sort();

    // Restart: a new core on the reopened store picks the same framework and the same instances.
    await core.stop();
    core = undefined;
    await store.close();
    store = await openSqliteStore({ dataDir, logger });
    core = newCore();
    await core.start();
    for (let i = 0; i < 100 && core.framework().frameworkId === undefined; i++) await new Promise((r) => setTimeout(r, 50));
    expect(core.framework().frameworkId).toBe(frameworkId);
    await core.reconciled();
    expect(
      core.instances
        .ofApp(app.id)
        .map((i) => `${i.instanceId}|${i.taskId}`)
        .sort(),
    ).toEqual(kept);
    expect(core.instances.ofApp(app.id).every((i) => i.condition === 'Running')).toBe(true);
    const tasks = await masterTasks(frameworkId);
    expect(
      tasks
        .filter((t) => t.state === 'TASK_RUNNING')
        .map((t) => t.id)
        .sort(),
    ).toEqual(
      core.instances
        .ofApp(app.id)
        .map((i) => i.taskId!)
        .sort(),
    );
    expect(events.some((e) => e.eventType === 'scheduler_registered_event')).toBe(true);
  });

  it('relaunches a task that exits, keeping the instance count and growing the delay', async () => {
    // Marathon's API only takes whole backoff seconds; a tenth keeps this test short and the
    // core's arithmetic is the same.
    const app = { ...appOf({ id: '/it/crashy', cmd: 'exit 1', cpus: 0.1, mem: 16, backoffFactor: 2, maxLaunchDelaySeconds: 60 }), backoffSeconds: 0.1 };
    apps.set(app);
    core = newCore();
    await core.start();
    let maxCount = 0;
    const failedTasks = new Set<string>();
    core.instances.onChange(({ instance, expunged }) => {
      maxCount = Math.max(maxCount, core!.instances.ofApp(app.id).length);
      if (expunged && instance.appId === app.id && instance.taskId) failedTasks.add(instance.taskId);
    });
    await core.launchQueue.add(app, 1);
    await until(core, 'three failed launches', () => failedTasks.size >= 3);
    expect(maxCount).toBe(1);
    expect(core.instances.ofApp(app.id)).toHaveLength(1);
    const delay = await store.get<LaunchDelay>('launchDelays', app.id);
    // 0.1 s after the first failure, doubled after each later one.
    expect(delay!.delaySeconds).toBeGreaterThanOrEqual(0.4);
    expect(Math.log2(delay!.delaySeconds / 0.1) % 1).toBeCloseTo(0, 10);
    await core.launchQueue.add(app, 0);
  });

  it("gives a process task Marathon's environment (PORT0, MARATHON_APP_ID)", async () => {
    const app = appOf({
      id: '/it/envy',
      cmd: 'echo "PORT0=$PORT0"; echo "MARATHON_APP_ID=$MARATHON_APP_ID"; echo "HOST=$HOST"; sleep 1000',
      cpus: 0.1,
      mem: 16,
      portDefinitions: [{ port: 0, name: 'http' }],
    });
    apps.set(app);
    core = newCore();
    await core.start();
    await core.launchQueue.add(app, 1);
    await until(core, 'the env app running', () => running(core!, app.id).length === 1);
    const [instance] = running(core, app.id);
    const agent = local.agents.find((a) => a.id === instance!.agentId)!;
    const sandbox = agent.sandboxOf(instance!.taskId!)!;
    let stdout = '';
    for (let i = 0; i < 50 && !stdout.includes('HOST='); i++) {
      stdout = await readFile(path.join(sandbox, 'stdout'), 'utf8').catch(() => '');
      if (!stdout.includes('HOST=')) await new Promise((r) => setTimeout(r, 100));
    }
    expect(instance!.hostPorts).toHaveLength(1);
    expect(stdout).toContain(`PORT0=${instance!.hostPorts[0]}`);
    expect(stdout).toContain('MARATHON_APP_ID=/it/envy');
    expect(stdout).toContain(`HOST=${instance!.hostname}`);
    await core.instances.setGoal([instance!.instanceId], 'Decommissioned', 'cleanup');
    await until(core, 'cleanup', () => core!.instances.ofApp(app.id).length === 0);
  });

  it('kills a task the restarted core does not know (found by reconciliation)', async () => {
    const app = appOf({ id: '/it/orphan', cmd: 'sleep 1000', cpus: 0.1, mem: 16 });
    apps.set(app);
    core = newCore();
    await core.start();
    await core.launchQueue.add(app, 2);
    await until(core, '2 running', () => running(core!, app.id).length === 2);
    const frameworkId = core.framework().frameworkId!;
    const [forgotten, kept] = running(core, app.id);
    await core.stop();
    core = undefined;
    // The store loses one instance (as if written by a scheduler that crashed before persisting).
    await store.apply([{ op: 'delete', collection: 'instances', key: forgotten!.instanceId }]);

    core = newCore();
    await core.start();
    await pollMaster(frameworkId, 'the unknown task killed', (tasks) => !tasks.some((t) => t.id === forgotten!.taskId && t.state === 'TASK_RUNNING'));
    expect(core.instances.get(forgotten!.instanceId)).toBeUndefined();
    expect(core.instances.get(kept!.instanceId)?.condition).toBe('Running');
    const tasks = await masterTasks(frameworkId);
    expect(tasks.find((t) => t.id === kept!.taskId)?.state).toBe('TASK_RUNNING');
    await core.instances.setGoal([kept!.instanceId], 'Decommissioned', 'cleanup');
    await until(core, 'cleanup', () => core!.instances.ofApp(app.id).length === 0);
  });
});
