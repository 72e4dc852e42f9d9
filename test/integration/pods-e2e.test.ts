/**
 * Issue #13's "Must show", end to end as a black box: a real `pacer --master local` child process
 * with process agents (each container of a pod is a real process, run as the default executor
 * does), driven only over HTTP. The pod has two containers sharing an ephemeral volume: `web`
 * writes a greeting into it and serves its sandbox on its endpoint's host port; `sidecar` waits for
 * the greeting, copies what it read into its own sandbox and serves that on its endpoint. Both have
 * HTTP health checks, so a healthy instance proves the sidecar read the web container's file.
 *
 * The pod starts (1 instance), scales to 3, is upgraded with a rolling restart, loses one container
 * (its process is killed) and is replaced as a whole, is deleted, and leaves no process behind.
 * Every wait is bounded; the Pacer log lands in test-artifacts/pacer/.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteJson, getJson, httpJson, postJson, putJson, waitFor } from '../helpers/http.js';
import { startPacerProcess, type PacerProcess } from '../helpers/pacer-process.js';

interface EndpointStatusJson {
  name: string;
  allocatedHostPort?: number;
  healthy?: boolean;
}
interface ContainerStatusJson {
  name: string;
  status: string;
  containerId?: string;
  endpoints: EndpointStatusJson[];
  conditions: Array<{ name: string; value: string }>;
}
interface PodInstanceStatusJson {
  id: string;
  status: string;
  agentHostname?: string;
  specReference?: string;
  containers: ContainerStatusJson[];
}
interface PodStatusJson {
  id: string;
  status: string;
  spec: { version: string };
  instances: PodInstanceStatusJson[];
}
interface DeploymentJson {
  id: string;
  affectedPods: string[];
  steps: Array<{ actions: Array<{ action: string; pod?: string; app?: string }> }>;
}

const POD_ID = '/e2e/duo';
const WAIT = { timeoutMs: 60_000, intervalMs: 200 };
const TEST_TIMEOUT_MS = 300_000;

let pacer: PacerProcess;

beforeAll(async () => {
  pacer = await startPacerProcess({ name: 'pods-e2e', agents: 3 });
});

afterAll(async () => {
  await pacer?.stop();
});

/** The pod definition; `label` is what the web container writes into the shared volume. */
function duoPod(instances: number, label: string): Record<string, unknown> {
  const check = { gracePeriodSeconds: 20, intervalSeconds: 2, timeoutSeconds: 1, maxConsecutiveFailures: 3, delaySeconds: 0 };
  return {
    id: POD_ID,
    labels: { label },
    scaling: { kind: 'fixed', instances },
    environment: { GREETING: label },
    volumes: [{ name: 'shared' }],
    containers: [
      {
        name: 'web',
        exec: {
          command: { shell: 'echo "$GREETING from $MESOS_TASK_ID" > data/greeting && exec python3 -m http.server "$ENDPOINT_HTTP" --bind 127.0.0.1' },
        },
        resources: { cpus: 0.05, mem: 32 },
        endpoints: [{ name: 'http', hostPort: 0, protocol: ['tcp'] }],
        volumeMounts: [{ name: 'shared', mountPath: 'data' }],
        healthCheck: { http: { endpoint: 'http', path: '/data/greeting' }, ...check },
      },
      {
        name: 'sidecar',
        exec: {
          command: {
            shell:
              'while [ ! -s data/greeting ]; do sleep 0.1; done; cp data/greeting read.txt && exec python3 -m http.server "$ENDPOINT_SIDE" --bind 127.0.0.1',
          },
        },
        resources: { cpus: 0.05, mem: 32 },
        endpoints: [{ name: 'side', hostPort: 0, protocol: ['tcp'] }],
        volumeMounts: [{ name: 'shared', mountPath: 'data' }],
        healthCheck: { http: { endpoint: 'side', path: '/read.txt' }, ...check },
      },
    ],
    networks: [{ mode: 'host' }],
    scheduling: { upgrade: { minimumHealthCapacity: 1, maximumOverCapacity: 1 } },
  };
}

async function podStatus(): Promise<PodStatusJson> {
  const res = await getJson<PodStatusJson>(`${pacer.url}/v2/pods${POD_ID}::status`);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

async function deployments(): Promise<DeploymentJson[]> {
  const res = await getJson<DeploymentJson[]>(`${pacer.url}/v2/deployments`);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** An instance whose two containers run and report healthy on their endpoints. */
function isHealthy(instance: PodInstanceStatusJson): boolean {
  return (
    instance.status === 'STABLE' &&
    instance.containers.length === 2 &&
    instance.containers.every((c) => c.status === 'TASK_RUNNING' && c.conditions.some((k) => k.name === 'healthy' && k.value === 'true'))
  );
}

/** The status once `count` instances of `version` are healthy, nothing else runs and no deployment is left. */
async function waitSettled(count: number, what: string, version?: string): Promise<PodStatusJson> {
  return waitFor(
    async () => {
      const status = await podStatus();
      const healthy = status.instances.filter(isHealthy);
      const onVersion = version === undefined || healthy.every((i) => i.specReference?.endsWith(`::versions/${version}`) === true);
      const idle = !(await deployments()).some((d) => d.affectedPods.includes(POD_ID));
      return healthy.length === count && status.instances.length === count && onVersion && idle && status.status === 'STABLE' ? status : undefined;
    },
    { ...WAIT, what },
  );
}

function port(instance: PodInstanceStatusJson, container: string, endpoint: string): number {
  const found = instance.containers.find((c) => c.name === container)?.endpoints.find((e) => e.name === endpoint)?.allocatedHostPort;
  if (found === undefined) throw new Error(`no host port for ${container}/${endpoint} in ${JSON.stringify(instance)}`);
  return found;
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return (await res.text()).trim();
}

/** What the web container wrote and what the sidecar read back, through their own endpoints. */
async function sharedFile(instance: PodInstanceStatusJson): Promise<{ written: string; read: string }> {
  const host = instance.agentHostname ?? '127.0.0.1';
  const written = await fetchText(`http://${host}:${port(instance, 'web', 'http')}/data/greeting`);
  const read = await fetchText(`http://${host}:${port(instance, 'sidecar', 'side')}/read.txt`);
  return { written, read };
}

interface TaskProcess {
  pid: number;
  taskId: string;
}

/** Processes started for tasks under the Pacer's work directory (their MESOS_TASK_ID), by /proc. */
async function taskProcesses(): Promise<TaskProcess[]> {
  const prefix = `${path.resolve(pacer.workDir)}${path.sep}`;
  const out: TaskProcess[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = await readlink(`/proc/${entry}/cwd`);
      if (!`${cwd}${path.sep}`.startsWith(prefix)) continue;
      const environ = (await readFile(`/proc/${entry}/environ`, 'utf8')).split('\0');
      const taskId = environ.find((v) => v.startsWith('MESOS_TASK_ID='))?.slice('MESOS_TASK_ID='.length) ?? '';
      out.push({ pid: Number(entry), taskId });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return out;
}

/** Every process under the work directory (executors included), for the "nothing left" check. */
async function processesUnderWorkDir(): Promise<number[]> {
  return (await taskProcesses()).map((p) => p.pid);
}

describe('a pod of two containers sharing an ephemeral volume', () => {
  it(
    'starts healthy, scales to 3, upgrades rolling, replaces an instance that lost a container, and is deleted without leftovers',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      // --- starts, is healthy, the sidecar reads what the web container wrote
      const created = await postJson<{ version: string }>(`${pacer.url}/v2/pods`, duoPod(1, 'v1'));
      expect(created.status, created.text).toBe(201);
      expect(created.headers['marathon-deployment-id']).toBeDefined();
      const first = await waitSettled(1, 'one healthy instance');
      const [only] = first.instances;
      const shared = await sharedFile(only!);
      expect(shared.written).toMatch(/^v1 from .+\.web\.\d+$/);
      expect(shared.read).toBe(shared.written);

      // --- scales to 3 (a ScalePod deployment); the first instance stays
      const scaled = await putJson(`${pacer.url}/v2/pods${POD_ID}`, duoPod(3, 'v1'));
      expect(scaled.status, scaled.text).toBe(200);
      const three = await waitSettled(3, 'three healthy instances');
      expect(three.instances.map((i) => i.id)).toContain(only!.id);
      for (const instance of three.instances) {
        const files = await sharedFile(instance);
        expect(files.read).toBe(files.written);
      }

      // --- rolling upgrade: a RestartPod deployment; never fewer than 3 healthy instances meanwhile
      const upgraded = await putJson<{ version: string }>(`${pacer.url}/v2/pods${POD_ID}`, duoPod(3, 'v2'));
      expect(upgraded.status, upgraded.text).toBe(200);
      const deploymentId = String(upgraded.headers['marathon-deployment-id']);
      // Three instances replaced one by one behind health checks take seconds: the plan is still there.
      const plan = (await deployments()).find((d) => d.id === deploymentId);
      expect(plan?.steps.flatMap((s) => s.actions)).toEqual([{ action: 'RestartPod', pod: POD_ID }]);
      let fewestHealthy = Number.POSITIVE_INFINITY;
      const v2 = await waitFor(
        async () => {
          const status = await podStatus();
          fewestHealthy = Math.min(fewestHealthy, status.instances.filter(isHealthy).length);
          const done = !(await deployments()).some((d) => d.id === deploymentId);
          const healthy = status.instances.filter(isHealthy);
          return done && healthy.length === 3 && status.instances.length === 3 ? status : undefined;
        },
        { ...WAIT, what: 'the rolling upgrade to v2' },
      );
      expect(fewestHealthy).toBeGreaterThanOrEqual(3);
      const oldIds = new Set(three.instances.map((i) => i.id));
      expect(v2.instances.every((i) => !oldIds.has(i.id))).toBe(true);
      expect(v2.instances.every((i) => i.specReference === `/v2/pods${POD_ID}::versions/${upgraded.body.version}`)).toBe(true);
      for (const instance of v2.instances) {
        const files = await sharedFile(instance);
        expect(files.written).toMatch(/^v2 from /);
        expect(files.read).toBe(files.written);
      }

      // --- one container dies: its whole instance is replaced, the others are left alone
      const [victim, ...bystanders] = v2.instances;
      const sidecarTask = victim!.containers.find((c) => c.name === 'sidecar')!.containerId!;
      const webTask = victim!.containers.find((c) => c.name === 'web')!.containerId!;
      const sidecarProcesses = (await taskProcesses()).filter((p) => p.taskId === sidecarTask);
      expect(sidecarProcesses.length, `processes of ${sidecarTask}`).toBeGreaterThan(0);
      for (const p of sidecarProcesses) process.kill(p.pid, 'SIGKILL');
      const healed = await waitFor(
        async () => {
          const status = await podStatus();
          const ids = status.instances.map((i) => i.id);
          const healthy = status.instances.filter(isHealthy);
          return !ids.includes(victim!.id) && healthy.length === 3 && status.instances.length === 3 ? status : undefined;
        },
        { ...WAIT, what: `instance ${victim!.id} to be replaced as a whole` },
      );
      const healedIds = healed.instances.map((i) => i.id);
      for (const b of bystanders) expect(healedIds).toContain(b.id);
      // The web container of the dead instance was killed with it.
      expect((await taskProcesses()).filter((p) => p.taskId === webTask || p.taskId === sidecarTask)).toEqual([]);

      // --- deleted: 202, the deployment finishes, and no process is left behind
      expect((await processesUnderWorkDir()).length).toBeGreaterThan(0);
      const deleted = await httpJson('DELETE', `${pacer.url}/v2/pods${POD_ID}`);
      expect(deleted.status, deleted.text).toBe(202);
      const deleteDeployment = String(deleted.headers['marathon-deployment-id']);
      await waitFor(async () => !(await deployments()).some((d) => d.id === deleteDeployment), { ...WAIT, what: 'the delete deployment to finish' });
      expect((await getJson(`${pacer.url}/v2/pods${POD_ID}`)).status).toBe(404);
      const left = await waitFor(async () => ((await processesUnderWorkDir()).length === 0 ? [] : undefined), {
        ...WAIT,
        what: 'every task and executor process to exit',
      });
      expect(left).toEqual([]);
      // Nothing of the pod is left for Pacer either.
      expect((await deleteJson(`${pacer.url}/v2/pods${POD_ID}`)).status).toBe(404);
    },
  );
});
