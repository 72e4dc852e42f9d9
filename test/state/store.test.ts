import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError, StoreFormatError, StoreLockedError } from '../../src/state/errors.js';
import {
  DATABASE_FILE,
  OWNER_FILE,
  SQLITE_FORMAT_VERSION,
  SQLITE_MIGRATIONS,
  openSqliteStore,
  type Migration,
  type SqliteStore,
} from '../../src/state/sqlite-store.js';
import { compareKeys, MAX_KEY_LENGTH, MAX_VALUE_BYTES, type Collection, type StoreWrite } from '../../src/state/store.js';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
const stores: SqliteStore[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pacer-store-'));
  dirs.push(dir);
  return dir;
}

async function open(dataDir: string, migrations?: readonly Migration[]): Promise<SqliteStore> {
  const store = await openSqliteStore({ dataDir, logger, lockTimeoutMs: 50, migrations });
  stores.push(store);
  return store;
}

const put = (collection: Collection, key: string, value: unknown): StoreWrite => ({ op: 'put', collection, key, value });
const del = (collection: Collection, key: string): StoreWrite => ({ op: 'delete', collection, key });

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('SqliteStore reads and writes', () => {
  it('puts, gets, overwrites and deletes values as JSON', async () => {
    const store = await open(tempDir());
    expect(await store.get('apps', '/web')).toBeUndefined();
    await store.apply([put('apps', '/web', { id: '/web', instances: 2, at: new Date('2024-01-02T03:04:05.000Z'), gone: undefined })]);
    expect(await store.get('apps', '/web')).toEqual({ id: '/web', instances: 2, at: '2024-01-02T03:04:05.000Z' });
    await store.apply([put('apps', '/web', { id: '/web', instances: 5 })]);
    expect(await store.get('apps', '/web')).toEqual({ id: '/web', instances: 5 });
    await store.apply([put('framework', 'id', 'a-b-c'), put('meta', 'n', 0), put('meta', 'null', null)]);
    expect(await store.get('framework', 'id')).toBe('a-b-c');
    expect(await store.get('meta', 'n')).toBe(0);
    expect(await store.get('meta', 'null')).toBeNull();
    await store.apply([del('apps', '/web'), del('apps', '/never-existed')]);
    expect(await store.get('apps', '/web')).toBeUndefined();
  });

  it('keeps collections apart and lists by prefix in code point order', async () => {
    const store = await open(tempDir());
    const keys = ['/prod/web', '/prod/api', '/prod2/x', '/dev/web', 'a*b', 'a?c', 'a[1]', 'aXb', 'A', 'é', '\uffff', '😀', '/prod'];
    await store.apply(keys.map((key, i) => put('instances', key, i)));
    await store.apply([put('apps', '/prod/other-collection', true)]);

    const all = await store.list<number>('instances');
    expect(all.map((e) => e.key)).toEqual([...keys].sort(compareKeys));
    // Code point order, not UTF-16 order: U+FFFF sorts before U+1F600 although its code unit is higher.
    expect(all.map((e) => e.key).slice(-2)).toEqual(['\uffff', '😀']);
    expect(await store.list('instances', '')).toEqual(all);

    expect(await store.list<number>('instances', '/prod/')).toEqual([
      { key: '/prod/api', value: 1 },
      { key: '/prod/web', value: 0 },
    ]);
    expect((await store.list('instances', '/prod')).map((e) => e.key)).toEqual(['/prod', '/prod/api', '/prod/web', '/prod2/x']);
    // Glob metacharacters in a prefix are literal.
    expect((await store.list('instances', 'a*')).map((e) => e.key)).toEqual(['a*b']);
    expect((await store.list('instances', 'a?')).map((e) => e.key)).toEqual(['a?c']);
    expect((await store.list('instances', 'a[')).map((e) => e.key)).toEqual(['a[1]']);
    expect((await store.list('instances', 'a')).map((e) => e.key)).toEqual(['a*b', 'a?c', 'aXb', 'a[1]']);
    expect((await store.list('instances', 'A')).map((e) => e.key)).toEqual(['A']);
    expect(await store.list('instances', 'zzz')).toEqual([]);
    expect(await store.list('apps')).toEqual([{ key: '/prod/other-collection', value: true }]);
  });

  it('applies the writes of a batch in order', async () => {
    const store = await open(tempDir());
    await store.apply([
      put('deployments', 'd1', 1),
      del('deployments', 'd1'),
      del('deployments', 'd2'),
      put('deployments', 'd2', 2),
      put('deployments', 'd2', 3),
    ]);
    expect(await store.list('deployments')).toEqual([{ key: 'd2', value: 3 }]);
    await store.apply([]);
  });

  it('stores a snapshot of the value taken when apply is called', async () => {
    const store = await open(tempDir());
    const app = { id: '/snap', instances: 1 };
    const done = store.apply([put('apps', app.id, app)]);
    app.instances = 99;
    await done;
    expect(await store.get('apps', '/snap')).toEqual({ id: '/snap', instances: 1 });
  });
});

describe('SqliteStore batches are atomic', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const unserialisable: Array<[string, unknown]> = [
    ['a BigInt', { n: 10n }],
    ['a cycle', cyclic],
    ['undefined', undefined],
    ['a function', () => 1],
    ['a value over the size limit', 'x'.repeat(MAX_VALUE_BYTES)],
  ];

  for (const [what, value] of unserialisable) {
    it(`rejects a batch holding ${what} and writes none of it`, async () => {
      const store = await open(tempDir());
      await store.apply([put('apps', '/keep', 'old')]);
      const attempt = store.apply([put('apps', '/keep', 'new'), put('apps', '/first', 1), put('apps', '/bad', value), put('apps', '/last', 2)]);
      await expect(attempt).rejects.toBeInstanceOf(StoreError);
      await expect(attempt).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_VALUE' });
      expect(await store.list('apps')).toEqual([{ key: '/keep', value: 'old' }]);
    });
  }

  it('rejects bad keys, collections and ops with typed errors and writes nothing', async () => {
    const store = await open(tempDir());
    const badKeys = ['', 'a\u0000b', 'lone\ud800', '\udc00x', 'k'.repeat(MAX_KEY_LENGTH + 1)];
    for (const key of badKeys) {
      await expect(store.apply([put('apps', 'ok', 1), put('apps', key, 1)])).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_KEY' });
      await expect(store.get('apps', key)).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_KEY' });
    }
    await expect(store.list('apps', 'p\u0000')).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_KEY' });
    const wrongCollection = { op: 'put', collection: 'appz', key: 'k', value: 1 } as unknown as StoreWrite;
    await expect(store.apply([put('apps', 'ok', 1), wrongCollection])).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_COLLECTION' });
    await expect(store.get('appz' as Collection, 'k')).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_COLLECTION' });
    const wrongOp = { op: 'upsert', collection: 'apps', key: 'k', value: 1 } as unknown as StoreWrite;
    await expect(store.apply([put('apps', 'ok', 1), wrongOp])).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_VALUE' });
    await expect(store.apply([put('apps', 'ok', 1), null as unknown as StoreWrite])).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_VALUE' });
    expect(await store.list('apps')).toEqual([]);
    expect(await store.get('apps', 'k'.repeat(MAX_KEY_LENGTH))).toBeUndefined();
  });

  it('commits concurrent batches together, in call order, each atomically', async () => {
    const store = await open(tempDir());
    const results = await Promise.allSettled(
      Array.from({ length: 300 }, (_, i) =>
        store.apply(
          i === 150
            ? [put('launchDelays', 'bad-batch', 1), put('launchDelays', 'last', { n: 10n })]
            : [put('launchDelays', `n${String(i).padStart(3, '0')}`, i), put('launchDelays', 'last', i)],
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(results[150]).toMatchObject({ status: 'rejected', reason: { code: 'PACER_STORE_INVALID_VALUE' } });
    expect(await store.get('launchDelays', 'last')).toBe(299);
    expect(await store.get('launchDelays', 'bad-batch')).toBeUndefined();
    expect(await store.list('launchDelays', 'n')).toHaveLength(299);
  });
});

describe('SqliteStore lifecycle', () => {
  it('keeps everything across close and reopen, and removes its owner note on close', async () => {
    const dir = tempDir();
    const first = await open(dir);
    expect(JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    await first.apply([put('groups', 'root', { id: '/', apps: ['/a'] }), put('instances', 'a.instance-1', { state: 'Running' })]);
    const pending = first.apply([put('instances', 'a.instance-2', { state: 'Staging' })]);
    await first.close();
    await pending;
    expect(existsSync(join(dir, OWNER_FILE))).toBe(false);

    const second = await open(dir);
    expect(await second.checkIntegrity()).toEqual([]);
    expect(await second.get('groups', 'root')).toEqual({ id: '/', apps: ['/a'] });
    expect((await second.list('instances')).map((e) => e.key)).toEqual(['a.instance-1', 'a.instance-2']);
  });

  it('refuses every call after close with PACER_STORE_CLOSED; close is idempotent', async () => {
    const store = await open(tempDir());
    await store.close();
    await store.close();
    await expect(store.get('apps', 'a')).rejects.toMatchObject({ code: 'PACER_STORE_CLOSED' });
    await expect(store.list('apps')).rejects.toMatchObject({ code: 'PACER_STORE_CLOSED' });
    await expect(store.apply([put('apps', 'a', 1)])).rejects.toMatchObject({ code: 'PACER_STORE_CLOSED' });
  });

  it('lets only one handle open a data directory at a time', async () => {
    const dir = tempDir();
    const holder = await open(dir);
    const attempt = open(dir);
    await expect(attempt).rejects.toBeInstanceOf(StoreLockedError);
    const error = (await attempt.catch((e: unknown) => e)) as StoreLockedError;
    expect(error.code).toBe('PACER_STORE_LOCKED');
    expect(error.holder?.pid).toBe(process.pid);
    expect(error.message).toContain(`pid ${process.pid}`);
    // The holder keeps working and the refused opener did not disturb it.
    await holder.apply([put('meta', 'still', 'mine')]);
    await holder.close();
    const next = await open(dir);
    expect(await next.get('meta', 'still')).toBe('mine');
  });

  it('refuses a store written in a newer format and leaves it untouched', async () => {
    const dir = tempDir();
    const newer: Migration = { description: 'a future format', up: (db) => db.exec('CREATE TABLE future (x)') };
    const future = await open(dir, [...SQLITE_MIGRATIONS, newer]);
    await future.apply([put('apps', '/a', 1)]);
    await future.close();

    const attempt = open(dir);
    await expect(attempt).rejects.toBeInstanceOf(StoreFormatError);
    await expect(attempt).rejects.toMatchObject({ code: 'PACER_STORE_FORMAT_TOO_NEW', found: SQLITE_FORMAT_VERSION + 1, supported: SQLITE_FORMAT_VERSION });
    // The refused open released its lock and the newer build still reads its store.
    const again = await open(dir, [...SQLITE_MIGRATIONS, newer]);
    expect(await again.get('apps', '/a')).toBe(1);
  });

  it('migrates an older store once, keeping its data', async () => {
    const dir = tempDir();
    const old = await open(dir);
    await old.apply([put('apps', '/a', { id: '/a' }), put('apps', '/b', { id: '/b' })]);
    await old.close();

    let runs = 0;
    const addField: Migration = {
      description: 'mark every app',
      up: (db) => {
        runs++;
        db.run("UPDATE entries SET value = json_set(value, '$.migrated', json('true')) WHERE collection = ?", 'apps');
      },
    };
    const chain = [...SQLITE_MIGRATIONS, addField];
    const upgraded = await open(dir, chain);
    expect(await upgraded.list('apps')).toEqual([
      { key: '/a', value: { id: '/a', migrated: true } },
      { key: '/b', value: { id: '/b', migrated: true } },
    ]);
    await upgraded.close();
    await (await open(dir, chain)).close();
    expect(runs).toBe(1);
  });

  it('rolls a failing migration back completely', async () => {
    const dir = tempDir();
    const old = await open(dir);
    await old.apply([put('apps', '/a', 1)]);
    await old.close();
    const broken: Migration = {
      description: 'fails halfway',
      up: (db) => {
        db.run('DELETE FROM entries');
        throw new Error('migration bug');
      },
    };
    await expect(open(dir, [...SQLITE_MIGRATIONS, broken])).rejects.toMatchObject({
      code: 'PACER_STORE_IO',
      message: expect.stringContaining(`to format ${SQLITE_FORMAT_VERSION + 1} (fails halfway) failed: migration bug`),
    });
    const store = await open(dir);
    expect(await store.get('apps', '/a')).toBe(1);
  });

  it('refuses files that are not Pacer stores with PACER_STORE_CORRUPT', async () => {
    const garbage = tempDir();
    writeFileSync(join(garbage, DATABASE_FILE), Buffer.alloc(8192, 0x5a));
    await expect(open(garbage)).rejects.toMatchObject({ code: 'PACER_STORE_CORRUPT' });

    const foreign = tempDir();
    const Database = createRequire(import.meta.url)('better-sqlite3') as new (file: string) => { exec(sql: string): void; close(): void };
    const db = new Database(join(foreign, DATABASE_FILE));
    db.exec('CREATE TABLE other (x)');
    db.close();
    await expect(open(foreign)).rejects.toMatchObject({ code: 'PACER_STORE_CORRUPT' });
  });

  it('reports a data directory it cannot create as PACER_STORE_IO', async () => {
    const parent = tempDir();
    writeFileSync(join(parent, 'file'), 'not a directory');
    await expect(open(join(parent, 'file', 'data'))).rejects.toMatchObject({ code: 'PACER_STORE_IO' });
  });
});
