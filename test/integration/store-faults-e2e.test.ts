/**
 * A real `pacer` process on data directories that refuse writes (small tmpfs mounts; the tests
 * run as root, which ignores permission bits). At start, an unwritable data directory ends the
 * process at once with one line naming the directory and the cause. While running, a full disk
 * turns app changes into 503s, loses nothing acknowledged, and heals when space is freed.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/state/sqlite-store.js';
import { getJson, postJson } from '../helpers/http.js';
import { startPacerProcess, type PacerProcess } from '../helpers/pacer-process.js';
import { mountTmpfs, tmpfsTestsEnabled, type Tmpfs } from '../helpers/tmpfs.js';

const PACER_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'pacer.js');
const EXIT_BOUND_MS = 20_000;
const SLOW_TEST_MS = 60_000;

const mounts: Tmpfs[] = [];
const pacers: PacerProcess[] = [];

afterEach(async () => {
  for (const pacer of pacers.splice(0)) await pacer.stop();
});
afterAll(async () => {
  for (const pacer of pacers.splice(0)) await pacer.stop();
  for (const fs of mounts.splice(0)) fs.unmount();
});

function tmpfs(sizeKiB: number, readOnly = false): Tmpfs {
  const fs = mountTmpfs({ sizeKiB, readOnly });
  mounts.push(fs);
  return fs;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs `pacer` until it exits by itself; SIGKILLs it (and fails) if it is still up after the bound. */
function runPacerToExit(dataDir: string): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PACER_BIN, '--data_dir', dataDir, '--master', 'local', '--http_port', '0', '--agents', '0', '--log_level', 'warn'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pacer was still running after ${EXIT_BOUND_MS} ms with data dir ${dataDir}; stderr: ${stderr}`));
    }, EXIT_BOUND_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

const app = (id: string) => ({ id, cmd: 'sleep 1000', instances: 0, cpus: 0.01, mem: 16 });

interface AppsJson {
  apps: Array<{ id: string }>;
}

async function appIds(pacer: PacerProcess): Promise<string[]> {
  const res = await getJson<AppsJson>(`${pacer.url}/v2/apps`);
  expect(res.status).toBe(200);
  return res.body.apps.map((a) => a.id).sort();
}

describe.runIf(tmpfsTestsEnabled())('pacer on an unwritable data directory', () => {
  it(
    'exits non-zero at start with one line naming a read-only data directory',
    async () => {
      const fs = tmpfs(256, true);
      const exit = await runPacerToExit(fs.dir);
      expect(exit).toMatchObject({ code: 1, signal: null });
      expect(exit.stderr.trim().split('\n')).toEqual([`cannot write to data directory ${fs.dir}: read-only file system (EROFS)`]);
      expect(readdirSync(fs.dir)).toEqual([]);
    },
    SLOW_TEST_MS,
  );

  it(
    'exits non-zero at start with one line naming a full data directory, leaving no store behind',
    async () => {
      const fs = tmpfs(256);
      fs.fill();
      const exit = await runPacerToExit(fs.dir);
      expect(exit).toMatchObject({ code: 1, signal: null });
      expect(exit.stderr.trim().split('\n')).toEqual([`cannot write to data directory ${fs.dir}: no space left on device (ENOSPC)`]);
      expect(readdirSync(fs.dir)).toEqual(['filler']);
    },
    SLOW_TEST_MS,
  );

  it(
    'answers app changes with 503 while the disk is full, loses no acknowledged change, and recovers',
    async () => {
      const fs = tmpfs(2048);
      const pacer = await startPacerProcess({ name: 'store-disk-full', agents: 0, extraArgs: ['--data_dir', fs.dir] });
      pacers.push(pacer);

      const acknowledged: string[] = [];
      for (let n = 0; n < 3; n++) {
        const id = `/faults/before-${n}`;
        expect((await postJson(`${pacer.url}/v2/apps`, app(id))).status).toBe(201);
        acknowledged.push(id);
      }
      fs.fill();

      // Writes that still fit the journal's slack may succeed; the first refusal comes within a bound.
      const refused: string[] = [];
      let refusal: { status: number; body: unknown } | undefined;
      for (let n = 0; n < 200 && refusal === undefined; n++) {
        const id = `/faults/during-${n}`;
        const res = await postJson(`${pacer.url}/v2/apps`, app(id));
        if (res.status === 201) acknowledged.push(id);
        else {
          refused.push(id);
          refusal = { status: res.status, body: res.body };
        }
      }
      expect(refusal).toEqual({
        status: 503,
        body: { message: `state store in ${fs.dir} cannot save changes: no space left on its device (SQLITE_FULL); nothing was written` },
      });
      const again = await postJson(`${pacer.url}/v2/apps`, app('/faults/refused-again'));
      expect(again.status).toBe(503);
      refused.push('/faults/refused-again');
      expect(pacer.exited()).toBe(false);
      expect(await appIds(pacer)).toEqual([...acknowledged].sort());

      fs.free();
      const healed = await postJson(`${pacer.url}/v2/apps`, app('/faults/after'));
      expect(healed.status).toBe(201);
      acknowledged.push('/faults/after');
      await pacer.stop();
      pacers.splice(pacers.indexOf(pacer), 1);

      const store = await openSqliteStore({ dataDir: fs.dir, logger: pino({ level: 'silent' }) });
      try {
        expect(await store.checkIntegrity()).toEqual([]);
        const stored = (await store.list('apps')).map((e) => e.key);
        expect(stored).toEqual([...acknowledged].sort());
        for (const id of refused) expect(stored).not.toContain(id);
      } finally {
        await store.close();
      }

      const restarted = await startPacerProcess({ name: 'store-disk-full-restart', agents: 0, extraArgs: ['--data_dir', fs.dir] });
      pacers.push(restarted);
      expect(await appIds(restarted)).toEqual([...acknowledged].sort());
    },
    SLOW_TEST_MS,
  );
});
