/**
 * Chooses and opens the Store the operator asked for: `--zk zk://…/path` means state in ZooKeeper
 * (shared by several Pacer instances, as Marathon does), otherwise the embedded SQLite store in
 * `--data_dir`. `--zk` wins when both are given, because `--data_dir` always has a default.
 * The composition root reads the flags; this module sees only the typed StoreLocation.
 */
import type { Logger } from 'pino';
import { StoreError } from './errors.js';
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/** Where the state lives: `--zk` and `--data_dir`, as the composition root read them. */
export interface StoreLocation {
  zk?: string | undefined;
  dataDir?: string | undefined;
}

export type StoreSelection = { kind: 'sqlite'; dataDir: string } | { kind: 'zookeeper'; url: string };

/**
 * The seam for the ZooKeeper store: given the `--zk` URL, it returns a Store with the semantics
 * documented in store.ts (its timeouts and the like are bound in when the opener is made).
 * Without an opener, `openStore` refuses `--zk` with PACER_STORE_UNSUPPORTED.
 */
export type ZkStoreOpener = (options: { url: string; logger: Logger }) => Promise<Store>;

export interface OpenStoreOptions {
  logger: Logger;
  openZkStore?: ZkStoreOpener;
  /** Passed to the SQLite store: how long to wait for a previous holder to let go. */
  lockTimeoutMs?: number;
}

export function selectStore(location: StoreLocation): StoreSelection {
  const zk = location.zk;
  if (zk !== undefined && zk !== '') {
    if (typeof zk !== 'string' || !zk.startsWith('zk://')) {
      throw new StoreError('PACER_STORE_CONFIG', `--zk must be a zk://host:port[,host:port…]/path URL, got '${String(zk)}'`);
    }
    return { kind: 'zookeeper', url: zk };
  }
  const dataDir = location.dataDir;
  if (typeof dataDir !== 'string' || dataDir === '') {
    throw new StoreError('PACER_STORE_CONFIG', 'either --zk or --data_dir must name where Pacer keeps its state');
  }
  return { kind: 'sqlite', dataDir };
}

export async function openStore(location: StoreLocation, options: OpenStoreOptions): Promise<Store> {
  const selection = selectStore(location);
  switch (selection.kind) {
    case 'sqlite':
      return openSqliteStore({ dataDir: selection.dataDir, logger: options.logger, lockTimeoutMs: options.lockTimeoutMs });
    case 'zookeeper':
      if (options.openZkStore === undefined) {
        throw new StoreError('PACER_STORE_UNSUPPORTED', 'state in ZooKeeper (--zk) is not available in this build yet; use --data_dir');
      }
      return options.openZkStore({ url: selection.url, logger: options.logger });
  }
}
