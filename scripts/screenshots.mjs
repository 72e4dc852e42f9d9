#!/usr/bin/env node
// The README's screenshots, taken from a real Pacer: `npm run screenshots` (builds first).
//
//   node scripts/screenshots.mjs                      # every screen into docs/screenshots/
//   node scripts/screenshots.mjs --out /tmp/shots     # elsewhere
//   node scripts/screenshots.mjs --only apps,app      # some screens
//
// It starts `bin/pacer.js serve --master local` on a free port with a temporary data directory,
// creates a small demo (the /shop and /tools groups, an app whose task fails with a stderr line,
// an app no agent can place, a deployment held by a health check that never passes), drives the
// system's headless Chromium (playwright-core, never a downloaded browser) over the UI in its
// light theme at 1280×800, and stops Pacer and its tasks at the end. Every wait is bounded and
// the whole run has a deadline. A screen whose page is not there yet is taken as the UI shows it
// (an unknown route shows the apps page); a screen that cannot be taken at all is reported and
// makes the exit status 1, the others are still written.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = '/usr/bin/chromium';
const VIEWPORT = { width: 1280, height: 800 };
const DEADLINE_MS = 5 * 60_000;
/** Bound for one page condition. */
const WAIT_MS = 15_000;
const SCREENS = ['apps', 'group', 'app', 'task-actions', 'failed-app', 'deployments', 'queue', 'task-logs', 'form', 'form-errors'];

const { values: options } = parseArgs({
  options: {
    out: { type: 'string', default: path.join(REPO_ROOT, 'docs', 'screenshots') },
    only: { type: 'string' },
  },
});
const wanted = new Set(options.only === undefined ? SCREENS : options.only.split(',').map((s) => s.trim()));
for (const name of wanted) if (!SCREENS.includes(name)) fail(`unknown screen '${name}' (known: ${SCREENS.join(', ')})`);
if (!existsSync(CHROMIUM)) fail(`${CHROMIUM} is missing: install Debian's chromium package`);
if (!existsSync(path.join(REPO_ROOT, 'dist', 'src', 'main.js'))) fail('dist/ is missing: run `npm run build` first (`npm run screenshots` does)');

function fail(message) {
  console.error(`screenshots: ${message}`);
  process.exit(1);
}

function log(message) {
  console.log(`screenshots: ${message}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns something other than undefined; undefined after `timeoutMs`. */
async function poll(probe, timeoutMs = WAIT_MS, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // Not yet (a server still starting refuses connections).
    }
    await sleep(intervalMs);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Pacer

const tempRoot = mkdtempSync(path.join(os.tmpdir(), 'pacer-screenshots-'));
const workDir = path.join(tempRoot, 'work');
let pacer;
let browser;

async function startPacer() {
  const port = await freePort();
  const args = [
    path.join(REPO_ROOT, 'bin', 'pacer.js'),
    'serve',
    '--master',
    'local',
    '--hostname',
    '127.0.0.1',
    '--http_port',
    String(port),
    '--data_dir',
    path.join(tempRoot, 'data'),
    '--work_dir',
    workDir,
    '--agents',
    '2',
    '--log_level',
    'warn',
  ];
  // Its own process group, so the stop reaches what it started and nothing else.
  const child = spawn(process.execPath, args, { cwd: tempRoot, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = `${stderr}${chunk}`.slice(-4000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  pacer = { child, exited, url: `http://127.0.0.1:${port}` };
  const up = await poll(async () => ((await fetch(`${pacer.url}/ping`, { signal: AbortSignal.timeout(2000) })).ok ? true : undefined), 30_000);
  if (up === undefined) throw new Error(`Pacer did not answer on ${pacer.url} within 30 s\n${stderr}`);
  const subscribed = await poll(async () => (await api('GET', '/v2/info')).body.frameworkId ?? undefined, 30_000);
  if (subscribed === undefined) throw new Error('Pacer did not subscribe to its embedded master within 30 s');
  log(`Pacer on ${pacer.url}`);
}

/** SIGTERM to Pacer's group, SIGKILL after 15 s; then the task processes under its work directory. */
async function stopPacer() {
  if (pacer === undefined) return;
  const { child, exited } = pacer;
  const signal = (name) => {
    try {
      process.kill(-child.pid, name);
    } catch {
      // Already gone.
    }
  };
  if (child.exitCode === null && child.signalCode === null) {
    signal('SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
    if (!stopped) {
      signal('SIGKILL');
      await Promise.race([exited, sleep(5_000)]);
    }
  }
  // The agents start tasks in process groups of their own; a task is ours if it runs in our work directory.
  if (existsSync('/proc')) {
    const prefix = `${workDir}${path.sep}`;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (`${readlinkSync(`/proc/${entry}/cwd`)}${path.sep}`.startsWith(prefix)) process.kill(Number(entry), 'SIGKILL');
      } catch {
        // Gone, or not ours to read.
      }
    }
  }
  pacer = undefined;
}

async function api(method, route, body) {
  const res = await fetch(`${pacer.url}${route}`, {
    method,
    signal: AbortSignal.timeout(10_000),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

// ---------------------------------------------------------------------------------------------
// The demo

const server = (label) => `echo ${label} > index.html && exec python3 -m http.server $PORT0 --bind 127.0.0.1`;
const httpCheck = { protocol: 'MESOS_HTTP', path: '/', portIndex: 0, intervalSeconds: 2, timeoutSeconds: 2, gracePeriodSeconds: 30 };

const DEMO_GROUPS = [
  {
    id: '/shop',
    apps: [
      {
        id: '/shop/web',
        cmd: server('shop'),
        cpus: 0.1,
        mem: 32,
        instances: 2,
        labels: { team: 'shop', tier: 'frontend' },
        portDefinitions: [{ port: 0, name: 'http' }],
        healthChecks: [httpCheck],
      },
      { id: '/shop/api', cmd: server('api'), cpus: 0.1, mem: 32, instances: 1, portDefinitions: [{ port: 0, name: 'http' }], healthChecks: [httpCheck] },
      { id: '/shop/db', cmd: 'sleep 100000', cpus: 0.1, mem: 64, instances: 1, portDefinitions: [] },
    ],
  },
  { id: '/tools', apps: [{ id: '/tools/cron', cmd: 'sleep 100000', cpus: 0.05, mem: 16, instances: 1, portDefinitions: [] }] },
];

const FAILING_APP = {
  id: '/tools/port-clash',
  cmd: "echo 'bind: Address already in use' >&2; exit 1",
  cpus: 0.05,
  mem: 16,
  instances: 1,
  // A few failures, then a long delay: the queue shows it waiting, the app page its last failure.
  backoffSeconds: 1,
  backoffFactor: 8,
  maxLaunchDelaySeconds: 3600,
  portDefinitions: [],
};

const UNPLACEABLE_APP = { id: '/tools/huge', cmd: 'sleep 100000', cpus: 1000, mem: 16, instances: 1, portDefinitions: [] };

// The check probes a port nothing listens on; the grace period keeps the task alive, so the
// deployment waits for health that never comes.
const STUCK_APP = {
  id: '/shop/checkout',
  cmd: 'sleep 100000',
  cpus: 0.05,
  mem: 16,
  instances: 1,
  portDefinitions: [{ port: 0, name: 'http' }],
  healthChecks: [{ protocol: 'MESOS_TCP', portIndex: 0, intervalSeconds: 5, timeoutSeconds: 2, gracePeriodSeconds: 3600, maxConsecutiveFailures: 3 }],
};

async function createDemo() {
  for (const group of DEMO_GROUPS) {
    const answer = await api('POST', '/v2/groups', group);
    if (answer.status !== 201) throw new Error(`POST /v2/groups ${group.id}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  for (const app of [FAILING_APP, UNPLACEABLE_APP, STUCK_APP]) {
    const answer = await api('POST', '/v2/apps', app);
    if (answer.status !== 201) throw new Error(`POST /v2/apps ${app.id}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  const settled = await poll(
    async () => {
      const apps = (await api('GET', '/v2/apps?embed=apps.lastTaskFailure')).body.apps;
      const byId = new Map(apps.map((a) => [a.id, a]));
      const healthy = ['/shop/web', '/shop/api'].every((id) => byId.get(id)?.tasksHealthy === byId.get(id)?.instances);
      const running = ['/shop/db', '/tools/cron'].every((id) => byId.get(id)?.tasksRunning === 1);
      const failed = byId.get(FAILING_APP.id)?.lastTaskFailure;
      return healthy && running && failed !== undefined ? failed : undefined;
    },
    90_000,
    500,
  );
  if (settled === undefined) throw new Error('the demo did not settle within 90 s (healthy /shop apps and one failure of the failing app)');
  log(`demo ready; failed task ${settled.taskId}`);
  return { failedTaskId: settled.taskId };
}

// ---------------------------------------------------------------------------------------------
// Screens

/** Opens a route and waits (bounded) for the view to have content and, if given, `selector`. */
async function open(page, hash, selector) {
  await page.goto(`${pacer.url}/ui/${hash}`, { waitUntil: 'domcontentloaded', timeout: WAIT_MS });
  await page.waitForFunction(() => (document.querySelector('#view')?.children.length ?? 0) > 0, undefined, { timeout: WAIT_MS });
  if (selector !== undefined) {
    await page
      .locator(selector)
      .first()
      .waitFor({ timeout: WAIT_MS })
      .catch(() => log(`${hash}: '${selector}' did not appear; taking the page as it is`));
  }
  // No "Loading…" left in the view, then a moment for the last render.
  await page.waitForFunction(() => !/Loading/i.test(document.querySelector('#view')?.textContent ?? ''), undefined, { timeout: WAIT_MS }).catch(() => {});
  await sleep(500);
}

async function shoot(page, name) {
  await page.screenshot({ path: path.join(options.out, `${name}.png`), fullPage: false });
  log(`wrote ${path.relative(process.cwd(), path.join(options.out, `${name}.png`))}`);
}

function screens(demo) {
  return {
    apps: async (page) => open(page, '#/apps', 'table'),
    group: async (page) => open(page, '#/groups/shop', 'table'),
    app: async (page) => open(page, '#/apps/shop/web', '.task-health.healthy'),
    'task-actions': async (page) => {
      await open(page, '#/apps/shop/web', '.task-health.healthy');
      await page.getByLabel('Select all').check({ timeout: WAIT_MS });
      await sleep(300);
    },
    'failed-app': async (page) => open(page, `#/apps${FAILING_APP.id}`, 'text=/exited|Failed|failure/i'),
    deployments: async (page) => open(page, '#/deployments', `text="${STUCK_APP.id}"`),
    queue: async (page) => open(page, '#/queue', `text="${UNPLACEABLE_APP.id}"`),
    'task-logs': async (page) => open(page, `#/tasks/${encodeURIComponent(demo.failedTaskId)}/logs/stderr`, 'text=Address already in use'),
    form: async (page) => open(page, '#/new', 'form, #app-json'),
    'form-errors': async (page) => {
      // Through the form, so that Marathon's messages show at the fields they name.
      await open(page, '#/new', 'form');
      await page.getByLabel('ID', { exact: true }).fill('/shop/Bad_Id!', { timeout: WAIT_MS });
      await page.getByLabel('Command', { exact: true }).fill('sleep 100000');
      await page.getByLabel('CPUs', { exact: true }).fill('-1');
      await page.getByLabel('Memory (MiB)', { exact: true }).fill('32');
      await page.getByRole('button', { name: 'Create', exact: true }).click({ timeout: WAIT_MS });
      await page
        .locator('[aria-invalid="true"]')
        .first()
        .waitFor({ timeout: WAIT_MS })
        .catch(() => log('#/new: no field was marked invalid; taking the page as it is'));
      await sleep(500);
    },
  };
}

async function main() {
  mkdirSync(options.out, { recursive: true });
  await startPacer();
  const demo = await createDemo();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 30_000,
  });
  const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light', deviceScaleFactor: 1 });
  await context.addInitScript(() => localStorage.setItem('pacer-theme', 'light'));
  const failed = [];
  const steps = screens(demo);
  for (const name of SCREENS.filter((s) => wanted.has(s))) {
    const page = await context.newPage();
    try {
      await steps[name](page);
      await shoot(page, name);
    } catch (err) {
      failed.push(name);
      console.error(`screenshots: ${name} failed: ${err instanceof Error ? err.message.split('\n')[0] : err}`);
    } finally {
      await page.close();
    }
  }
  return failed;
}

async function cleanUp() {
  await browser?.close().catch(() => {});
  await stopPacer();
  rmSync(tempRoot, { recursive: true, force: true });
}

const deadline = setTimeout(() => {
  console.error(`screenshots: not done within ${DEADLINE_MS / 1000} s; stopping`);
  void cleanUp().finally(() => process.exit(1));
}, DEADLINE_MS);

let failures;
try {
  failures = await main();
} catch (err) {
  console.error(`screenshots: ${err instanceof Error ? err.message : err}`);
  failures = ['(setup)'];
} finally {
  await cleanUp();
  clearTimeout(deadline);
}
if (failures.length > 0) {
  console.error(`screenshots: not taken: ${failures.join(', ')}`);
  process.exit(1);
}
log('done');
