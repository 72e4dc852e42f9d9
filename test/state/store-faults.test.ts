/**
 * The embedded store on disks that refuse writes: read-only and full file systems, made real with
 * small tmpfs mounts (root ignores permission bits, so chmod would prove nothing here). A refused
 * write must surface as a typed StoreError (PACER_STORE_READ_ONLY, PACER_STORE_FULL) that the API answers with
 * 503, must change nothing, and must never cost a write that was already acknowledged.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { errorAnswer } from '../../src/api/http/errors.js';
import { StoreError, StoreLockedError, type StoreErrorCode } from '../../src/state/errors.js';
import { DATABASE_FILE, openSqliteStore, type SqliteStore } from '../../src/state/sqlite-store.js';
import type { StoreWrite } from '../../src/state/store.js';
import { mountTmpfs, tmpfsTestsEnabled, type Tmpfs } from '../helpers/tmpfs.js';

const logger = pino({ level: 'silent' });
const mounts: Tmpfs[] = [];
const stores: SqliteStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});
afterAll(() => {
  for (const fs of mounts.splice(0)) fs.unmount();
});

function tmpfs(sizeKiB: number, readOnly = false): Tmpfs {
  const fs = mountTmpfs({ sizeKiB, readOnly });
  mounts.push(fs);
  return fs;
}

async function open(dataDir: string): Promise<SqliteStore> {
  const store = await openSqliteStore({ dataDir, logger });
  stores.push(store);
  return store;
}

async function closeAll(): Promise<void> {
  for (const store of stores.splice(0)) await store.close();
}

/** An instance record about as large as a running instance with a Mesos status. */
const instance = (n: number): StoreWrite => ({
  op: 'put',
  collection: 'instances',
  key: `app.instance-${String(n).padStart(6, '0')}`,
  value: { n, agentId: 'a1b2c3d4-S0', hostname: 'agent-1.example.com', hostPorts: [31000 + (n % 1000)], pad: 'x'.repeat(500) },
});

const STATUS_OF_CODE: Array<[StoreErrorCode, number]> = [
  ['PACER_STORE_FULL', 503],
  ['PACER_STORE_READ_ONLY', 503],
  ['PACER_STORE_IO', 503],
  ['PACER_STORE_CLOSED', 503],
  ['PACER_STORE_CORRUPT', 500],
  ['PACER_STORE_INVALID_VALUE', 500],
];

describe('StoreError to HTTP', () => {
  it.each(STATUS_OF_CODE)('answers %s with %i and a Marathon-style message body', (code, status) => {
    expect(errorAnswer(new StoreError(code, `state store says ${code}`))).toEqual({ status, body: { message: `state store says ${code}` } });
  });

  it('answers a locked store with 503', () => {
    expect(errorAnswer(new StoreLockedError('/var/lib/pacer', undefined)).status).toBe(503);
  });
});

describe.runIf(tmpfsTestsEnabled())('SqliteStore on a read-only file system', () => {
  it('refuses to open an empty read-only data directory with PACER_STORE_READ_ONLY naming it', async () => {
    const fs = tmpfs(256, true);
    const attempt = openSqliteStore({ dataDir: fs.dir, logger });
    await expect(attempt).rejects.toBeInstanceOf(StoreError);
    await expect(attempt).rejects.toMatchObject({
      code: 'PACER_STORE_READ_ONLY',
      message: `cannot write to data directory ${fs.dir}: read-only file system (EROFS)`,
    });
    expect(readdirSync(fs.dir)).toEqual([]);
  });

  it('refuses a data directory it would have to create on a read-only file system', async () => {
    const fs = tmpfs(256, true);
    const dataDir = join(fs.dir, 'pacer', 'data');
    await expect(openSqliteStore({ dataDir, logger })).rejects.toMatchObject({
      code: 'PACER_STORE_READ_ONLY',
      message: `cannot create data directory ${dataDir}: read-only file system (EROFS)`,
    });
  });

  it('refuses an existing store once its file system is read-only, and opens it intact when writable again', async () => {
    const fs = tmpfs(1024);
    const store = await open(fs.dir);
    await store.apply([instance(1), instance(2)]);
    await closeAll();
    const before = readdirSync(fs.dir).sort();

    fs.remount('ro');
    await expect(openSqliteStore({ dataDir: fs.dir, logger })).rejects.toMatchObject({ code: 'PACER_STORE_READ_ONLY' });
    expect(readdirSync(fs.dir).sort()).toEqual(before);

    fs.remount('rw');
    const reopened = await open(fs.dir);
    expect((await reopened.list('instances')).map((e) => e.key)).toEqual([instance(1).key, instance(2).key]);
    expect(await reopened.checkIntegrity()).toEqual([]);
  });
});

describe.runIf(tmpfsTestsEnabled())('SqliteStore with an immutable database file in a writable directory', () => {
  const immutable: string[] = [];
  afterEach(() => {
    for (const file of immutable.splice(0)) execFileSync('chattr', ['-i', file]);
  });

  it('refuses to open with PACER_STORE_READ_ONLY naming the file, and opens intact once it is writable again', async () => {
    const fs = tmpfs(1024);
    const store = await open(fs.dir);
    await store.apply([instance(7)]);
    await closeAll();
    const file = join(fs.dir, DATABASE_FILE);
    execFileSync('chattr', ['+i', file]);
    immutable.push(file);

    await expect(openSqliteStore({ dataDir: fs.dir, logger })).rejects.toMatchObject({
      code: 'PACER_STORE_READ_ONLY',
      message: `cannot write to ${file}: permission denied (EPERM); Pacer needs write access to it`,
    });

    execFileSync('chattr', ['-i', immutable.pop()!]);
    const reopened = await open(fs.dir);
    expect(await reopened.get('instances', instance(7).key)).toMatchObject({ n: 7 });
  });
});

describe.runIf(tmpfsTestsEnabled())('SqliteStore on a full disk', () => {
  it('refuses to open on a full disk with PACER_STORE_FULL, and opens once space is freed', async () => {
    const fs = tmpfs(256);
    fs.fill();
    await expect(openSqliteStore({ dataDir: fs.dir, logger })).rejects.toMatchObject({
      code: 'PACER_STORE_FULL',
      message: `cannot write to data directory ${fs.dir}: no space left on device (ENOSPC)`,
    });
    fs.free();
    const store = await open(fs.dir);
    await store.apply([instance(1)]);
    expect(await store.get('instances', instance(1).key)).toMatchObject({ n: 1 });
  });

  it('leaves a usable store when the disk fills up while a new store is being created', async () => {
    const fs = tmpfs(256);
    fs.fill();
    // Room for the writability probe (one block) but not for the database and its journal.
    fs.leaveFree(1);
    await expect(openSqliteStore({ dataDir: fs.dir, logger })).rejects.toMatchObject({
      code: 'PACER_STORE_FULL',
      message: expect.stringContaining(`state store in ${fs.dir} cannot save changes: no space left on its device (SQLITE_FULL)`),
    });
    fs.free();
    const store = await open(fs.dir);
    expect(await store.checkIntegrity()).toEqual([]);
    expect(await store.list('instances')).toEqual([]);
    await store.apply([instance(1)]);
    await closeAll();
    const reopened = await open(fs.dir);
    expect(await reopened.get('instances', instance(1).key)).toMatchObject({ n: 1 });
  });

  it('refuses writes with PACER_STORE_FULL while the disk is full, keeps every acknowledged write, and recovers when space is freed', async () => {
    const fs = tmpfs(1024);
    const store = await open(fs.dir);
    const acknowledged: string[] = [];
    for (let n = 0; n < 20; n++) {
      await store.apply([instance(n)]);
      acknowledged.push(instance(n).key);
    }
    fs.fill();

    // The journal may still have room from earlier commits, so some writes can succeed after the
    // disk is full; the first refusal must come within a bound, and it must be PACER_STORE_FULL.
    let refusal: unknown;
    const refused: string[] = [];
    for (let n = 20; n < 2020 && refusal === undefined; n++) {
      try {
        await store.apply([instance(n)]);
        acknowledged.push(instance(n).key);
      } catch (err) {
        refusal = err;
        refused.push(instance(n).key);
      }
    }
    expect(refusal).toBeInstanceOf(StoreError);
    expect(refusal).toMatchObject({
      code: 'PACER_STORE_FULL',
      message: `state store in ${fs.dir} cannot save changes: no space left on its device (SQLITE_FULL); nothing was written`,
    });
    expect(errorAnswer(refusal).status).toBe(503);

    // A group commit of several batches fails as a whole; each batch is rejected, none stored.
    const group = [3000, 3001, 3002].map((n) => store.apply([instance(n), { op: 'delete', collection: 'instances', key: acknowledged[0]! }]));
    const outcomes = await Promise.allSettled(group);
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as StoreError).code : 'fulfilled'))).toEqual([
      'PACER_STORE_FULL',
      'PACER_STORE_FULL',
      'PACER_STORE_FULL',
    ]);
    refused.push(...[3000, 3001, 3002].map((n) => instance(n).key));

    // Reads go on while writes are refused, and see exactly the acknowledged writes.
    expect((await store.list('instances')).map((e) => e.key)).toEqual(acknowledged);

    fs.free();
    await store.apply([instance(5000)]);
    acknowledged.push(instance(5000).key);
    expect(await store.checkIntegrity()).toEqual([]);

    // Closing on a full disk cannot checkpoint the journal into the database; nothing is lost.
    fs.fill();
    await closeAll();
    fs.free();
    const reopened = await open(fs.dir);
    expect(await reopened.checkIntegrity()).toEqual([]);
    const keys = (await reopened.list('instances')).map((e) => e.key);
    expect(keys).toEqual([...acknowledged].sort());
    for (const key of refused) expect(keys).not.toContain(key);
  });
});
