/**
 * `/v2/pods` and pods in groups, deployments, the queue, events and tasks, over real HTTP against
 * the facade as production builds it over the real PacerServiceImpl (test/api/harness.ts; the
 * cluster is the harness's fake core). Statuses, headers and bodies are Marathon 1.11's
 * (PodsResource.scala, PodStatusConversion.scala, RAML podStatus.raml).
 */
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsPlugin } from '../../src/api/events/index.js';
import type { Instance, MarathonEvent } from '../../src/scheduler/contracts.js';
import { createApp, harness, type Harness, type Json } from './harness.js';
import { openRaw, until, type RawStream } from './events/sse-harness.js';

let h: Harness;
let base: string;
let seen: MarathonEvent[];

beforeEach(async () => {
  h = await harness({
    cluster: { hosts: ['host-a', 'host-b', 'host-c'] },
    register: async (app, service) => {
      await app.register(eventsPlugin, { bus: service.events, logger: pino({ level: 'silent' }), heartbeatMs: 0 });
    },
  });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  seen = [];
  h.service.events.subscribe((e) => seen.push(e));
});
afterEach(async () => {
  await h.app.close();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: Json;
}

async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Json = {};
  try {
    parsed = text === '' ? {} : (JSON.parse(text) as Json);
  } catch {
    parsed = {};
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** Two containers: a web server with an HTTP health check on its host-port endpoint, and a sidecar. */
function webPod(id = '/shop/web', instances = 2): Json {
  return {
    id,
    scaling: { kind: 'fixed', instances },
    containers: [
      {
        name: 'web',
        exec: { command: { shell: 'python3 -m http.server $ENDPOINT_HTTP' } },
        resources: { cpus: 0.2, mem: 64 },
        endpoints: [
          { name: 'http', hostPort: 0, protocol: ['tcp'] },
          { name: 'admin', protocol: ['tcp'] },
        ],
        healthCheck: { http: { endpoint: 'http', path: '/' } },
      },
      { name: 'sidecar', exec: { command: { shell: 'sleep 1000' } }, resources: { cpus: 0.1, mem: 32 } },
    ],
    networks: [{ mode: 'host' }],
  };
}

async function createPod(pod: Json = webPod()): Promise<Answer> {
  const res = await call('POST', '/v2/pods', pod);
  expect(res.status, res.text).toBe(201);
  return res;
}

async function createAndDeploy(pod: Json = webPod()): Promise<Answer> {
  const res = await createPod(pod);
  await h.finish(res.headers.get('marathon-deployment-id')!);
  return res;
}

function podInstances(id: string): Instance[] {
  return [...h.service.podInstances(id)].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
}

describe('HEAD, POST, GET /v2/pods', () => {
  it('HEAD /v2/pods answers 200 with no body (the capability probe)', async () => {
    const res = await call('HEAD', '/v2/pods');
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
  });

  it('POST answers 201 with the stored pod, Location and Marathon-Deployment-Id, and publishes pod_created_event', async () => {
    const res = await createPod();
    const deploymentId = res.headers.get('marathon-deployment-id');
    expect(deploymentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('location')).toBe(`${base}/shop/web`);
    expect(res.body.id).toBe('/shop/web');
    expect(typeof res.body.version).toBe('string');
    expect(res.body.containers.map((c: Json) => c.name)).toEqual(['web', 'sidecar']);
    expect(res.body).toEqual((await call('GET', '/v2/pods/shop/web')).body);
    expect(seen.find((e) => e.eventType === 'pod_created_event')).toEqual({
      eventType: 'pod_created_event',
      timestamp: expect.any(String),
      clientIp: '127.0.0.1',
      uri: '/v2/pods',
    });
    // The deployment names the pod, not an app.
    const deployments = (await call('GET', '/v2/deployments')).body as unknown as Json[];
    const mine = deployments.find((d) => d.id === deploymentId);
    expect(mine).toMatchObject({ affectedApps: [], affectedPods: ['/shop/web'] });
    expect(mine!.steps.flatMap((s: Json) => s.actions)).toContainEqual({ action: 'StartPod', pod: '/shop/web' });
    expect(JSON.stringify(mine!.steps)).not.toContain('"app"');
  });

  it('GET /v2/pods lists every pod; GET /v2/pods/{id} of a missing pod is Marathon`s 404 with a JSON text as message', async () => {
    await createPod(webPod('/a'));
    await createPod(webPod('/b/c', 1));
    const list = await call('GET', '/v2/pods');
    expect(list.status).toBe(200);
    expect((list.body as unknown as Json[]).map((p) => p.id).sort()).toEqual(['/a', '/b/c']);

    const missing = await call('GET', '/v2/pods/nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: '{"message": "pod with /nope does not exist"}' });
  });

  it('POST of an existing id is 409; an invalid pod is 422 and changes nothing', async () => {
    await createPod();
    const again = await call('POST', '/v2/pods?force=true', webPod());
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ message: 'A pod with id [/shop/web] already exists.' });

    const invalid = await call('POST', '/v2/pods', { id: '/bad', containers: [] });
    expect(invalid.status).toBe(422);
    expect(invalid.body.message).toMatch(/Invalid JSON|Object is not valid/);
    expect(Array.isArray(invalid.body.details)).toBe(true);
    expect(h.service.pod('/bad')).toBeUndefined();

    const notJson = await call('POST', '/v2/pods', '{"id": "/x"');
    expect(notJson.status).toBe(400);
    expect(notJson.body.message).toBe('Invalid JSON');
  });
});

describe('who may ask', () => {
  it('with --http_credentials the HEAD probe and every pod route need them; a cross-origin POST is refused', async () => {
    const secured = await harness({ credentials: { user: 'ops', password: 'pw' } });
    try {
      const auth = `Basic ${Buffer.from('ops:pw').toString('base64')}`;
      expect((await secured.app.inject({ method: 'HEAD', url: '/v2/pods' })).statusCode).toBe(401);
      expect((await secured.app.inject({ method: 'HEAD', url: '/v2/pods', headers: { authorization: auth } })).statusCode).toBe(200);
      expect((await secured.app.inject({ method: 'GET', url: '/v2/pods/x::status' })).statusCode).toBe(401);
      const foreign = await secured.app.inject({
        method: 'POST',
        url: '/v2/pods',
        headers: { authorization: auth, origin: 'http://evil.example', 'content-type': 'application/json' },
        payload: webPod(),
      });
      expect(foreign.statusCode).toBe(403);
      expect(secured.service.pod('/shop/web')).toBeUndefined();
    } finally {
      await secured.app.close();
    }
  });
});

describe('PUT and DELETE /v2/pods/{id}', () => {
  it('PUT replaces or creates (200 either way, no Location) and publishes pod_updated_event', async () => {
    await createAndDeploy();
    const changed = { ...webPod(), labels: { tier: 'front' } };
    const res = await call('PUT', '/v2/pods/shop/web', changed);
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('marathon-deployment-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.labels).toEqual({ tier: 'front' });
    expect(h.service.pod('/shop/web')!.labels).toEqual({ tier: 'front' });
    expect(seen.filter((e) => e.eventType === 'pod_updated_event')).toEqual([
      { eventType: 'pod_updated_event', timestamp: expect.any(String), clientIp: '127.0.0.1', uri: '/v2/pods/shop/web' },
    ]);

    const created = await call('PUT', '/v2/pods/fresh', webPod('/fresh', 1));
    expect(created.status).toBe(200);
    expect(h.service.pod('/fresh')).toBeDefined();
  });

  it('PUT moving a resident pod to another role needs ?force=true (RoleSettings warning), as Marathon', async () => {
    const roles = await harness({ appParse: { mesosRole: 'base' } });
    try {
      const resident = (role: string): Json => ({
        id: '/dev/db',
        role,
        volumes: [{ name: 'pst', persistent: { size: 10 } }],
        containers: [
          { name: 'db', exec: { command: { shell: 'sleep 100' } }, resources: { cpus: 0.1, mem: 16 }, volumeMounts: [{ name: 'pst', mountPath: 'pst' }] },
        ],
      });
      const created = await roles.app.inject({ method: 'POST', url: '/v2/pods', payload: resident('dev') });
      expect(created.statusCode, created.body).toBe(201);
      const moved = await roles.app.inject({ method: 'PUT', url: '/v2/pods/dev/db?force=false', payload: resident('base') });
      expect(moved.statusCode, moved.body).toBe(422);
      expect(JSON.parse(moved.body)).toEqual({
        message: 'Object is not valid',
        details: [
          {
            path: '/role',
            errors: [
              'It is not possible to change the role for existing reservations. If you proceed with this change, all existing instances will continue to run under the previous role, dev. Only new instances will be allocated with the new role, base. In order to continue, retry your request with ?force=true',
            ],
          },
        ],
      });
      expect(roles.service.pod('/dev/db')!.role).toBe('dev');
      const forced = await roles.app.inject({ method: 'PUT', url: '/v2/pods/dev/db?force=true', payload: resident('base') });
      expect(forced.statusCode, forced.body).toBe(200);
      expect(roles.service.pod('/dev/db')!.role).toBe('base');
    } finally {
      await roles.app.close();
    }
  });

  it('PUT whose body names another pod is 400 and changes nothing', async () => {
    await createAndDeploy();
    const res = await call('PUT', '/v2/pods/shop/web', webPod('/other'));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: "'/shop/web' does not match definition's id ('/other')" });
    expect(h.service.pod('/other')).toBeUndefined();
  });

  it('a change to a pod whose deployment still runs is 409 with the deployment, unless forced', async () => {
    const created = await createPod();
    const running = created.headers.get('marathon-deployment-id')!;
    const locked = await call('PUT', '/v2/pods/shop/web', { ...webPod(), labels: { v: '2' } });
    expect(locked.status).toBe(409);
    expect(locked.body.deployments).toEqual([{ id: running }]);
    // Marathon's AppLockedException text, placeholder and all, for pods too.
    expect(locked.body.message).toBe(
      "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.",
    );
    expect(h.service.pod('/shop/web')!.labels).toEqual({});
    const forced = await call('PUT', '/v2/pods/shop/web?force=true', { ...webPod(), labels: { v: '2' } });
    expect(forced.status).toBe(200);
    expect(h.service.pod('/shop/web')!.labels).toEqual({ v: '2' });
  });

  it('DELETE answers 202 with the deployment as Location and header, removes the pod, and publishes pod_deleted_event', async () => {
    await createAndDeploy();
    const res = await call('DELETE', '/v2/pods/shop/web');
    expect(res.status).toBe(202);
    const deploymentId = res.headers.get('marathon-deployment-id')!;
    expect(deploymentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('location')).toBe(`${base}/${deploymentId}`);
    expect(res.text).toBe('');
    expect(h.service.pod('/shop/web')).toBeUndefined();
    expect(seen.some((e) => e.eventType === 'pod_deleted_event' && e.uri === '/v2/pods/shop/web')).toBe(true);
    const deployment = ((await call('GET', '/v2/deployments')).body as unknown as Json[]).find((d) => d.id === deploymentId);
    expect(deployment?.steps.flatMap((s: Json) => s.actions)).toContainEqual({ action: 'StopPod', pod: '/shop/web' });
    await h.finish(deploymentId);
    expect(podInstances('/shop/web')).toEqual([]);

    const again = await call('DELETE', '/v2/pods/shop/web');
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ message: "Pod '/shop/web' does not exist" });
  });

  it('a bad path id is 422 Object is not valid; methods Marathon lacks are 405', async () => {
    const bad = await call('GET', '/v2/pods/Bad_Id');
    expect(bad.status).toBe(422);
    expect(bad.body.message).toBe('Object is not valid');
    const post = await call('POST', '/v2/pods/shop/web', webPod());
    expect(post.status).toBe(405);
    const deleteAll = await call('DELETE', '/v2/pods');
    expect(deleteAll.status).toBe(405);
  });
});

describe('versions', () => {
  it('::versions lists the stored versions, ::versions/{v} answers that version, unknown ones are 404', async () => {
    const first = (await createAndDeploy()).body;
    const second = (await call('PUT', '/v2/pods/shop/web?force=true', { ...webPod(), labels: { v: '2' } })).body;
    const versions = await call('GET', '/v2/pods/shop/web::versions');
    expect(versions.status).toBe(200);
    expect(versions.body).toEqual(expect.arrayContaining([first.version, second.version]));
    const old = await call('GET', `/v2/pods/shop/web::versions/${first.version}`);
    expect(old.status).toBe(200);
    expect(old.body).toEqual(first);
    const sameInstant = await call('GET', `/v2/pods/shop/web::versions/${(first.version as string).replace('.000Z', 'Z')}`);
    expect(sameInstant.status).toBe(200);
    expect(sameInstant.body.version).toBe(first.version);
    const none = await call('GET', '/v2/pods/shop/web::versions/2001-01-01T00:00:00.000Z');
    expect(none.status).toBe(404);
    expect(none.body).toEqual({ message: "Pod '/shop/web' does not exist" });
    const missing = await call('GET', '/v2/pods/nope::versions');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: "Pod '/nope' does not exist" });
  });
});

describe('::status', () => {
  it('renders PodStatus with one PodInstanceStatus per instance and one ContainerStatus per container', async () => {
    const created = (await createAndDeploy()).body;
    const res = await call('GET', '/v2/pods/shop/web::status');
    expect(res.status, res.text).toBe(200);
    const status = res.body;
    expect(Object.keys(status)).toEqual(['id', 'spec', 'status', 'statusSince', 'instances', 'terminationHistory', 'lastUpdated', 'lastChanged']);
    expect(status.id).toBe('/shop/web');
    expect(status.spec).toEqual(created);
    expect(status.instances).toHaveLength(2);
    const instances = podInstances('/shop/web');
    const [first] = status.instances as Json[];
    const instance = instances.find((i) => i.instanceId === first!.id)!;
    expect(first).toMatchObject({
      id: instance.instanceId,
      agentHostname: instance.hostname,
      specReference: `/v2/pods/shop/web::versions/${created.version}`,
      resources: { cpus: 0.1 + 0.2 + 0.1, mem: 32 + 64 + 32, disk: 10, gpus: 0 },
      conditions: [],
      networks: [],
      localVolumes: [],
    });
    expect(first!.containers.map((c: Json) => c.name)).toEqual(['web', 'sidecar']);
    const web = first!.containers[0] as Json;
    expect(web.status).toBe('TASK_RUNNING');
    expect(web.containerId).toBe(instance.podTasks![0]!.taskId);
    expect(web.resources).toEqual({ cpus: 0.2, mem: 64, disk: 0, gpus: 0 });
    // Host mode gives every endpoint a host port, allocated in endpoint order; the checked endpoint comes last.
    const [httpPort, adminPort] = instance.podTasks![0]!.hostPorts;
    expect(web.endpoints).toEqual([
      { name: 'admin', allocatedHostPort: adminPort },
      { name: 'http', allocatedHostPort: httpPort, healthy: true },
    ]);
    expect(web.conditions).toEqual([
      { name: 'healthy', lastChanged: web.statusSince, lastUpdated: web.statusSince, value: 'true', reason: 'health-reported-by-mesos' },
    ]);
    expect(status.status).toBe('STABLE');
    expect(first!.status).toBe('STABLE');
    const sidecar = first!.containers[1] as Json;
    expect(sidecar.conditions).toEqual([]);
    expect(sidecar.endpoints).toEqual([]);
  });

  it('an instance with an unhealthy container is DEGRADED and the pod is DEGRADED', async () => {
    await createAndDeploy(webPod('/shop/web', 1));
    const [instance] = podInstances('/shop/web');
    const tasks = instance!.podTasks!.map((t) =>
      t.containerName === 'web' ? { ...t, status: { state: 'TASK_RUNNING' as const, healthy: false, timestamp: h.cluster.now() } } : t,
    );
    h.cluster.tracker.put({ ...instance!, podTasks: tasks });
    const status = (await call('GET', '/v2/pods/shop/web::status')).body;
    expect(status.status).toBe('DEGRADED');
    expect(status.instances[0]).toMatchObject({ status: 'DEGRADED', message: 'at least one container is not healthy' });
    const web = status.instances[0].containers[0];
    expect(web.conditions).toEqual([
      { name: 'healthy', lastChanged: web.statusSince, lastUpdated: web.statusSince, value: 'false', reason: 'health-reported-by-mesos' },
    ]);
    expect(web.endpoints.find((e: Json) => e.name === 'http').healthy).toBe(false);
  });

  it('GET /v2/pods/::status lists every pod`s status; a missing pod is 404 Pod does not exist', async () => {
    await createAndDeploy(webPod('/a', 1));
    await createAndDeploy(webPod('/b', 1));
    const all = await call('GET', '/v2/pods/::status');
    expect(all.status).toBe(200);
    expect((all.body as unknown as Json[]).map((s) => s.id).sort()).toEqual(['/a', '/b']);
    const missing = await call('GET', '/v2/pods/nope::status');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: "Pod '/nope' does not exist" });
  });
});

describe('::instances', () => {
  it('DELETE ::instances/{id} kills the instance as a whole and answers Marathon`s Instance JSON', async () => {
    await createAndDeploy();
    const [victim] = podInstances('/shop/web');
    const res = await call('DELETE', `/v2/pods/shop/web::instances/${victim!.instanceId}`);
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.body)).toEqual(['instanceId', 'state', 'agentInfo', 'runSpecVersion', 'unreachableStrategy']);
    expect(res.body).toMatchObject({
      instanceId: victim!.instanceId,
      state: { condition: 'Running', goal: 'Running' },
      agentInfo: { host: victim!.hostname, attributes: [] },
      runSpecVersion: victim!.runSpecVersion,
    });
    const after = podInstances('/shop/web').find((i) => i.instanceId === victim!.instanceId);
    expect(after === undefined || after.condition !== 'Running').toBe(true);
  });

  it('refuses malformed instance ids (422), unknown instances (404 Task) and unknown pods (404 Path)', async () => {
    await createAndDeploy();
    const malformed = await call('DELETE', '/v2/pods/shop/web::instances/garbage');
    expect(malformed.status).toBe(422);
    expect(malformed.body).toEqual({
      message: 'Object is not valid',
      details: [{ path: '/', errors: ["must fully match regular expression '^(.+)\\.(instance-|marathon-)([^\\.]+)$'"] }],
    });
    const id = 'shop_web.instance-00000000-0000-0000-0000-000000000000';
    const unknown = await call('DELETE', `/v2/pods/shop/web::instances/${id}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ message: `Task '${id}' does not exist` });
    const noPod = await call('DELETE', `/v2/pods/nope::instances/${id}`);
    expect(noPod.status).toBe(404);
    expect(noPod.body).toEqual({ message: "Path '/nope' does not exist" });
  });

  it('DELETE ::instances with a JSON array kills the named instances; wipe forgets them', async () => {
    await createAndDeploy(webPod('/shop/web', 3));
    const [one, two] = podInstances('/shop/web');
    const res = await call('DELETE', '/v2/pods/shop/web::instances?wipe=true', [one!.instanceId, two!.instanceId, 'shop_web.instance-gone']);
    expect(res.status, res.text).toBe(200);
    expect((res.body as unknown as Json[]).map((i) => i.instanceId).sort()).toEqual([one!.instanceId, two!.instanceId].sort());
    const notArray = await call('DELETE', '/v2/pods/shop/web::instances', { ids: [] });
    expect(notArray.status).toBe(422);
    expect(notArray.body.message).toBe('Invalid JSON');
  });
});

describe('pods elsewhere in the API', () => {
  it('/v2/groups embeds pods as PodStatus (not with embed=group.apps); deleting the group removes its pods; a group PUT keeps them', async () => {
    await createAndDeploy();
    const root = (await call('GET', '/v2/groups')).body;
    const shop = root.groups.find((g: Json) => g.id === '/shop');
    expect(shop.pods.map((p: Json) => [p.id, p.status, p.spec.id])).toEqual([['/shop/web', 'STABLE', '/shop/web']]);
    expect((await call('GET', '/v2/groups/shop?embed=group.apps')).body.pods).toEqual([]);
    expect((await call('GET', '/v2/groups/shop?embed=group.pods')).body.pods).toHaveLength(1);

    const put = await call('PUT', '/v2/groups/shop?force=true', { id: '/shop', apps: [{ id: 'api', cmd: 'sleep 100' }] });
    expect(put.status, put.text).toBe(200);
    expect(h.service.pod('/shop/web')).toBeDefined();
    expect((await call('GET', '/v2/groups/shop')).body.pods).toHaveLength(1);

    const removed = await call('DELETE', '/v2/groups/shop?force=true');
    expect(removed.status).toBe(200);
    expect(h.service.pod('/shop/web')).toBeUndefined();
    await h.finish(removed.body.deploymentId as string);
    expect(podInstances('/shop/web')).toEqual([]);
  });

  it('a group PUT whose `groups` leaves a subgroup out removes that subgroup`s pods; reverting the group brings them back', async () => {
    await createAndDeploy(webPod('/shop/inner/web', 1));
    const withPod = h.service.root().version;
    const dropped = await call('PUT', '/v2/groups/shop?force=true', { id: '/shop', groups: [] });
    expect(dropped.status, dropped.text).toBe(200);
    expect(h.service.pod('/shop/inner/web')).toBeUndefined();
    await h.finish(dropped.body.deploymentId as string);
    expect(podInstances('/shop/inner/web')).toEqual([]);

    const reverted = await call('PUT', '/v2/groups/shop?force=true', { version: withPod });
    expect(reverted.status, reverted.text).toBe(200);
    expect(h.service.pod('/shop/inner/web')).toBeDefined();
    await h.finish(reverted.body.deploymentId as string);
    expect(podInstances('/shop/inner/web')).toHaveLength(1);
    const inner = (await call('GET', '/v2/groups/shop/inner')).body;
    expect(inner.pods.map((p: Json) => p.id)).toEqual(['/shop/inner/web']);
  });

  it('pods are read-only at /v2/groups: a group body`s `pods` are ignored, as Marathon`s GroupUpdate has none', async () => {
    const res = await call('POST', '/v2/groups', { id: '/team', apps: [{ id: 'api', cmd: 'sleep 100' }], pods: [webPod('/team/web', 1)] });
    expect(res.status, res.text).toBe(201);
    expect(h.service.pod('/team/web')).toBeUndefined();
    expect((await call('GET', '/v2/groups/team')).body.pods).toEqual([]);
  });

  it('/v2/queue shows a waiting pod as `pod`, not `app`', async () => {
    const res = await createPod();
    expect(res.status).toBe(201);
    const queue = (await call('GET', '/v2/queue')).body.queue as Json[];
    const entry = queue.find((q) => q.pod?.id === '/shop/web');
    expect(entry).toBeDefined();
    expect(entry).not.toHaveProperty('app');
    expect(entry!.count).toBe(2);
    expect(entry!.pod).toEqual((await call('GET', '/v2/pods/shop/web')).body);
  });

  it('DELETE /v2/queue/{id}/delay resets a waiting pod`s delay (204), 404 once nothing waits', async () => {
    await createPod();
    const reset = await call('DELETE', '/v2/queue/shop/web/delay');
    expect(reset.status, reset.text).toBe(204);
    await h.finish((await call('GET', '/v2/deployments')).body[0].id as string);
    const none = await call('DELETE', '/v2/queue/shop/web/delay');
    expect(none.status).toBe(404);
    expect(none.body).toEqual({ message: 'Application /shop/web not found in tasks queue.' });
  });

  it('/v2/tasks leaves pod tasks out, as Marathon does (it lists app tasks only)', async () => {
    await createAndDeploy(webPod('/shop/web', 1));
    await createApp(h, { id: '/sleep', cmd: 'sleep 100', cpus: 0.1, mem: 16 });
    const tasks = (await call('GET', '/v2/tasks')).body.tasks as Json[];
    expect(tasks.some((t) => t.appId === '/shop/web')).toBe(false);
    expect(tasks.some((t) => t.appId === '/sleep')).toBe(true);
    // POST /v2/tasks/delete only kills tasks of apps: a pod's task ids are skipped.
    const [instance] = podInstances('/shop/web');
    const deleted = await call('POST', '/v2/tasks/delete', { ids: [instance!.podTasks![0]!.taskId] });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ tasks: [] });
    expect(podInstances('/shop/web')[0]!.condition).toBe('Running');
  });

  it('deployment events on /v2/events name the pod in their actions', async () => {
    const stream: RawStream = await openRaw(`${base}/v2/events?event_type=deployment_success`);
    try {
      await createAndDeploy(webPod('/evt', 1));
      await until(() => stream.text().includes('deployment_success'), 'deployment_success on the stream');
      const frame = stream
        .text()
        .split('\n\n')
        .find((f) => f.startsWith('event: deployment_success'))!;
      const event = JSON.parse(frame.split('\n')[1]!.slice('data: '.length)) as Json;
      expect(event.plan.steps.flatMap((s: Json) => s.actions)).toEqual([
        { action: 'StartPod', pod: '/evt' },
        { action: 'ScalePod', pod: '/evt' },
      ]);
    } finally {
      stream.close();
    }
  });

  it('pod events reach /v2/events subscribers with clientIp and uri', async () => {
    const stream: RawStream = await openRaw(`${base}/v2/events?event_type=pod_created_event&event_type=pod_deleted_event`);
    try {
      await createPod(webPod('/evt', 1));
      await call('DELETE', '/v2/pods/evt?force=true');
      await until(() => stream.text().includes('pod_deleted_event'), 'pod_deleted_event on the stream');
      const frames = stream
        .text()
        .split('\n\n')
        .filter((f) => f.startsWith('event: pod_'));
      expect(frames.map((f) => f.split('\n')[0])).toEqual(['event: pod_created_event', 'event: pod_deleted_event']);
      const created = JSON.parse(frames[0]!.split('\n')[1]!.slice('data: '.length)) as Json;
      expect(created).toEqual({ clientIp: '127.0.0.1', uri: '/v2/pods', eventType: 'pod_created_event', timestamp: expect.any(String) });
    } finally {
      stream.close();
    }
  });
});
