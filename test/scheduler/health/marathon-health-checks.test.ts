import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthCheck } from '../../../src/model/apps/types.js';
import type { AppDefinition, Instance } from '../../../src/scheduler/contracts.js';
import { MesosHealthView } from '../../../src/scheduler/core/health-view.js';
import { MarathonHealthChecks } from '../../../src/scheduler/health/index.js';
import {
  appWith,
  closedPort,
  closeServer,
  EventLog,
  httpServer,
  rawServer,
  runningInstance,
  silent,
  TestApps,
  TestTracker,
  until,
  V2,
  type TestHttpServer,
} from './fixtures.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Fast check: probed every 30 ms, out of grace at once, never killing unless asked. */
function fastCheck(overrides: Partial<HealthCheck> = {}): Partial<HealthCheck> {
  return { protocol: 'HTTP', path: '/health', intervalSeconds: 0.03, timeoutSeconds: 0.5, gracePeriodSeconds: 0, maxConsecutiveFailures: 0, ...overrides };
}

function setup(app: AppDefinition, opts: { maxConcurrentProbes?: number; onKill?: (instanceId: string) => void } = {}) {
  const tracker = new TestTracker();
  const apps = new TestApps(app);
  const log = new EventLog();
  const kills: Array<{ instanceId: string; reason: string }> = [];
  const checks = new MarathonHealthChecks({
    instances: () => tracker,
    apps,
    events: log.bus,
    logger: silent,
    killInstance: (instanceId, reason) => {
      kills.push({ instanceId, reason });
      opts.onKill?.(instanceId);
    },
    random: () => 0,
    ...(opts.maxConcurrentProbes !== undefined ? { maxConcurrentProbes: opts.maxConcurrentProbes } : {}),
  });
  cleanups.push(() => checks.stop());
  return { tracker, apps, log, kills, checks };
}

async function serve(handler: Parameters<typeof httpServer>[0]): Promise<TestHttpServer> {
  const server = await httpServer(handler);
  cleanups.push(() => server.close());
  return server;
}

const first = (checks: MarathonHealthChecks, instance: Instance) => checks.resultsOf(instance.instanceId)[0];

describe('HTTP checks', () => {
  it('marks an instance healthy when the endpoint answers 200 and publishes the health events', async () => {
    const paths: string[] = [];
    const server = await serve((req, res) => {
      paths.push(req.url ?? '');
      res.end('ok');
    });
    const app = appWith({ healthChecks: [fastCheck()] });
    const { tracker, log, checks } = setup(app);
    const instance = tracker.put(runningInstance(app, server.port));
    expect(checks.healthOf(instance, app)).toBeUndefined(); // checks but no result yet: neither healthy nor unhealthy
    checks.start();

    await until(() => first(checks, instance)?.alive === true, 'a successful check');
    expect(checks.healthOf(tracker.get(instance.instanceId)!, app)).toBe(true);
    expect(paths[0]).toBe('/health');
    const result = first(checks, instance)!;
    expect(result).toMatchObject({ instanceId: instance.instanceId, alive: true, consecutiveFailures: 0, lastFailure: null, lastFailureCause: null });
    expect(result.firstSuccess).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    expect(log.of('add_health_check_event')).toEqual([
      expect.objectContaining({
        appId: '/web',
        version: app.version,
        healthCheck: expect.objectContaining({ protocol: 'HTTP', path: '/health', portIndex: 0 }),
      }),
    ]);
    expect(log.of('health_status_changed_event')[0]).toMatchObject({ appId: '/web', instanceId: instance.instanceId, version: app.version, alive: true });
    expect(log.of('instance_health_changed_event')[0]).toMatchObject({
      instanceId: instance.instanceId,
      runSpecId: '/web',
      runSpecVersion: app.version,
      healthy: true,
    });
  });

  it('counts a 500 as a failure with the status as its cause', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const app = appWith({ healthChecks: [fastCheck()] });
    const { tracker, log, checks } = setup(app);
    const instance = tracker.put(runningInstance(app, server.port));
    checks.start();

    await until(() => (first(checks, instance)?.consecutiveFailures ?? 0) >= 2, 'two failures');
    expect(first(checks, instance)).toMatchObject({ alive: false, lastFailureCause: '500 Internal Server Error', firstSuccess: null });
    expect(checks.healthOf(instance, app)).toBe(false);
    expect(log.of('failed_health_check_event')[0]).toMatchObject({
      appId: '/web',
      taskId: instance.instanceId,
      healthCheck: expect.objectContaining({ protocol: 'HTTP' }),
    });
    expect(log.of('instance_health_changed_event')[0]).toMatchObject({ healthy: false });
  });

  it('fails a check that gets no answer within timeoutSeconds', async () => {
    const server = await serve(() => {
      // never answers
    });
    const app = appWith({ healthChecks: [fastCheck({ timeoutSeconds: 0.1, intervalSeconds: 0.2 })] });
    const { tracker, checks } = setup(app);
    const instance = tracker.put(runningInstance(app, server.port));
    checks.start();

    await until(() => first(checks, instance)?.consecutiveFailures === 1, 'a timed-out check');
    expect(first(checks, instance)!.lastFailureCause).toBe('no answer within 100 ms');
    expect(server.hits).toBeGreaterThanOrEqual(1);
  });

  it('accepts 3xx answers as healthy (redirects are not followed)', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', 'http://127.0.0.1:1/elsewhere');
      res.end();
    });
    const app = appWith({ healthChecks: [fastCheck()] });
    const { tracker, checks } = setup(app);
    const instance = tracker.put(runningInstance(app, server.port));
    checks.start();
    await until(() => first(checks, instance)?.alive === true, 'a 302 counted healthy');
  });

  it('counts 399 healthy and 400 unhealthy', async () => {
    let status = 399;
    const server = await serve((_req, res) => {
      res.statusCode = status;
      res.end();
    });
    const app = appWith({ healthChecks: [fastCheck()] });
    const { tracker, checks } = setup(app);
    const instance = tracker.put(runningInstance(app, server.port));
    checks.start();
    await until(() => first(checks, instance)?.alive === true, '399 healthy');
    status = 400;
    await until(() => first(checks, instance)?.alive === false, '400 unhealthy');
    expect(first(checks, instance)!.lastFailureCause).toBe('400 Bad Request');
  });

  it('ignores a 1xx answer with ignoreHttp1xx and fails it without', async () => {
    const processing = await rawServer('HTTP/1.1 102 Processing\r\n\r\n');
    cleanups.push(() => processing.close());
    const ignoring = appWith({ id: '/ignoring', healthChecks: [fastCheck({ ignoreHttp1xx: true })] });
    const strict = appWith({ id: '/strict', healthChecks: [fastCheck({ ignoreHttp1xx: false })] });
    const { tracker, apps, log, checks } = setup(ignoring);
    apps.set(strict);
    const quiet = tracker.put(runningInstance(ignoring, processing.port));
    const failing = tracker.put(runningInstance(strict, processing.port));
    checks.start();

    await until(() => (first(checks, failing)?.consecutiveFailures ?? 0) >= 3, 'three failed 1xx checks');
    expect(first(checks, failing)!.lastFailureCause).toBe('102 Processing');
    // Meanwhile the ignoring app's instance was asked as often, and nothing changed.
    await until(() => processing.hits >= 6, 'the ignoring instance checked too');
    expect(first(checks, quiet)).toMatchObject({ alive: false, consecutiveFailures: 0, lastFailure: null, firstSuccess: null });
    expect(log.of('failed_health_check_event').every((e) => e.appId === '/strict')).toBe(true);
  });
});

function openssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('HTTPS checks', () => {
  it.skipIf(!openssl())('accepts a self-signed certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pacer-health-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=task.invalid',
      ],
      { stdio: 'ignore' },
    );
    const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end('secure'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => closeServer(server));

    const app = appWith({ healthChecks: [fastCheck({ protocol: 'HTTPS' })] });
    const { tracker, checks } = setup(app);
    const instance = tracker.put(runningInstance(app, (server.address() as AddressInfo).port));
    checks.start();
    await until(() => first(checks, instance)?.alive === true, 'a healthy HTTPS check');
  });
});

describe('TCP checks', () => {
  it('is healthy while something accepts connections and fails when nothing listens', async () => {
    const listener = createNetServer((socket) => socket.destroy());
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    cleanups.push(() => closeServer(listener));
    const downPort = await closedPort();

    const app = appWith({ healthChecks: [fastCheck({ protocol: 'TCP', path: undefined })] });
    const { tracker, checks } = setup(app);
    const up = tracker.put(runningInstance(app, (listener.address() as AddressInfo).port));
    const down = tracker.put(runningInstance(app, downPort));
    checks.start();

    await until(() => first(checks, up)?.alive === true && (first(checks, down)?.consecutiveFailures ?? 0) >= 1, 'both TCP verdicts');
    expect(first(checks, down)!.lastFailureCause).toContain('ECONNREFUSED');
    expect(checks.healthOf(up, app)).toBe(true);
    expect(checks.healthOf(down, app)).toBe(false);
  });
});

describe('grace period and task state', () => {
  it('ignores failures within the grace period before the first success, and counts them after it', async () => {
    let healthy = false;
    const server = await serve((_req, res) => {
      res.statusCode = healthy ? 200 : 503;
      res.end();
    });
    const app = appWith({ healthChecks: [fastCheck({ gracePeriodSeconds: 300 })] });
    const { tracker, log, checks } = setup(app);
    const instance = tracker.put(runningInstance(app, server.port, { since: Date.now() }));
    checks.start();

    await until(() => server.hits >= 3, 'three checks in the grace period');
    // Ignored failures leave a result that knows nothing yet.
    expect(first(checks, instance)).toMatchObject({ alive: false, consecutiveFailures: 0, lastFailure: null, lastFailureCause: null });
    expect(log.of('failed_health_check_event')).toHaveLength(0);

    healthy = true;
    await until(() => first(checks, instance)?.alive === true, 'the first success');
    healthy = false;
    // Still within the grace period, but after a success failures count.
    await until(() => (first(checks, instance)?.consecutiveFailures ?? 0) >= 1, 'a counted failure');
    expect(log.of('failed_health_check_event').length).toBeGreaterThanOrEqual(1);
    expect(log.of('health_status_changed_event').map((e) => e.alive)).toEqual([true, false]);
  });

  it('counts failures of an instance that has been running longer than the grace period', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const app = appWith({ healthChecks: [fastCheck({ gracePeriodSeconds: 1 })] });
    const { tracker, checks } = setup(app);
    const instance = tracker.put(runningInstance(app, server.port, { since: Date.now() - 2000 }));
    checks.start();
    await until(() => (first(checks, instance)?.consecutiveFailures ?? 0) >= 1, 'a counted failure');
  });

  it('probes only Running instances, and starts when an instance becomes Running', async () => {
    const running = await serve((_req, res) => res.end());
    const staging = await serve((_req, res) => res.end());
    const app = appWith({ healthChecks: [fastCheck()] });
    const { tracker, checks } = setup(app);
    tracker.put(runningInstance(app, running.port));
    const later = tracker.put(runningInstance(app, staging.port, { condition: 'Staging' }));
    checks.start();

    await until(() => running.hits >= 3, 'three checks of the running instance');
    expect(staging.hits).toBe(0);
    expect(checks.resultsOf(later.instanceId)).toEqual([]);
    tracker.update(later.instanceId, { condition: 'Running', since: Date.now() });
    await until(() => first(checks, later)?.alive === true, 'the instance checked once running');
  });
});

describe('killing unhealthy instances', () => {
  it('kills on the (max+1)-th consecutive failure, once, with unhealthy_instance_kill_event', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const app = appWith({ healthChecks: [fastCheck({ maxConsecutiveFailures: 3 })] });
    let tracker!: TestTracker;
    const harness = setup(app, { onKill: (id) => tracker.update(id, { condition: 'Killing', since: Date.now() }) });
    tracker = harness.tracker;
    const { log, kills, checks } = harness;
    const instance = tracker.put(runningInstance(app, server.port));
    checks.start();

    await until(() => kills.length > 0, 'a kill');
    const sequence = log.events
      .filter((e) => e.eventType === 'failed_health_check_event' || e.eventType === 'unhealthy_instance_kill_event')
      .map((e) => e.eventType);
    expect(sequence).toEqual([
      'failed_health_check_event',
      'failed_health_check_event',
      'failed_health_check_event',
      'failed_health_check_event',
      'unhealthy_instance_kill_event',
    ]);
    expect(kills).toEqual([{ instanceId: instance.instanceId, reason: 'failed health checks: 500 Internal Server Error' }]);
    expect(first(checks, instance)!.consecutiveFailures).toBe(4);
    expect(log.of('unhealthy_instance_kill_event')[0]).toMatchObject({
      appId: '/web',
      taskId: instance.taskId,
      instanceId: instance.instanceId,
      version: app.version,
      reason: '500 Internal Server Error',
      host: '127.0.0.1',
      slaveId: 'agent-1',
    });
    // Killing is not Running: the instance is not probed any more, so no second kill comes.
    // A healthy neighbour shows time passing: several of its rounds, at most one straggler here.
    const hits = server.hits;
    const neighbour = await serve((_req, res) => res.end());
    tracker.put(runningInstance(app, neighbour.port));
    await until(() => neighbour.hits >= 5, 'five rounds of the neighbour');
    expect(server.hits).toBeLessThanOrEqual(hits + 1);
    expect(kills).toHaveLength(1);
  });

  it('never kills with maxConsecutiveFailures 0', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const app = appWith({ healthChecks: [fastCheck({ maxConsecutiveFailures: 0 })] });
    const { tracker, log, kills, checks } = setup(app);
    const instance = tracker.put(runningInstance(app, server.port));
    checks.start();
    await until(() => (first(checks, instance)?.consecutiveFailures ?? 0) >= 6, 'six failures');
    expect(kills).toEqual([]);
    expect(log.of('unhealthy_instance_kill_event')).toEqual([]);
  });

  it('does not kill an instance marked unreachable', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const app = appWith({ healthChecks: [fastCheck({ maxConsecutiveFailures: 1 })] });
    const { tracker, kills, log, checks } = setup(app);
    const instance = tracker.put(runningInstance(app, server.port, { unreachableSince: Date.now() }));
    checks.start();
    await until(() => (first(checks, instance)?.consecutiveFailures ?? 0) >= 4, 'four failures');
    expect(kills).toEqual([]);
    expect(log.of('unhealthy_instance_kill_event')).toEqual([]);
  });
});

describe('bounded concurrency', () => {
  it('never has more probes in flight than the limit, counted by the server', async () => {
    const server = await serve((_req, res) => {
      setTimeout(() => res.end('slow'), 40);
    });
    const app = appWith({ healthChecks: [fastCheck({ intervalSeconds: 60, timeoutSeconds: 20 })] });
    const { tracker, checks } = setup(app, { maxConcurrentProbes: 16 });
    const instances = Array.from({ length: 200 }, () => tracker.put(runningInstance(app, server.port)));
    checks.start();

    await until(() => instances.every((i) => first(checks, i)?.alive === true), 'all 200 instances checked', 20_000);
    expect(server.hits).toBe(200);
    expect(server.maxInFlight).toBe(16);
  });
});

describe('bookkeeping', () => {
  it('forgets an expunged instance and removes the checks of a version nothing runs any more', async () => {
    const server = await serve((_req, res) => res.end());
    const v1 = appWith({ healthChecks: [fastCheck()] });
    const { tracker, apps, log, checks } = setup(v1);
    const old = tracker.put(runningInstance(v1, server.port));
    checks.start();
    await until(() => first(checks, old)?.alive === true, 'the old instance healthy');

    const v2 = appWith({ version: V2, healthChecks: [fastCheck({ path: '/v2' })] });
    apps.set(v2);
    const replacement = tracker.put(runningInstance(v2, server.port));
    await until(() => first(checks, replacement)?.alive === true, 'the new instance healthy');
    expect(log.of('add_health_check_event').map((e) => e.version)).toEqual([v1.version, V2]);

    tracker.update(old.instanceId, { condition: 'Killed', since: Date.now() });
    tracker.expunge(old.instanceId);
    expect(checks.resultsOf(old.instanceId)).toEqual([]);
    expect(log.of('remove_health_check_event')).toEqual([expect.objectContaining({ appId: '/web' })]);
    expect(checks.healthOf(old, v1)).toBeUndefined();
  });

  it('starts afresh when the instance gets a new task', async () => {
    let healthy = true;
    const server = await serve((_req, res) => {
      res.statusCode = healthy ? 200 : 500;
      res.end();
    });
    const app = appWith({ healthChecks: [fastCheck()] });
    const { tracker, checks } = setup(app);
    const instance = tracker.put(runningInstance(app, server.port));
    checks.start();
    await until(() => first(checks, instance)?.alive === true, 'healthy');
    healthy = false;
    tracker.update(instance.instanceId, { taskId: `${instance.instanceId}._app.2`, incarnation: 2, condition: 'Staging', since: Date.now() });
    expect(checks.resultsOf(instance.instanceId)).toEqual([]);
  });

  it('loads the definition of an older version that instances still run', async () => {
    const server = await serve((_req, res) => res.end());
    const v1 = appWith({ healthChecks: [fastCheck()] });
    const v2 = appWith({ version: V2, healthChecks: [] });
    const { tracker, apps, checks } = setup(v1);
    apps.set(v2); // current is v2 (no checks); the instance runs v1
    const instance = tracker.put(runningInstance(v1, server.port));
    checks.start();
    await until(() => first(checks, instance)?.alive === true, 'the v1 check run');
    expect(checks.healthOf(instance, v2)).toBeUndefined();
    expect(checks.healthOf(instance, v1)).toBe(true);
  });

  it('stops probing on stop()', async () => {
    const server = await serve((_req, res) => res.end());
    const app = appWith({ healthChecks: [fastCheck()] });
    const { tracker, checks } = setup(app);
    const instance = tracker.put(runningInstance(app, server.port));
    checks.start();
    await until(() => first(checks, instance)?.alive === true, 'healthy');
    await checks.stop();
    expect(checks.running).toBe(false);
    expect(checks.resultsOf(instance.instanceId)).toEqual([]);
  });

  it('plugs into the core as its marathonChecks: health, results and changes flow through', async () => {
    const server = await serve((_req, res) => res.end());
    const app = appWith({ healthChecks: [fastCheck()] });
    const { tracker, checks } = setup(app);
    const coreView = new MesosHealthView({ marathonChecks: checks });
    const changes: Array<[string, boolean | undefined]> = [];
    coreView.onChange((id, healthy) => changes.push([id, healthy]));
    const instance = tracker.put(runningInstance(app, server.port));
    checks.start();
    await until(() => changes.length > 0, 'a health change through the core view');
    expect(changes[0]).toEqual([instance.instanceId, true]);
    expect(coreView.healthOf(instance, app)).toBe(true);
    expect(coreView.resultsOf(instance.instanceId)).toEqual([expect.objectContaining({ instanceId: instance.instanceId, alive: true })]);
  });
});
