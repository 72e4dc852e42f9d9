import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../src/state/sqlite-store.js';
import { listVersions, parseVersionKey, pruneVersions, versionKey, versionPruneWrites } from '../../src/state/versions.js';

const logger = pino({ level: 'silent' });
let dir: string | undefined;
let store: SqliteStore | undefined;

async function fresh(): Promise<SqliteStore> {
  dir = mkdtempSync(join(tmpdir(), 'pacer-versions-'));
  store = await openSqliteStore({ dataDir: dir, logger });
  return store;
}

afterEach(async () => {
  await store?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  store = undefined;
  dir = undefined;
});

const version = (second: number) => `2024-05-01T10:00:${String(second).padStart(2, '0')}.000Z`;

describe('version history helpers', () => {
  it('builds and parses version keys, refusing ids that would be ambiguous', () => {
    expect(versionKey('/prod/web', version(1))).toBe('/prod/web@2024-05-01T10:00:01.000Z');
    expect(parseVersionKey('/prod/web@2024-05-01T10:00:01.000Z')).toEqual({ id: '/prod/web', version: version(1) });
    expect(parseVersionKey('no-separator')).toBeUndefined();
    expect(() => versionKey('/a@b', version(1))).toThrow(expect.objectContaining({ code: 'PACER_STORE_INVALID_KEY' }));
    expect(() => versionKey('/a', '')).toThrow(expect.objectContaining({ code: 'PACER_STORE_INVALID_KEY' }));
  });

  it("lists one entity's versions oldest first, not its neighbours'", async () => {
    const s = await fresh();
    await s.apply([
      { op: 'put', collection: 'appVersions', key: versionKey('/web', version(3)), value: 3 },
      { op: 'put', collection: 'appVersions', key: versionKey('/web', version(1)), value: 1 },
      { op: 'put', collection: 'appVersions', key: versionKey('/web2', version(2)), value: 2 },
      { op: 'put', collection: 'appVersions', key: versionKey('/we', version(2)), value: 2 },
    ]);
    expect(await listVersions(s, 'appVersions', '/web')).toEqual([version(1), version(3)]);
  });

  it('prunes to the newest versions, atomically with the put of a new one', async () => {
    const s = await fresh();
    await s.apply([1, 2, 3, 4].map((n) => ({ op: 'put' as const, collection: 'appVersions' as const, key: versionKey('/web', version(n)), value: n })));
    await s.apply([{ op: 'put', collection: 'appVersions', key: versionKey('/other', version(1)), value: 0 }]);

    const prune = await versionPruneWrites(s, 'appVersions', '/web', 3, version(5));
    await s.apply([{ op: 'put', collection: 'appVersions', key: versionKey('/web', version(5)), value: 5 }, ...prune]);
    expect(await listVersions(s, 'appVersions', '/web')).toEqual([version(3), version(4), version(5)]);

    expect(await pruneVersions(s, 'appVersions', '/web', 1)).toEqual([version(3), version(4)]);
    expect(await listVersions(s, 'appVersions', '/web')).toEqual([version(5)]);
    expect(await pruneVersions(s, 'appVersions', '/web', 1)).toEqual([]);
    expect(await listVersions(s, 'appVersions', '/other')).toEqual([version(1)]);
  });

  it('never prunes the version being added, even when it is not the newest', async () => {
    const s = await fresh();
    await s.apply([2, 3].map((n) => ({ op: 'put' as const, collection: 'groupVersions' as const, key: versionKey('root', version(n)), value: n })));
    const prune = await versionPruneWrites(s, 'groupVersions', 'root', 2, version(1));
    expect(prune.map((w) => w.key)).toEqual([versionKey('root', version(2))]);
  });

  it('refuses a bound below one', async () => {
    const s = await fresh();
    for (const keep of [0, -1, 1.5, Number.NaN]) {
      await expect(pruneVersions(s, 'appVersions', '/web', keep)).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_VALUE' });
    }
  });
});
