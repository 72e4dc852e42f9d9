// Real processes, real SIGKILL: an acknowledged apply must survive the writer dying at any moment,
// and the store must open cleanly afterwards. The writer runs the compiled store from dist/.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StoreLockedError } from '../../src/state/errors.js';
import { openSqliteStore } from '../../src/state/sqlite-store.js';

const logger = pino({ level: 'silent' });
const WRITER = fileURLToPath(new URL('./crash-writer.mjs', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const TRIALS = 12;
// PACER_CRASH_SEED replays a run; the seeds are part of the test names.
const BASE_SEED = Number(process.env.PACER_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: tiny, seedable, good enough to pick kill moments. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Writer {
  child: ChildProcess;
  acked: number[];
  stderr: () => string;
  /** Resolves once `count` batches are acknowledged; rejects if the writer exits first. */
  acknowledged(count: number, timeoutMs: number): Promise<void>;
  kill(): Promise<void>;
}

const children = new Set<ChildProcess>();

function startWriter(dataDir: string): Writer {
  const child = spawn(process.execPath, [WRITER, dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const acked: number[] = [];
  let partial = '';
  let stderr = '';
  let waiter: { count: number; resolve: () => void } | undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) acked.push(Number(line));
    if (waiter !== undefined && acked.length >= waiter.count) waiter.resolve();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return {
    child,
    acked,
    stderr: () => stderr,
    acknowledged: (count, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        if (acked.length >= count) return resolve();
        const timer = setTimeout(() => reject(new Error(`writer acknowledged ${acked.length}/${count} in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
        waiter = { count, resolve: () => (clearTimeout(timer), resolve()) };
        void exited.then(() => reject(new Error(`writer exited (code ${child.exitCode}) before ${count} acknowledgements: ${stderr}`)));
      }),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      children.delete(child);
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const recKey = (n: number) => `rec/${String(n).padStart(9, '0')}`;

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

beforeAll(() => {
  // The writer imports dist/; a stale build would test yesterday's code.
  for (const name of ['store', 'sqlite-store', 'errors']) {
    const source = statSync(join(root, 'src/state', `${name}.ts`)).mtimeMs;
    const built = statSync(join(root, 'dist/src/state', `${name}.js`), { throwIfNoEntry: false })?.mtimeMs;
    if (built === undefined || built < source) throw new Error(`dist/src/state/${name}.js is missing or older than its source: run npm run build`);
  }
});

describe('SqliteStore under kill -9', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pacer-crash-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  // All acknowledgements from all trials: each trial continues the same store after a crash.
  const everAcked: number[] = [];

  const seeds = Array.from({ length: TRIALS }, (_, i) => (BASE_SEED + i * 7919) >>> 0);
  it.each(seeds.map((seed, index) => ({ seed, trial: index + 1 })))('trial $trial keeps every acknowledged write (seed $seed)', async ({ seed, trial }) => {
    const next = random(seed);
    const writer = startWriter(dataDir);
    // Every third trial dies at a moment measured from spawn, possibly while the store is still
    // opening or migrating; the others die mid-stream, after writes have been acknowledged.
    if (trial % 3 === 1) {
      await sleep(Math.floor(next() * 250));
    } else {
      await writer.acknowledged(1, 20_000);
      await sleep(Math.floor(next() * 120));
    }
    await writer.kill();
    expect(writer.child.signalCode, `seed ${seed}: ${writer.stderr()}`).toBe('SIGKILL');
    everAcked.push(...writer.acked);

    const store = await openSqliteStore({ dataDir, logger, lockTimeoutMs: 1000 });
    try {
      expect(await store.checkIntegrity(), `seed ${seed}`).toEqual([]);
      const last = await store.get<number>('meta', 'last');
      const records = await store.list<{ n: number }>('instances', 'rec/');
      const present = new Set(records.map((r) => r.key));
      const lost = everAcked.filter((n) => !present.has(recKey(n)));
      expect(lost, `seed ${seed}: acknowledged but lost`).toEqual([]);
      // Batches commit whole and in call order, so the store holds exactly batches 0..last.
      const count = last === undefined ? 0 : last + 1;
      expect(
        records.map((r) => r.value.n),
        `seed ${seed}`,
      ).toEqual(Array.from({ length: count }, (_, n) => n));
      const scratch = await store.list<number>('meta', 'scratch/');
      expect(
        scratch.map((s) => s.value),
        `seed ${seed}`,
      ).toEqual(last === undefined ? [] : [last]);
    } finally {
      await store.close();
    }
  });

  it('ran enough writes to mean something', () => {
    expect(everAcked.length).toBeGreaterThan(TRIALS);
  });
});

describe('SqliteStore lock across processes', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pacer-lock-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a second process while one runs, and kill -9 releases the lock', async () => {
    const writer = startWriter(dataDir);
    await writer.acknowledged(1, 20_000);
    const attempt = openSqliteStore({ dataDir, logger, lockTimeoutMs: 50 });
    await expect(attempt).rejects.toBeInstanceOf(StoreLockedError);
    await expect(attempt).rejects.toMatchObject({ code: 'PACER_STORE_LOCKED', holder: { pid: writer.child.pid } });

    await writer.kill();
    const store = await openSqliteStore({ dataDir, logger, lockTimeoutMs: 50 });
    try {
      expect(await store.get<number>('meta', 'last')).toBeGreaterThanOrEqual(Math.max(...writer.acked));
    } finally {
      await store.close();
    }
  });
});
