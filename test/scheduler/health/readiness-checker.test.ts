import { afterEach, describe, expect, it } from 'vitest';
import type { ReadinessCheck } from '../../../src/model/apps/types.js';
import type { AppDefinition } from '../../../src/scheduler/contracts.js';
import { ReadinessChecker } from '../../../src/scheduler/health/index.js';
import { appWith, closedPort, httpServer, runningInstance, silent, TestApps, TestTracker, until, V1, V2, type TestHttpServer } from './fixtures.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function readiness(overrides: Partial<ReadinessCheck> = {}): Partial<ReadinessCheck> {
  return { path: '/ready', intervalSeconds: 0.03, timeoutSeconds: 0.5, httpStatusCodesForReady: [200], preserveLastResponse: true, ...overrides };
}

function setup(app: AppDefinition) {
  const tracker = new TestTracker();
  const apps = new TestApps(app);
  const checker = new ReadinessChecker({ instances: tracker, apps, logger: silent });
  const changes: string[] = [];
  checker.onChange((id) => changes.push(id));
  cleanups.push(() => checker.close());
  return { tracker, apps, checker, changes };
}

async function serve(handler: Parameters<typeof httpServer>[0]): Promise<TestHttpServer> {
  const server = await httpServer(handler);
  cleanups.push(() => server.close());
  return server;
}

describe('readiness checks', () => {
  it('becomes ready once the endpoint answers 200, keeping the last response', async () => {
    let warm = false;
    const paths: string[] = [];
    const server = await serve((req, res) => {
      paths.push(req.url ?? '');
      if (warm) {
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end('{"ok":true}');
      } else {
        res.statusCode = 503;
        res.setHeader('content-type', 'text/plain');
        res.end('warming up');
      }
    });
    const app = appWith({ readinessChecks: [readiness()] });
    const { tracker, checker, changes } = setup(app);
    const instance = tracker.put(runningInstance(app, server.port));

    expect(checker.isReady(instance, app)).toBe(false);
    await until(() => checker.resultsOf(app.id).length === 1, 'a first readiness result');
    expect(checker.resultsOf(app.id)).toEqual([
      { name: 'readinessCheck', taskId: instance.taskId, ready: false, lastResponse: { status: 503, contentType: 'text/plain', body: 'warming up' } },
    ]);
    expect(paths[0]).toBe('/ready');
    expect(checker.isReady(instance, app)).toBe(false);

    warm = true;
    await until(() => changes.includes(instance.instanceId), 'the readiness change');
    expect(checker.isReady(instance, app)).toBe(true);
    expect(checker.resultsOf(app.id)).toEqual([
      { name: 'readinessCheck', taskId: instance.taskId, ready: true, lastResponse: { status: 200, contentType: 'application/json', body: '{"ok":true}' } },
    ]);

    // A ready task is not polled again; a second, new instance shows time passing meanwhile.
    const hits = server.hits;
    const other = await serve((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    tracker.put(runningInstance(app, other.port));
    await until(() => other.hits >= 5, 'five polls of the second instance');
    expect(server.hits).toBe(hits);
  });

  it('accepts any of httpStatusCodesForReady and keeps no response without preserveLastResponse', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    const app = appWith({ readinessChecks: [readiness({ httpStatusCodesForReady: [200, 204], preserveLastResponse: false })] });
    const { tracker, checker } = setup(app);
    const instance = tracker.put(runningInstance(app, server.port));
    checker.isReady(instance, app);
    await until(() => checker.isReady(instance, app), 'ready on 204');
    expect(checker.resultsOf(app.id)).toEqual([{ name: 'readinessCheck', taskId: instance.taskId, ready: true }]);
  });

  it('reports an unreachable endpoint as a 504 answer naming the URL', async () => {
    const port = await closedPort();
    const app = appWith({ readinessChecks: [readiness()] });
    const { tracker, checker } = setup(app);
    const instance = tracker.put(runningInstance(app, port));
    checker.isReady(instance, app);
    await until(() => checker.resultsOf(app.id).length === 1, 'a failed query');
    const [result] = checker.resultsOf(app.id);
    expect(result).toMatchObject({ ready: false, lastResponse: { status: 504, contentType: 'text/plain' } });
    expect(result!.lastResponse!.body).toMatch(new RegExp(`^Pacer could not query http://127\\.0\\.0\\.1:${port}/ready: .*ECONNREFUSED`));
  });

  it('counts apps without readiness checks and instances of other versions as ready, without polling', async () => {
    const server = await serve((_req, res) => res.end());
    const plain = appWith({ id: '/plain' });
    const app = appWith({ version: V2, readinessChecks: [readiness()] });
    const { tracker, apps, checker } = setup(app);
    apps.set(plain);
    const old = tracker.put(runningInstance({ ...app, version: V1 }, server.port));
    expect(checker.isReady(tracker.put(runningInstance(plain, server.port)), plain)).toBe(true);
    expect(checker.isReady(old, app)).toBe(true);
    expect(checker.resultsOf(app.id)).toEqual([]);
    expect(server.hits).toBe(0);
  });

  it('polls new instances once they run, and ends the watch when the app version moves on', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const app = appWith({ readinessChecks: [readiness()] });
    const { tracker, apps, checker } = setup(app);
    const first = tracker.put(runningInstance(app, server.port));
    const staging = tracker.put(runningInstance(app, server.port, { condition: 'Staging' }));
    expect(checker.isReady(first, app)).toBe(false);
    await until(() => checker.resultsOf(app.id).length === 1, 'the running instance polled');
    expect(checker.resultsOf(app.id).map((r) => r.taskId)).toEqual([first.taskId]);

    tracker.update(staging.instanceId, { condition: 'Running', since: Date.now() });
    await until(() => checker.resultsOf(app.id).length === 2, 'the second instance polled once running');

    apps.set({ ...app, version: V2 });
    tracker.update(first.instanceId, { condition: 'Killing' });
    expect(checker.resultsOf(app.id)).toEqual([]);
  });

  it('forgets the results of an instance that is expunged', async () => {
    const server = await serve((_req, res) => res.end());
    const app = appWith({ readinessChecks: [readiness()] });
    const { tracker, checker } = setup(app);
    const instance = tracker.put(runningInstance(app, server.port));
    checker.isReady(instance, app);
    await until(() => checker.isReady(instance, app), 'ready');
    tracker.update(instance.instanceId, { condition: 'Killed' });
    tracker.expunge(instance.instanceId);
    expect(checker.resultsOf(app.id)).toEqual([]);
  });
});
