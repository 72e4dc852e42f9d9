import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFlags } from '../../src/cli/flags.js';
import { storeLocationFromFlags } from '../../src/cli/serve-command.js';
import { SERVE_FLAGS } from '../../src/cli/specs.js';
import { StoreError } from '../../src/state/errors.js';
import { openStore, selectStore, type ZkStoreOpener } from '../../src/state/open-store.js';
import { DATABASE_FILE } from '../../src/state/sqlite-store.js';
import type { Store } from '../../src/state/store.js';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
const stores: Store[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// The store sees typed options; the flags are read the way `pacer serve` reads them.
const flags = (...argv: string[]) => storeLocationFromFlags(parseFlags(argv, SERVE_FLAGS, {}).values);

describe('selectStore', () => {
  it('uses --data_dir (default ./data) unless --zk is given', () => {
    expect(selectStore(flags())).toEqual({ kind: 'sqlite', dataDir: './data' });
    expect(selectStore(flags('--data-dir', '/var/lib/pacer'))).toEqual({ kind: 'sqlite', dataDir: '/var/lib/pacer' });
    expect(selectStore(flags('--zk', 'zk://zk1:2181,zk2:2181/pacer', '--data_dir', '/x'))).toEqual({ kind: 'zookeeper', url: 'zk://zk1:2181,zk2:2181/pacer' });
  });

  it('refuses unusable settings with PACER_STORE_CONFIG', () => {
    expect(() => selectStore(flags('--zk', 'http://zk:2181/pacer'))).toThrow(expect.objectContaining({ code: 'PACER_STORE_CONFIG' }));
    expect(() => selectStore(flags('--data_dir', ''))).toThrow(expect.objectContaining({ code: 'PACER_STORE_CONFIG' }));
  });
});

describe('openStore', () => {
  it('opens the SQLite store in the data directory, creating it', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'pacer-open-'));
    dirs.push(parent);
    const dataDir = join(parent, 'nested', 'data');
    const store = await openStore(flags('--data_dir', dataDir), { logger });
    stores.push(store);
    await store.apply([{ op: 'put', collection: 'framework', key: 'id', value: 'fw-1' }]);
    expect(await store.get('framework', 'id')).toBe('fw-1');
    expect(existsSync(join(dataDir, DATABASE_FILE))).toBe(true);
  });

  it('refuses --zk with PACER_STORE_UNSUPPORTED until a ZooKeeper store is provided', async () => {
    const attempt = openStore(flags('--zk', 'zk://127.0.0.1:2181/pacer'), { logger });
    await expect(attempt).rejects.toBeInstanceOf(StoreError);
    await expect(attempt).rejects.toMatchObject({ code: 'PACER_STORE_UNSUPPORTED' });
  });

  it('hands the --zk URL to the ZooKeeper opener it is given', async () => {
    const calls: Array<{ url: string }> = [];
    const refusing: ZkStoreOpener = async ({ url }) => {
      calls.push({ url });
      throw new StoreError('PACER_STORE_IO', 'no ZooKeeper in this test');
    };
    await expect(openStore(flags('--zk', 'zk://127.0.0.1:2181/pacer'), { logger, openZkStore: refusing })).rejects.toMatchObject({ code: 'PACER_STORE_IO' });
    expect(calls).toEqual([{ url: 'zk://127.0.0.1:2181/pacer' }]);
  });
});
