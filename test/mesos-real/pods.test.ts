/**
 * A Marathon pod through Pacer on a real Apache Mesos: `POST /v2/pods` becomes one LAUNCH_GROUP
 * that the real agent runs under Mesos's own default executor. Two containers share an ephemeral
 * volume (a SANDBOX_PATH volume, `volume/sandbox_path` on the agents); each serves HTTP on its
 * endpoint's host port with a MESOS_HTTP check that the default executor runs. The pod becomes
 * stable and healthy, scales to two instances, and is deleted; at each step Pacer's view and the
 * master's agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pacerFrameworkId, removeDir, waitFor } from '../helpers/processes.js';
import { startCluster, type MesosCluster } from './cluster.js';
import { api, masterTasksOf, startPacerOn, type PacerOnMesos } from './pacer-on-mesos.js';

const POD_ID = '/real/duo';

interface PodInstanceJson {
  id: string;
  status: string;
  agentHostname?: string;
  containers: Array<{
    name: string;
    status: string;
    containerId?: string;
    conditions: Array<{ name: string; value: string }>;
    endpoints: Array<{ name: string; allocatedHostPort?: number }>;
  }>;
}

interface PodStatusJson {
  status: string;
  instances: PodInstanceJson[];
}

interface MasterExecutor {
  executor_id: string;
  type?: string;
  framework_id: string;
}

let cluster: MesosCluster;
let pacer: PacerOnMesos;
let masterUrl: string;
let frameworkId: string;

beforeAll(async () => {
  cluster = await startCluster({ name: 'pods' });
  masterUrl = cluster.masters[0]!.url;
  pacer = await startPacerOn(cluster.masterSpec, 'pods');
  frameworkId = (await pacerFrameworkId(pacer.url))!;
});

afterAll(async () => {
  await pacer?.process.kill('SIGTERM');
  await cluster?.stop();
  removeDir(pacer?.dataDir);
});

function duoPod(instances: number): Record<string, unknown> {
  const check = { gracePeriodSeconds: 120, intervalSeconds: 3, timeoutSeconds: 2, maxConsecutiveFailures: 5, delaySeconds: 1 };
  return {
    id: POD_ID,
    scaling: { kind: 'fixed', instances },
    environment: { GREETING: 'hello' },
    volumes: [{ name: 'shared' }],
    containers: [
      {
        name: 'web',
        exec: { command: { shell: 'echo "$GREETING from $MESOS_TASK_ID" > data/greeting && exec python3 -m http.server "$ENDPOINT_HTTP" --bind 127.0.0.1' } },
        resources: { cpus: 0.1, mem: 64 },
        endpoints: [{ name: 'http', hostPort: 0, protocol: ['tcp'] }],
        volumeMounts: [{ name: 'shared', mountPath: 'data' }],
        healthCheck: { http: { endpoint: 'http', path: '/data/greeting' }, ...check },
      },
      {
        name: 'sidecar',
        exec: {
          command: {
            shell:
              'while [ ! -s data/greeting ]; do sleep 0.2; done; cp data/greeting read.txt && exec python3 -m http.server "$ENDPOINT_SIDE" --bind 127.0.0.1',
          },
        },
        resources: { cpus: 0.1, mem: 64 },
        endpoints: [{ name: 'side', hostPort: 0, protocol: ['tcp'] }],
        volumeMounts: [{ name: 'shared', mountPath: 'data' }],
        healthCheck: { http: { endpoint: 'side', path: '/read.txt' }, ...check },
      },
    ],
    networks: [{ mode: 'host' }],
  };
}

const healthy = (instance: PodInstanceJson): boolean =>
  instance.status === 'STABLE' &&
  instance.containers.length === 2 &&
  instance.containers.every((c) => c.status === 'TASK_RUNNING' && c.conditions.some((k) => k.name === 'healthy' && k.value === 'true'));

async function waitStable(count: number): Promise<PodStatusJson> {
  let last: unknown;
  return waitFor(
    `${count} healthy instances of ${POD_ID}`,
    async () => {
      const res = await api<PodStatusJson>(pacer, 'GET', `/v2/pods${POD_ID}::status`);
      last = res.body;
      if (res.status !== 200) return undefined;
      const deployments = await api<Array<{ affectedPods?: string[] }>>(pacer, 'GET', '/v2/deployments');
      const idle = !(deployments.body ?? []).some((d) => (d.affectedPods ?? []).includes(POD_ID));
      return idle && res.body.instances.length === count && res.body.instances.every(healthy) ? res.body : undefined;
    },
    { timeoutMs: 240_000, intervalMs: 1_000, describe: () => JSON.stringify(last) },
  );
}

async function text(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return (await res.text()).trim();
}

function hostPort(instance: PodInstanceJson, container: string, endpoint: string): number {
  const port = instance.containers.find((c) => c.name === container)?.endpoints.find((e) => e.name === endpoint)?.allocatedHostPort;
  if (port === undefined) throw new Error(`no host port for ${container}/${endpoint}: ${JSON.stringify(instance)}`);
  return port;
}

async function podExecutors(): Promise<MasterExecutor[]> {
  const state = (await (await fetch(`${masterUrl}/master/state`)).json()) as { frameworks: Array<{ id: string; executors?: MasterExecutor[] }> };
  return state.frameworks.find((f) => f.id === frameworkId)?.executors ?? [];
}

describe('a pod through Pacer on real Mesos', () => {
  it('runs under the default executor, healthy, shares its volume, scales to two and is deleted leaving nothing', async () => {
    const created = await api<{ id: string }>(pacer, 'POST', '/v2/pods', duoPod(1));
    expect(created.status, created.text).toBe(201);
    expect(created.headers['marathon-deployment-id']).toMatch(/^[0-9a-f-]{36}$/);

    const one = await waitStable(1);
    const instance = one.instances[0]!;
    // The web container wrote into the shared volume; the sidecar read it back from there.
    const written = await text(`http://127.0.0.1:${hostPort(instance, 'web', 'http')}/data/greeting`);
    expect(written).toMatch(/^hello from /);
    expect(await text(`http://127.0.0.1:${hostPort(instance, 'sidecar', 'side')}/read.txt`)).toBe(written);

    // The master runs the two container tasks under one executor of type DEFAULT.
    const tasks = await masterTasksOf(masterUrl, frameworkId);
    expect(tasks.map((t) => t.state)).toEqual(['TASK_RUNNING', 'TASK_RUNNING']);
    const executors = await podExecutors();
    expect(executors.map((e) => e.type)).toEqual(['DEFAULT']);

    const scaled = await api(pacer, 'PUT', `/v2/pods${POD_ID}`, duoPod(2));
    expect(scaled.status, scaled.text).toBe(200);
    const two = await waitStable(2);
    expect(new Set(two.instances.map((i) => i.id)).size).toBe(2);
    expect((await masterTasksOf(masterUrl, frameworkId)).filter((t) => t.state === 'TASK_RUNNING')).toHaveLength(4);
    expect((await podExecutors()).map((e) => e.type)).toEqual(['DEFAULT', 'DEFAULT']);

    const deleted = await api(pacer, 'DELETE', `/v2/pods${POD_ID}`);
    expect(deleted.status, deleted.text).toBe(202);
    await waitFor('the master to have no task of the pod', async () => ((await masterTasksOf(masterUrl, frameworkId)).length === 0 ? true : undefined), {
      timeoutMs: 120_000,
      intervalMs: 500,
    });
    await waitFor('the default executors to end', async () => ((await podExecutors()).length === 0 ? true : undefined), {
      timeoutMs: 120_000,
      intervalMs: 500,
    });
    expect((await api(pacer, 'GET', `/v2/pods${POD_ID}`)).status).toBe(404);
  });
});
