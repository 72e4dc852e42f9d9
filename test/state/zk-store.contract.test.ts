// The shared Store contract (store-contract.ts) run against both backends: the ZooKeeper store on
// a real ZooKeeper server, and the embedded SQLite store as the reference it must match.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe } from 'vitest';
import { openSqliteStore } from '../../src/state/sqlite-store.js';
import { ZkStore } from '../../src/state/zk-store.js';
import { ZkSession } from '../../src/zk/session.js';
import { startZooKeeper, zookeeperTestsEnabled, type ZooKeeperServer } from '../helpers/zookeeper.js';
import { storeContract } from './store-contract.js';
import { removeTree } from './zk-store.helpers.js';

const logger = pino({ level: 'silent' });

storeContract('SqliteStore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pacer-contract-'));
  return {
    open: () => openSqliteStore({ dataDir: dir, logger, lockTimeoutMs: 50 }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe.runIf(zookeeperTestsEnabled())('ZkStore on a real ZooKeeper', () => {
  let server: ZooKeeperServer;
  let admin: ZkSession;
  let next = 0;
  beforeAll(async () => {
    server = await startZooKeeper();
    admin = await ZkSession.connect(server.connectString, logger, { sessionTimeoutMs: 4_000 });
  });
  afterAll(async () => {
    await admin?.close();
    await server?.stop();
  });

  storeContract('ZkStore', async () => {
    const path = `/contract-${++next}`;
    return {
      open: () => ZkStore.open(`zk://${server.connectString}${path}`, logger, { sessionTimeoutMs: 4_000 }),
      dispose: () => removeTree(admin, path),
    };
  });

  // Listings read values in multi-reads of a few nodes each (spanning batches), and one node per
  // request as against a server older than 3.6.
  for (const [name, multiReadBatch] of [
    ['ZkStore, multi-reads of 3 nodes', 3],
    ['ZkStore, one read per node', 0],
  ] as const) {
    storeContract(name, async () => {
      const path = `/contract-${++next}`;
      return {
        open: () => ZkStore.open(`zk://${server.connectString}${path}`, logger, { sessionTimeoutMs: 4_000, multiReadBatch }),
        dispose: () => removeTree(admin, path),
      };
    });
  }
});
