/**
 * Pods through the whole orchestrator over real HTTP: the embedded master with process agents
 * running task groups as the default executor does, Pacer's SchedulerDriver, core and service,
 * and the SQLite store. A pod of two containers (a web server on an endpoint with a MESOS_HTTP
 * check, a sidecar sharing an ephemeral volume) is created, becomes healthy, scales, is upgraded
 * with a rolling restart, loses a container (its process exits) and is replaced as a whole, and
 * is deleted, leaving no task behind. Waits are driven by instance changes and bounded.
 */
import { userInfo } from 'node:os';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMesosLocal, type MesosLocalHandle } from '../../src/local/index.js';
import { StaticMasterDetector } from '../../src/mesos/detector.js';
import { buildFrameworkInfo } from '../../src/mesos/framework-info.js';
import type { AppLookup, Instance } from '../../src/scheduler/contracts.js';
import { SchedulerCore } from '../../src/scheduler/core/index.js';
import { LocalEventBus } from '../../src/scheduler/event-bus.js';
import { PacerServiceImpl } from '../../src/scheduler/service.js';
import { openSqliteStore, type SqliteStore } from '../../src/state/sqlite-store.js';
import { podOf } from '../scheduler/pods/fixtures.js';

const logger = pino({ level: process.env.PODS_IT_LOG ?? 'silent' });
const WAIT_MS = 60_000;

let local: MesosLocalHandle;
let dataDir: string;
let triggers: string;
let store: SqliteStore;
let core: SchedulerCore;
let service: PacerServiceImpl;

interface StateTask {
  id: string;
  state: string;
}
async function liveMasterTasks(): Promise<StateTask[]> {
  const res = await fetch(`${local.url}/master/state`);
  const body = (await res.json()) as { frameworks: Array<{ id: string; tasks: StateTask[] }> };
  const tasks = body.frameworks.find((f) => f.id === core.framework().frameworkId)?.tasks ?? [];
  return tasks.filter((t) => !['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE'].includes(t.state));
}

async function until(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const POD_ID = '/it/web';
const wanted = (): Instance[] => core.instances.ofApp(POD_ID).filter((i) => i.goal === 'Running');
const healthy = (i: Instance): boolean => i.condition === 'Running' && core.health.healthOf(i, service.runSpec(POD_ID)!) === true;

function podJson(instances: number, generation: string) {
  return {
    id: POD_ID,
    scaling: { kind: 'fixed', instances },
    environment: { GENERATION: generation },
    volumes: [{ name: 'shared' }],
    networks: [{ mode: 'host' }],
    containers: [
      {
        name: 'web',
        exec: { command: { shell: 'echo "$GENERATION" > shared/index.html && cd shared && exec python3 -m http.server "$ENDPOINT_HTTP" --bind 127.0.0.1' } },
        resources: { cpus: 0.1, mem: 32 },
        endpoints: [{ name: 'http', hostPort: 0, protocol: ['tcp'] }],
        healthCheck: { http: { endpoint: 'http', path: '/index.html' }, intervalSeconds: 2, gracePeriodSeconds: 10, timeoutSeconds: 1, delaySeconds: 0 },
        volumeMounts: [{ name: 'shared', mountPath: 'shared' }],
      },
      {
        name: 'sidecar',
        // Reads what the web container writes; exits (failing) when the test drops a trigger for its executor.
        exec: {
          command: { shell: `while sleep 0.2; do cat shared/index.html >/dev/null 2>&1; [ -f "${'$'}TRIGGERS/${'$'}MESOS_EXECUTOR_ID" ] && exit 3; done` },
        },
        environment: { TRIGGERS: triggers },
        resources: { cpus: 0.1, mem: 16 },
        volumeMounts: [{ name: 'shared', mountPath: 'shared', readOnly: true }],
      },
    ],
  };
}

beforeAll(async () => {
  local = await startMesosLocal(
    {
      ip: '127.0.0.1',
      port: 0,
      agents: 2,
      simulatedAgents: 0,
      agentResources: 'cpus:4;mem:4096;disk:1000;ports:[32000-32999]',
      allocationIntervalMs: 100,
      heartbeatIntervalSeconds: 0.5,
    },
    logger,
  );
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'pacer-pods-it-'));
  triggers = await mkdtemp(path.join(os.tmpdir(), 'pacer-pods-triggers-'));
  store = await openSqliteStore({ dataDir, logger });
  const events = new LocalEventBus();
  let svc: PacerServiceImpl | undefined;
  const lookup: AppLookup = {
    app: (id) => svc?.runSpec(id),
    appVersion: async (id, version) => svc?.runSpecVersion(id, version),
    pod: (id) => svc?.pod(id),
    podVersion: async (id, version) => svc?.podVersion(id, version),
  };
  core = new SchedulerCore({
    store,
    apps: lookup,
    events,
    logger,
    driver: {
      detector: new StaticMasterDetector(local.url),
      frameworkInfo: buildFrameworkInfo({ name: 'pacer-pods-it', hostname: '127.0.0.1', user: userInfo().username, failoverTimeoutSeconds: 300 }),
      mediaType: 'application/json',
      backoff: { initialMs: 50, maxMs: 500 },
    },
    reconciliationIntervalMs: 60_000,
    taskLaunchTimeoutMs: 60_000,
    reconcileInitialBackoffMs: 200,
    killRetryIntervalMs: 1000,
    supervisionIntervalMs: 100,
    matchOptions: { localRegion: 'local', declineRefuseSeconds: 1, starvedRefuseSeconds: 0.2, acceptRefuseSeconds: 0.2 },
  });
  service = new PacerServiceImpl({ store, core, events, logger, recheckIntervalMs: 500 });
  svc = service;
  await core.load();
  await service.start();
  await core.start();
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await core?.stop();
  await store?.close();
  await local?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  if (triggers) await rm(triggers, { recursive: true, force: true });
});

describe('pods on the embedded master', () => {
  it('runs, scales, upgrades, replaces a failed instance as a whole, and deletes a pod of two containers', async () => {
    const withTriggers = (json: ReturnType<typeof podJson>) => podOf(json);
    const created = await service.createPod(withTriggers(podJson(2, 'one')), { force: false });
    expect(await service.whenDeploymentFinished(created.id)).toBe('success');
    expect(wanted()).toHaveLength(2);
    expect(wanted().every(healthy)).toBe(true);
    for (const instance of wanted()) {
      expect(instance.podTasks!.map((t) => t.condition)).toEqual(['Running', 'Running']);
      // The web container answers on its endpoint with what it wrote into the shared volume.
      const res = await fetch(`http://127.0.0.1:${instance.hostPorts[0]}/index.html`);
      expect((await res.text()).trim()).toBe('one');
    }
    await until('4 live tasks on the master', async () => (await liveMasterTasks()).filter((t) => t.state === 'TASK_RUNNING').length === 4);

    const scaled = await service.updatePod(withTriggers(podJson(3, 'one')), { force: false });
    expect(await service.whenDeploymentFinished(scaled.id)).toBe('success');
    expect(wanted().filter(healthy)).toHaveLength(3);

    const upgraded = await service.updatePod(withTriggers(podJson(3, 'two')), { force: false });
    expect(upgraded.steps.flatMap((s) => s.actions.map((a) => a.action))).toEqual(['RestartPod']);
    let fewestHealthy = Number.POSITIVE_INFINITY;
    const off = core.instances.onChange(() => {
      fewestHealthy = Math.min(fewestHealthy, wanted().filter(healthy).length);
    });
    expect(await service.whenDeploymentFinished(upgraded.id)).toBe('success');
    off();
    // minimumHealthCapacity 1: the rolling restart never drops below 3 healthy instances.
    expect(fewestHealthy).toBeGreaterThanOrEqual(3);
    expect(wanted().every((i) => i.runSpecVersion === upgraded.version)).toBe(true);
    await until('old tasks gone from the master', async () => (await liveMasterTasks()).length === 6);
    const res = await fetch(`http://127.0.0.1:${wanted()[0]!.hostPorts[0]}/index.html`);
    expect((await res.text()).trim()).toBe('two');

    // One container of one instance fails: the whole instance goes and a new one takes its place.
    const victim = wanted()[0]!;
    await writeFile(path.join(triggers, victim.executorId!), 'x');
    await until('the failed instance replaced', () => core.instances.get(victim.instanceId) === undefined && wanted().filter(healthy).length === 3);
    const survivorIds = wanted().map((i) => i.instanceId);
    expect(survivorIds).not.toContain(victim.instanceId);
    await until('the failed instance’s tasks gone from the master', async () => {
      const live = await liveMasterTasks();
      return !live.some((t) => t.id.startsWith(victim.instanceId)) && live.length === 6;
    });

    const deleted = await service.deletePod(POD_ID, { force: false });
    expect(await service.whenDeploymentFinished(deleted.id)).toBe('success');
    expect(core.instances.ofApp(POD_ID)).toEqual([]);
    await until('no live task left on the master', async () => (await liveMasterTasks()).length === 0);
  }, 240_000);
});
