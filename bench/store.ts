/**
 * The state store's costs (`npm run bench -- store [flags]`):
 * - writes/s of instance updates (one ~650-byte Instance per `apply`, as the instance tracker
 *   commits them) in the embedded SQLite store and in the ZooKeeper store, awaited one at a time
 *   and with many in flight (which group commit merges into fewer fsyncs / multis);
 * - start-up with a large state: a SQLite store holding 10,000 apps (written by the real group
 *   persistence: app, app version, root and root version records) and 100,000 instances, timed
 *   in process (open + StoredInstanceTracker.load + loadGroups) and as a whole `pacer` process
 *   from spawn to "Pacer API listening", next to the same process on an empty store.
 * ZooKeeper runs as a local standalone server with fsync on (test/helpers/zookeeper.ts with forceSync on); without it
 * installed the ZooKeeper rows are skipped with a note. Medians of several runs; a table, then
 * one JSON line per case.
 *
 * Flags: --runs N (write runs, default 5) --sequential N (writes per sequential run, 500)
 * --concurrent N (writes per concurrent run, 10000) --in-flight N (1000) --apps N (10000)
 * --instances N (100000) --startup-runs N (3) --skip-zk --skip-startup --skip-process
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { normalizeAndValidateApp } from '../src/model/apps/index.js';
import type { AppDefinition, Group, Instance, RootGroup } from '../src/scheduler/contracts.js';
import { timestamp } from '../src/scheduler/contracts.js';
import { StoredInstanceTracker } from '../src/scheduler/core/instance-tracker.js';
import { loadGroups, rootChangeWrites } from '../src/scheduler/groups/persistence.js';
import { emptyRootGroup, putGroup } from '../src/model/groups/root-group.js';
import { assignServicePorts } from '../src/scheduler/groups/service-ports.js';
import { assignVersions } from '../src/model/groups/versioning.js';
import { DATABASE_FILE, openSqliteStore } from '../src/state/sqlite-store.js';
import type { Store, StoreWrite } from '../src/state/store.js';
import { ZkStore } from '../src/state/zk-store.js';
import { startZooKeeper, zookeeperAvailable, type ZooKeeperServer } from '../test/helpers/zookeeper.js';

// This file runs compiled, as dist/bench/store.js.
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PACER_BIN = path.join(REPO_ROOT, 'bin', 'pacer.js');
const LISTENING_MSG = 'Pacer API listening';
const PROCESS_START_TIMEOUT_MS = 180_000;
const PROCESS_STOP_TIMEOUT_MS = 30_000;
/** Distinct instances the write runs update, round robin (the cluster's instance count). */
const UPDATED_INSTANCES = 1_000;
const APPS_PER_GROUP = 100;
const INSTANCE_BATCH = 2_000;

const logger = pino({ level: 'silent' });

class BenchError extends Error {
  readonly code = 'PACER_BENCH_STORE';
}

interface Options {
  runs: number;
  sequential: number;
  concurrent: number;
  inFlight: number;
  apps: number;
  instances: number;
  startupRuns: number;
  zk: boolean;
  startup: boolean;
  process: boolean;
}

function parseArgs(args: string[]): Options {
  const options: Options = {
    runs: 5,
    sequential: 500,
    concurrent: 10_000,
    inFlight: 1_000,
    apps: 10_000,
    instances: 100_000,
    startupRuns: 3,
    zk: true,
    startup: true,
    process: true,
  };
  const numeric: Record<string, keyof Options> = {
    '--runs': 'runs',
    '--sequential': 'sequential',
    '--concurrent': 'concurrent',
    '--in-flight': 'inFlight',
    '--apps': 'apps',
    '--instances': 'instances',
    '--startup-runs': 'startupRuns',
  };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    if (flag === '--skip-zk') options.zk = false;
    else if (flag === '--skip-startup') options.startup = false;
    else if (flag === '--skip-process') options.process = false;
    else if (flag in numeric) {
      const value = Number(args[++i]);
      if (!Number.isInteger(value) || value < 1) throw new BenchError(`${flag} needs a positive integer, got '${args[i]}'`);
      (options as unknown as Record<string, number>)[numeric[flag]!] = value;
    } else {
      throw new BenchError(`unknown flag '${flag}' (see the header of bench/store.ts)`);
    }
  }
  return options;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// ---------------------------------------------------------------------------------------------
// Records shaped like production ones

function appId(n: number): string {
  const group = Math.floor(n / APPS_PER_GROUP);
  return `/bench/g${String(group).padStart(3, '0')}/app-${String(n % APPS_PER_GROUP).padStart(3, '0')}`;
}

/** A Running instance with a placement, ports, attributes and its last Mesos status. */
function instanceRecord(app: string, n: number, version: string, update = 0): Instance {
  const safePath = app.slice(1).replaceAll('/', '_');
  const suffix = n.toString(16).padStart(12, '0');
  const instanceId = `${safePath}.instance-5f0c8e4a-1d2b-11ef-9a8f-${suffix}`;
  const agent = n % 500;
  const now = 1_767_225_600_000 + update;
  return {
    instanceId,
    appId: app,
    runSpecVersion: version,
    goal: 'Running',
    condition: 'Running',
    since: now,
    taskId: `${instanceId}._app.1`,
    incarnation: 1,
    agentId: `7c1a3b2e-9f4d-4e58-a1b6-0b1c2d3e4f50-S${agent}`,
    hostname: `agent-${String(agent).padStart(4, '0')}.dc1`,
    region: 'eu-west-1',
    zone: `eu-west-1${'abc'[agent % 3]}`,
    agentAttributes: [{ name: 'rack', value: `rack-${agent % 40}` }],
    hostPorts: [31000 + (n % 1000)],
    role: '*',
    ipAddresses: [{ ipAddress: `10.0.${(agent >> 8) & 255}.${agent & 255}`, protocol: 'IPv4' }],
    startedAt: timestamp(now - 2_000),
    status: { state: 'TASK_RUNNING', healthy: true, timestamp: now },
  };
}

function instancePut(instance: Instance): StoreWrite {
  return { op: 'put', collection: 'instances', key: instance.instanceId, value: instance };
}

/** A web app as Marathon users write them, normalised by the API's own parser. */
function appDefinition(id: string): AppDefinition {
  return normalizeAndValidateApp(
    {
      id,
      cmd: 'exec python3 -m http.server $PORT0',
      cpus: 0.25,
      mem: 256,
      disk: 0,
      instances: 10,
      env: { LOG_LEVEL: 'info', SERVICE_NAME: id.slice(1).replaceAll('/', '-') },
      labels: { team: 'payments', tier: 'web' },
      portDefinitions: [{ port: 0, name: 'http', protocol: 'tcp' }],
      constraints: [['hostname', 'UNIQUE']],
      healthChecks: [
        { protocol: 'MESOS_HTTP', path: '/', portIndex: 0, gracePeriodSeconds: 30, intervalSeconds: 10, timeoutSeconds: 5, maxConsecutiveFailures: 3 },
      ],
      upgradeStrategy: { minimumHealthCapacity: 0.9, maximumOverCapacity: 0.1 },
    },
    { mesosRole: '*' },
  );
}

// ---------------------------------------------------------------------------------------------
// Writes

interface WriteRow {
  store: 'sqlite' | 'zookeeper';
  mode: 'sequential' | 'concurrent';
  inFlight: number;
  writes: number;
  writesPerSec: number;
  runs: number[];
}

/** `total` instance updates with `inFlight` awaited applies outstanding at any time; writes/s. */
async function writeRate(store: Store, instances: readonly Instance[], total: number, inFlight: number, round: number): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let n = next++; n < total; n = next++) {
      const base = instances[n % instances.length]!;
      const update = round * total + n;
      await store.apply([instancePut({ ...base, since: base.since + update, status: { ...base.status!, timestamp: base.since + update } })]);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, worker));
  return total / ((performance.now() - start) / 1000);
}

async function measureWrites(kind: WriteRow['store'], store: Store, options: Options): Promise<WriteRow[]> {
  const instances = Array.from({ length: UPDATED_INSTANCES }, (_, n) => instanceRecord(appId(n % 100), n, timestamp(0)));
  // Create the records first, so every measured write is an update of an existing instance.
  for (let i = 0; i < instances.length; i += 100) await store.apply(instances.slice(i, i + 100).map(instancePut));
  const rows: WriteRow[] = [];
  for (const [mode, writes, inFlight] of [
    ['sequential', options.sequential, 1],
    ['concurrent', options.concurrent, options.inFlight],
  ] as const) {
    await writeRate(store, instances, Math.min(writes, 200), inFlight, -1); // warm-up
    const runs: number[] = [];
    for (let r = 0; r < options.runs; r++) runs.push(await writeRate(store, instances, writes, inFlight, r));
    rows.push({ store: kind, mode, inFlight, writes, writesPerSec: median(runs), runs });
  }
  return rows;
}

async function sqliteWrites(options: Options): Promise<WriteRow[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pacer-bench-store-'));
  const store = await openSqliteStore({ dataDir: dir, logger });
  try {
    return await measureWrites('sqlite', store, options);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function zookeeperWrites(options: Options): Promise<WriteRow[]> {
  let server: ZooKeeperServer | undefined;
  let store: ZkStore | undefined;
  try {
    server = await startZooKeeper({ forceSync: true });
    store = await ZkStore.open(`zk://${server.connectString}/pacer-bench`, logger, { operationTimeoutMs: 30_000 });
    return await measureWrites('zookeeper', store, options);
  } finally {
    await store?.close();
    await server?.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Start-up

interface Populated {
  dir: string;
  dbBytes: number;
  populateMs: number;
  rootBytes: number;
}

/** Writes `apps` apps (groups of 100) with `instances` instances spread over them, then closes. */
async function populate(options: Options): Promise<Populated> {
  const started = performance.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pacer-bench-startup-'));
  const store = await openSqliteStore({ dataDir: dir, logger });
  try {
    const from = emptyRootGroup();
    const version = timestamp(Date.parse('2026-01-01T00:00:00.000Z'));
    let changed: RootGroup = from;
    for (let g = 0; g * APPS_PER_GROUP < options.apps; g++) {
      const apps: AppDefinition[] = [];
      for (let n = g * APPS_PER_GROUP; n < Math.min(options.apps, (g + 1) * APPS_PER_GROUP); n++) apps.push(appDefinition(appId(n)));
      const group: Group = { id: `/bench/g${String(g).padStart(3, '0')}`, apps: apps.map((a) => a.id), groups: [], dependencies: [], version };
      changed = putGroup(changed, group, apps);
    }
    const withPorts = assignServicePorts(from, changed, { min: 10_000, max: 10_000 + options.apps + 1_000 });
    const target = assignVersions(from, withPorts, version);
    const noIndexes = { appVersions: new Map<string, string[]>(), podVersions: new Map<string, string[]>(), groupVersions: [] };
    const { writes } = rootChangeWrites(from, target, noIndexes, new Set([from.version]));
    const rootWrite = writes.find((w) => w.op === 'put' && w.collection === 'groups');
    await store.apply(writes);

    const ids = [...target.apps.keys()];
    for (let i = 0; i < options.instances; i += INSTANCE_BATCH) {
      const batch: StoreWrite[] = [];
      for (let n = i; n < Math.min(options.instances, i + INSTANCE_BATCH); n++) {
        const id = ids[n % ids.length]!;
        batch.push(instancePut(instanceRecord(id, n, target.apps.get(id)!.version ?? version)));
      }
      await store.apply(batch);
    }
    const rootBytes = rootWrite?.op === 'put' ? JSON.stringify(rootWrite.value).length : 0;
    await store.close();
    return { dir, dbBytes: statSync(path.join(dir, DATABASE_FILE)).size, populateMs: performance.now() - started, rootBytes };
  } catch (err) {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

interface LoadTimes {
  openMs: number;
  instancesMs: number;
  groupsMs: number;
  totalMs: number;
}

/** Open + the two loads the orchestrator runs before it acts (core.load, service.start). */
async function loadInProcess(dir: string, expected: { apps: number; instances: number }): Promise<LoadTimes> {
  const t0 = performance.now();
  const store = await openSqliteStore({ dataDir: dir, logger });
  try {
    const t1 = performance.now();
    const tracker = new StoredInstanceTracker({ store, logger });
    await tracker.load();
    const t2 = performance.now();
    const groups = await loadGroups(store);
    const t3 = performance.now();
    if (tracker.all().length !== expected.instances || groups.root.apps.size !== expected.apps) {
      throw new BenchError(`loaded ${tracker.all().length} instances and ${groups.root.apps.size} apps, expected ${expected.instances} and ${expected.apps}`);
    }
    return { openMs: t1 - t0, instancesMs: t2 - t1, groupsMs: t3 - t2, totalMs: t3 - t0 };
  } finally {
    await store.close();
  }
}

/** Spawn to "Pacer API listening" of `pacer --master local --agents 0` on a copy of `sourceDir`'s store. */
async function processStart(sourceDir: string | undefined): Promise<number> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pacer-bench-start-'));
  const dataDir = path.join(root, 'data');
  mkdirSync(dataDir);
  if (sourceDir !== undefined) copyFileSync(path.join(sourceDir, DATABASE_FILE), path.join(dataDir, DATABASE_FILE));
  const spawnedAt = Date.now();
  const child = spawn(
    process.execPath,
    [PACER_BIN, '--master', 'local', '--agents', '0', '--http_port', '0', '--data_dir', dataDir, '--work_dir', path.join(root, 'work'), '--log_level', 'info'],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // Already gone.
    }
  };
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new BenchError(`pacer did not listen within ${PROCESS_START_TIMEOUT_MS} ms\n${stderr}`)), PROCESS_START_TIMEOUT_MS);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new BenchError(`pacer exited before listening (code ${child.exitCode})\n${stderr}`));
      });
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (!line.includes(LISTENING_MSG)) return;
        // The log line's own time, not its arrival: a busy child flushes its log late.
        let logged: unknown;
        try {
          logged = (JSON.parse(line) as { time?: unknown }).time;
        } catch {
          logged = undefined;
        }
        clearTimeout(timer);
        resolve((typeof logged === 'number' ? logged : Date.now()) - spawnedAt);
      });
    });
  } finally {
    signal('SIGTERM');
    const killer = setTimeout(() => signal('SIGKILL'), PROCESS_STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(killer);
    rmSync(root, { recursive: true, force: true });
  }
}

interface StartupResult {
  populated: Populated;
  inProcess: LoadTimes[];
  processMs: number[];
  emptyProcessMs: number[];
}

async function measureStartup(options: Options): Promise<StartupResult> {
  const populated = await populate(options);
  try {
    const inProcess: LoadTimes[] = [];
    for (let r = 0; r < options.startupRuns; r++) inProcess.push(await loadInProcess(populated.dir, options));
    const processMs: number[] = [];
    const emptyProcessMs: number[] = [];
    if (options.process) {
      for (let r = 0; r < options.startupRuns; r++) {
        emptyProcessMs.push(await processStart(undefined));
        processMs.push(await processStart(populated.dir));
      }
    }
    return { populated, inProcess, processMs, emptyProcessMs };
  } finally {
    rmSync(populated.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

export async function run(args: string[]): Promise<void> {
  const options = parseArgs(args);
  const sample = JSON.stringify(instanceRecord(appId(42), 42, timestamp(0)));
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);

  const rows = await sqliteWrites(options);
  const zkMissing = !options.zk
    ? 'skipped with --skip-zk'
    : zookeeperAvailable()
      ? undefined
      : 'no ZooKeeper server here (install it with bash .ci/install-zookeeper.sh)';
  if (zkMissing === undefined) rows.push(...(await zookeeperWrites(options)));

  out(`load average at start ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores (a shared machine inflates every figure)`);
  out(
    `instance updates, one ${Buffer.byteLength(sample)}-byte Instance per apply; ${UPDATED_INSTANCES} instances updated round robin; median of ${options.runs} runs`,
  );
  out('sqlite: WAL, synchronous=FULL (fsync per commit), temp dir; zookeeper: local standalone server, forceSync=yes');
  out(
    `${'store'.padEnd(11)}${'mode'.padEnd(12)}${'in flight'.padStart(10)}${'writes'.padStart(9)}${'writes/s'.padStart(11)}${'min'.padStart(9)}${'max'.padStart(9)}`,
  );
  for (const r of rows) {
    out(
      `${r.store.padEnd(11)}${r.mode.padEnd(12)}${String(r.inFlight).padStart(10)}${String(r.writes).padStart(9)}` +
        `${r.writesPerSec.toFixed(0).padStart(11)}${Math.min(...r.runs)
          .toFixed(0)
          .padStart(9)}${Math.max(...r.runs)
          .toFixed(0)
          .padStart(9)}`,
    );
  }
  if (zkMissing !== undefined) out(`zookeeper: not measured (${zkMissing})`);

  let startup: StartupResult | undefined;
  if (options.startup) {
    startup = await measureStartup(options);
    const { populated, inProcess } = startup;
    const pick = (f: (t: LoadTimes) => number): number => median(inProcess.map(f));
    out('');
    out(
      `start-up with ${options.apps} apps and ${options.instances} instances stored: pacer.db ${(populated.dbBytes / 1e6).toFixed(1)} MB ` +
        `(root record ${(populated.rootBytes / 1e3).toFixed(0)} kB), populated in ${(populated.populateMs / 1000).toFixed(1)} s; median of ${options.startupRuns} runs`,
    );
    out(`${'phase'.padEnd(44)}${'ms'.padStart(9)}`);
    const line = (label: string, ms: number): boolean => out(`${label.padEnd(44)}${ms.toFixed(0).padStart(9)}`);
    line(
      'open store',
      pick((t) => t.openMs),
    );
    line(
      'StoredInstanceTracker.load',
      pick((t) => t.instancesMs),
    );
    line(
      'loadGroups',
      pick((t) => t.groupsMs),
    );
    line(
      'state loading total (in process)',
      pick((t) => t.totalMs),
    );
    if (startup.processMs.length > 0) {
      line('pacer process: spawn to listening, this state', median(startup.processMs));
      line('pacer process: spawn to listening, empty store', median(startup.emptyProcessMs));
    } else {
      out('pacer process: not measured (--skip-process)');
    }
  }

  for (const r of rows) {
    out(
      JSON.stringify({
        bench: 'store',
        case: `writes-${r.store}-${r.mode}`,
        store: r.store,
        inFlight: r.inFlight,
        writes: r.writes,
        valueBytes: Buffer.byteLength(sample),
        writesPerSec: Math.round(r.writesPerSec),
        runs: r.runs.map(Math.round),
      }),
    );
  }
  if (startup !== undefined) {
    const { populated, inProcess } = startup;
    out(
      JSON.stringify({
        bench: 'store',
        case: 'startup-state-load',
        apps: options.apps,
        instances: options.instances,
        dbBytes: populated.dbBytes,
        openMs: Math.round(median(inProcess.map((t) => t.openMs))),
        instancesMs: Math.round(median(inProcess.map((t) => t.instancesMs))),
        groupsMs: Math.round(median(inProcess.map((t) => t.groupsMs))),
        totalMs: Math.round(median(inProcess.map((t) => t.totalMs))),
        runs: inProcess.map((t) => Math.round(t.totalMs)),
      }),
    );
    if (startup.processMs.length > 0) {
      out(
        JSON.stringify({
          bench: 'store',
          case: 'startup-process',
          apps: options.apps,
          instances: options.instances,
          listeningMs: Math.round(median(startup.processMs)),
          emptyStoreListeningMs: Math.round(median(startup.emptyProcessMs)),
          runs: startup.processMs.map(Math.round),
          emptyStoreRuns: startup.emptyProcessMs.map(Math.round),
        }),
      );
    }
  }
}
