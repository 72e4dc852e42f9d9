/**
 * runClientCommand in-process against a real HTTP server (the Marathon facade and event stream
 * over the real service; a timer moves the fake cluster on): output, exit codes, waiting, events.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runClientCommand, type ClientIo } from '../../src/cli/client/index.js';
import { startServer, type TestServer } from './client-server.js';

class Capture {
  text = '';
  constructor(
    readonly isTTY = false,
    readonly columns?: number,
  ) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let server: TestServer;
let dir: string;

async function pacer(args: string[], opts: { stdin?: string; signal?: AbortSignal; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: ClientIo = {
    stdout,
    stderr,
    stdin: Readable.from([opts.stdin ?? '']),
    env: opts.env ?? { PACER_URL: server.url },
    pollIntervalMs: 10,
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  const code = await runClientCommand(args, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function appFile(name: string, body: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pacer-client-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  server = await startServer({ tickMs: 30 });
});
afterEach(async () => {
  await server.close();
});

describe('app commands', () => {
  it('adds an app from a file, waits for its deployment and lists it running', async () => {
    const file = await appFile('sleep.json', { id: '/sleep', cmd: 'sleep 1000', cpus: 0.1, mem: 32, instances: 2 });
    const add = await pacer(['app', 'add', file]);
    expect(add.code).toBe(0);
    const id = /^Created app \/sleep \(deployment ([0-9a-f-]{36})\)\n$/.exec(add.stdout)?.[1];
    expect(id).toBeDefined();
    // Not a terminal: one plain line per observed change, then the outcome. The service runs
    // the empty StartApplication step at once, so a poll may or may not catch steps 0 and 1;
    // the scale step needs two moves of the cluster (staging, running) and the client reads it
    // between them. A poll may also land after both instances run but before the deployment is
    // marked finished, so the running count only ever grows.
    const progress = add.stderr.split('\n');
    expect(progress.pop()).toBe('');
    expect(progress.pop()).toMatch(new RegExp(`^deployment ${id} finished \\(\\d+s\\)$`));
    const parse = (line: string): { step: number; running: number } => {
      const match = new RegExp(
        `^deployment ${id} step (\\d)/2 (?:\\(waiting\\)|StartApplication /sleep|ScaleApplication /sleep): /sleep ([0-2])/2 running$`,
      ).exec(line);
      expect(match, line).not.toBeNull();
      return { step: Number(match![1]), running: Number(match![2]) };
    };
    const observed = progress.map(parse);
    const steps = observed.map((o) => o.step);
    const running = observed.map((o) => o.running);
    expect(steps).toEqual([...steps].sort());
    expect(running).toEqual([...running].sort());
    expect(new Set(progress).size).toBe(progress.length);
    expect(progress.at(-1)).toMatch(new RegExp(`^deployment ${id} step 2/2 ScaleApplication /sleep: /sleep [0-2]/2 running$`));

    const list = await pacer(['app', 'list']);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+INSTANCES\s+HEALTH\s+DEPLOYMENTS\s+CPUS\s+MEM$/);
    expect(lines[1]).toMatch(/^\/sleep\s+2\/2\s+-\s+-\s+0\.1\s+32$/);
  });

  it('reads the app from stdin, prints the server JSON with --json and returns at once with --no-wait', async () => {
    const run = await pacer(['app', 'add', '-', '--json', '--no-wait'], { stdin: JSON.stringify({ id: 'web', cmd: 'sleep 1', instances: 1 }) });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const created = JSON.parse(run.stdout) as { id: string; deployments: Array<{ id: string }> };
    expect(created.id).toBe('/web');
    const deployments = await pacer(['deployment', 'list', '--json']);
    expect((JSON.parse(deployments.stdout) as Array<{ id: string }>).map((d) => d.id)).toEqual([created.deployments[0]!.id]);
  });

  it('scales, shows the app with its tasks, kills a task with --scale, restarts and removes', async () => {
    await appFile('s.json', {});
    expect((await pacer(['app', 'add', await appFile('s.json', { id: '/sleep', cmd: 'sleep 1000', instances: 1 })])).code).toBe(0);

    const scale = await pacer(['app', 'scale', '/sleep', '3']);
    expect(scale.code).toBe(0);
    expect(scale.stdout).toMatch(/^Scaling app \/sleep to 3 \(deployment [0-9a-f-]{36}\)\n$/);
    // The last poll before the end may see one, two or all three instances running, depending on how fast they start.
    expect(scale.stderr.split('\n').slice(-3)).toEqual([
      expect.stringMatching(/^deployment [0-9a-f-]{36} step 1\/1 ScaleApplication \/sleep: \/sleep [123]\/3 running$/),
      expect.stringMatching(/^deployment [0-9a-f-]{36} finished \(\d+s\)$/),
      '',
    ]);

    const tasks = await pacer(['task', 'list', '/sleep', '--json']);
    const ids = (JSON.parse(tasks.stdout) as { tasks: Array<{ id: string }> }).tasks.map((t) => t.id);
    expect(ids).toHaveLength(3);
    const table = await pacer(['task', 'list']);
    expect(table.stdout.trim().split('\n')).toHaveLength(4);
    expect(table.stdout).toMatch(/^ID\s+APP\s+STATE\s+HOST\s+PORTS\s+HEALTH\s+STARTED\n/);
    expect(table.stdout).toContain('TASK_RUNNING');

    const show = await pacer(['app', 'show', 'sleep']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^ID:\s+\/sleep\nCommand:\s+sleep 1000\nInstances:\s+3\/3\n/);
    for (const id of ids) expect(show.stdout).toContain(id);

    const kill = await pacer(['task', 'kill', ids[0]!, '--scale']);
    expect(kill.code).toBe(0);
    expect(kill.stdout).toMatch(/^Killing 1 task\(s\) and scaling down \(deployment [0-9a-f-]{36}\)\n$/);
    expect(server.service.app('/sleep')?.instances).toBe(2);
    // The command waited for its deployment: the killed instance is decommissioned (killed, or
    // already expunged), the other two still run.
    const killed = ids[0]!.replace(/\._app\.1$/, '');
    expect(['Decommissioned', undefined]).toContain(server.cluster.tracker.get(killed)?.goal);
    const wanted = server.cluster.tracker.ofApp('/sleep').filter((i) => i.goal === 'Running');
    expect(wanted.map((i) => [i.instanceId, i.condition]).sort()).toEqual(
      ids
        .slice(1)
        .map((t) => [t.replace(/\._app\.1$/, ''), 'Running'])
        .sort(),
    );

    const restart = await pacer(['app', 'restart', '/sleep']);
    expect(restart.code).toBe(0);
    expect(restart.stderr).toContain('RestartApplication /sleep');

    const remove = await pacer(['app', 'remove', '/sleep']);
    expect(remove.code).toBe(0);
    expect(remove.stderr).toContain('StopApplication /sleep: /sleep removed');
    expect((await pacer(['app', 'list'])).stdout).toBe('No apps.\n');
  });

  it('updates an app from a file', async () => {
    expect((await pacer(['app', 'add', await appFile('u.json', { id: '/u', cmd: 'sleep 1', instances: 1 })])).code).toBe(0);
    const update = await pacer(['app', 'update', '/u', await appFile('u2.json', { cmd: 'sleep 2' })]);
    expect(update.code).toBe(0);
    expect(update.stdout).toMatch(/^Updating app \/u \(deployment /);
    expect(server.service.app('/u')?.cmd).toBe('sleep 2');
  });
});

/** Two containers on the host network sharing an ephemeral volume, one with an HTTP endpoint. */
const POD = {
  id: '/web',
  scaling: { kind: 'fixed', instances: 2 },
  containers: [
    {
      name: 'server',
      exec: { command: { shell: 'python3 -m http.server $ENDPOINT_HTTP' } },
      resources: { cpus: 0.2, mem: 64 },
      endpoints: [{ name: 'http', hostPort: 0 }],
      volumeMounts: [{ name: 'shared', mountPath: 'shared' }],
    },
    { name: 'sidecar', exec: { command: { shell: 'sleep 1000' } }, resources: { cpus: 0.1, mem: 32 }, volumeMounts: [{ name: 'shared', mountPath: 'shared' }] },
  ],
  volumes: [{ name: 'shared' }],
  networks: [{ mode: 'host' }],
};

describe('pod commands', () => {
  it('adds a pod and waits, lists and shows it with its instances, scales it, kills an instance, removes it', async () => {
    const add = await pacer(['pod', 'add', await appFile('pod.json', POD)]);
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/^Created pod \/web \(deployment [0-9a-f-]{36}\)\n$/);
    // A new pod deploys as StartPod then ScalePod; the polls may see either step.
    expect(add.stderr).toMatch(/(StartPod|ScalePod) \/web/);
    expect(add.stderr).toMatch(/deployment [0-9a-f-]{36} finished \(\d+s\)\n$/);

    const list = await pacer(['pod', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')).toEqual([
      expect.stringMatching(/^ID\s+STATUS\s+INSTANCES\s+CONTAINERS\s+CPUS\s+MEM$/),
      expect.stringMatching(/^\/web\s+STABLE\s+2\/2\s+server,sidecar\s+0\.4\s+128$/),
      '',
    ]);

    const show = await pacer(['pod', 'show', 'web']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^ID:\s+\/web\nStatus:\s+STABLE\nInstances:\s+2\/2\n/);
    expect(show.stdout).toContain('Container server:  python3 -m http.server $ENDPOINT_HTTP  [cpus 0.2, mem 64]');
    const rows = show.stdout.split('\n').filter((l) => /^web\.instance-/.test(l));
    // One row per container of each instance, every container running, the server with its host port.
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row).toMatch(/\sSTABLE\s+(server|sidecar)\s+TASK_RUNNING\s/);
    expect(rows.filter((r) => /\sserver\s/.test(r)).every((r) => /\shttp:\d+\s/.test(r))).toBe(true);

    const scale = await pacer(['pod', 'scale', '/web', '3']);
    expect(scale.code).toBe(0);
    expect(scale.stdout).toMatch(/^Scaling pod \/web to 3 \(deployment [0-9a-f-]{36}\)\n$/);
    expect(scale.stderr).toMatch(/ScalePod \/web: \/web [0-3]\/3 running\n/);
    expect(server.service.pod('/web')?.scaling.instances).toBe(3);

    const status = JSON.parse((await pacer(['pod', 'show', '/web', '--json'])).stdout) as { instances: Array<{ id: string; status: string }> };
    expect(status.instances.map((i) => i.status)).toEqual(['STABLE', 'STABLE', 'STABLE']);
    const victim = status.instances[0]!.id;

    const kill = await pacer(['pod', 'kill', '/web', victim]);
    expect(kill).toEqual({ code: 0, stdout: `Killed 1 instance(s) of pod /web: ${victim}\n`, stderr: '' });
    const none = await pacer(['pod', 'kill', '/web', 'web.instance-00000000-1111-11ef-8000-000000000000']);
    expect(none.stdout).toBe('No instance of pod /web matched.\n');

    const remove = await pacer(['pod', 'remove', '/web']);
    expect(remove.code).toBe(0);
    expect(remove.stdout).toMatch(/^Removing pod \/web \(deployment [0-9a-f-]{36}\)\n$/);
    expect(remove.stderr).toContain('StopPod /web: /web removed');
    expect((await pacer(['pod', 'list'])).stdout).toBe('No pods.\n');
  });

  it("refuses an invalid pod with Marathon's message, and a missing pod with exit 5", async () => {
    const bad = await pacer(['pod', 'add', '-'], { stdin: JSON.stringify({ ...POD, volumes: [] }) });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^pacer: POST \/v2\/pods: HTTP 422: Object is not valid\n/);
    expect(bad.stderr).toContain('/containers(0)/volumeMounts(0)/name: Referenced Volume in VolumeMount should exist');
    const show = await pacer(['pod', 'show', '/nope']);
    expect(show.code).toBe(5);
    expect(show.stderr).toMatch(/^pacer: GET \/v2\/pods\/nope::status: HTTP 404: /);
    expect((await pacer(['pod', 'scale', '/nope', '2'])).code).toBe(5);
    expect((await pacer(['pod', 'kill', '/web'], { env: { PACER_URL: 'http://127.0.0.1:1' } })).code).toBe(2);
  });
});

describe('errors and exit codes', () => {
  it("exits 1 on 422 and prints Marathon's message and details", async () => {
    const run = await pacer(['app', 'add', await appFile('bad.json', { id: '/bad', instances: 1 })]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^pacer: POST \/v2\/apps: HTTP 422: Object is not valid\n {2}\/: .*'cmd' or 'args'/);
  });

  it('exits 1 on malformed JSON, showing the parser detail', async () => {
    const run = await pacer(['app', 'add', await appFile('broken.json', '{"id": "/x"')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/HTTP 400: Invalid JSON\n {2}\S/);
  });

  it('exits 1 on a deployment lock and names the deployment; --force goes through', async () => {
    server.pause();
    const first = await pacer(['app', 'add', await appFile('l.json', { id: '/l', cmd: 'sleep 1', instances: 1 }), '--no-wait']);
    const locking = /deployment ([0-9a-f-]{36})/.exec(first.stdout)![1]!;
    const scale = await pacer(['app', 'scale', '/l', '2', '--no-wait']);
    expect(scale.code).toBe(1);
    expect(scale.stderr).toContain('HTTP 409: App is locked by one or more deployments.');
    expect(scale.stderr).toContain(`locked by deployment ${locking} (--force overrides)`);
    expect((await pacer(['app', 'scale', '/l', '2', '--no-wait', '--force'])).code).toBe(0);
  });

  it('exits 5 when the app, task or deployment does not exist', async () => {
    const show = await pacer(['app', 'show', '/nope']);
    expect(show).toEqual({ code: 5, stdout: '', stderr: "pacer: GET /v2/apps/nope: HTTP 404: App '/nope' does not exist\n" });
    expect((await pacer(['app', 'scale', '/nope', '2'])).code).toBe(5);
    const kill = await pacer(['task', 'kill', 'nope.instance-00000000-1111-11ef-8000-000000000000._app.1']);
    expect(kill.code).toBe(5);
    expect(kill.stderr).toContain('no such task: nope.instance-');
    expect((await pacer(['deployment', 'watch', 'no-such-deployment'])).code).toBe(5);
    expect((await pacer(['deployment', 'cancel', 'no-such-deployment'])).code).toBe(5);
  });

  it('exits 3 when nothing listens at the URL', async () => {
    const closed = await startServer({ autoDeploy: false });
    const url = closed.url;
    await closed.close();
    const run = await pacer(['app', 'list', '--url', url]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(new RegExp(`^pacer: cannot reach ${url}: ECONNREFUSED`));
  });

  it('exits 4 when the deployment fails, and when --timeout passes first', async () => {
    server.pause();
    const failing = pacer(['app', 'add', await appFile('d.json', { id: '/doomed', cmd: 'sleep 1', instances: 1 })]);
    // Someone else cancels the deployment the command waits for (force: no rollback).
    await until(() => server.service.deployments().length === 1);
    const [doomed] = server.service.deployments();
    const cancel = await fetch(`${server.url}/v2/deployments/${doomed!.id}?force=true`, { method: 'DELETE' });
    expect(cancel.status).toBe(202);
    const failed = await failing;
    expect(failed.code).toBe(4);
    expect(failed.stderr).toMatch(new RegExp(`deployment ${doomed!.id} failed: The upgrade has been cancelled\n`));

    const slow = await pacer(['app', 'add', await appFile('t.json', { id: '/slow', cmd: 'sleep 1', instances: 1 }), '--timeout', '50ms']);
    expect(slow.code).toBe(4);
    expect(slow.stderr).toMatch(/still running after 0s \(--timeout\); it goes on: pacer deployment watch [0-9a-f-]{36}\n$/);
  });

  it('exits 2 on usage errors without calling the server', async () => {
    const cases: string[][] = [
      ['app', 'scale', '/x', 'three'],
      ['app', 'add'],
      ['app', 'list', 'extra'],
      ['app', 'list', '--bogus'],
      ['app', 'frobnicate'],
      ['app', 'add', path.join(os.tmpdir(), 'pacer-no-such-file.json')],
      ['app', 'list', '--url', 'ftp://example'],
      ['app', 'list', '--user', 'nocolon'],
      ['app', 'add', '-', '--timeout', 'soon'],
      ['app'],
    ];
    for (const args of cases) {
      const run = await pacer(args, { env: { PACER_URL: 'http://127.0.0.1:1' } });
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).not.toBe('');
    }
  });
});

describe('deployments, queue and events', () => {
  it('lists, watches and cancels deployments', async () => {
    server.pause();
    const add = await pacer(['app', 'add', await appFile('w.json', { id: '/w', cmd: 'sleep 1', instances: 1 }), '--no-wait']);
    const id = /deployment ([0-9a-f-]{36})/.exec(add.stdout)![1]!;
    const list = await pacer(['deployment', 'list']);
    // The plan starts at once; the cluster is paused, so it stays in its first or its scale step.
    expect(list.stdout).toMatch(
      new RegExp(`^ID\\s+AFFECTED\\s+STEP\\s+CURRENT ACTIONS\\s+VERSION\n${id}\\s+/w\\s+(?:1/2\\s+StartApplication /w|2/2\\s+ScaleApplication /w)\\s+\\S+\n$`),
    );

    const cancel = await pacer(['deployment', 'cancel', id]);
    expect(cancel.code).toBe(0);
    const rollback = new RegExp(`^Cancelled deployment ${id}; rolling back with deployment ([0-9a-f-]{36})`).exec(cancel.stdout)?.[1];
    expect(rollback).toBeDefined();

    const resumed = await startServer({ tickMs: 20 });
    try {
      const add2 = await pacer(['app', 'add', await appFile('w2.json', { id: '/w2', cmd: 'sleep 1', instances: 1 }), '--no-wait', '--url', resumed.url]);
      const id2 = /deployment ([0-9a-f-]{36})/.exec(add2.stdout)![1]!;
      const watch = await pacer(['deployment', 'watch', id2, '--url', resumed.url]);
      expect(watch.code).toBe(0);
      expect(watch.stderr).toMatch(new RegExp(`deployment ${id2} finished`));
    } finally {
      await resumed.close();
    }
  });

  it('summarises why queued apps wait', async () => {
    expect((await pacer(['app', 'add', await appFile('q.json', { id: '/q', cmd: 'sleep 1', cpus: 64, instances: 2 })])).code).toBe(0);
    server.setQueue([
      {
        app: server.service.app('/q')!,
        count: 2,
        delay: { timeLeftSeconds: 0, overdue: true },
        since: '2024-05-01T12:00:00.000Z',
        processedOffersSummary: {
          processedOffersCount: 12,
          unusedOffersCount: 12,
          rejectSummaryLastOffers: [
            { reason: 'UnfulfilledRole', declined: 0, processed: 12 },
            { reason: 'InsufficientCpus', declined: 12, processed: 12 },
          ],
          rejectSummaryLaunchAttempt: [],
        },
        lastUnusedOffers: [],
      },
    ]);
    const run = await pacer(['queue']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^APP\s+WAITING\s+DELAY\s+OFFERS\s+SINCE\n\/q\s+2\s+none\s+12\/12 unused\s+2024-05-01T12:00:00.000Z\n/);
    expect(run.stdout).toContain('/q: offers declined: not enough cpus (InsufficientCpus: 12 of 12 offers)');
  });

  it('streams events as JSON lines filtered by --type, and as readable lines until interrupted', async () => {
    const stream = pacer(['events', '--json', '--type', 'deployment_success', '--count', '1']);
    const readable = new AbortController();
    const lines = pacer(['events', '--type=deployment_info,deployment_success'], { signal: readable.signal });
    // Both streams are attached once the server counts them (the hub publishes attach events).
    await until(() => server.app.eventStream.stats().clients.length >= 2);
    const add = await pacer(['app', 'add', await appFile('e.json', { id: '/e', cmd: 'sleep 1', instances: 1 })]);
    const id = /deployment ([0-9a-f-]{36})/.exec(add.stdout)![1]!;
    const first = await stream;
    expect(first.code).toBe(0);
    const event = JSON.parse(first.stdout) as { eventType: string; id: string };
    expect(event).toMatchObject({ eventType: 'deployment_success', id });
    readable.abort();
    const text = await lines;
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(` deployment_info deployment=${id} actions=StartApplication:/e\n`);
    expect(text.stdout).toMatch(new RegExp(`^\\S+Z deployment_success deployment=${id}$`, 'm'));
  });
});

/** Polls a condition of the in-process server; bounded. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!done()) throw new Error('condition not reached');
}
