/**
 * Chooses and opens the Store the flags ask for: `--zk zk://…/path` means state in ZooKeeper
 * (shared by several Pacer instances, as Marathon does), otherwise the embedded SQLite store in
 * `--data_dir`. `--zk` wins when both are given, because `--data_dir` always has a default.
 */
import type { Logger } from 'pino';
import type { FlagValues } from '../cli/flags.js';
import { StoreError } from './errors.js';
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

export type StoreSelection = { kind: 'sqlite'; dataDir: string } | { kind: 'zookeeper'; url: string };

/**
 * The seam for the ZooKeeper store: given the `--zk` URL and all flags (for its session timeout,
 * version limits and the like), it returns a Store with the semantics documented in store.ts.
 * Until that store exists, `openStore` refuses `--zk` with PACER_STORE_UNSUPPORTED.
 */
export type ZkStoreOpener = (options: { url: string; flags: FlagValues; logger: Logger }) => Promise<Store>;

export interface OpenStoreOptions {
  logger: Logger;
  openZkStore?: ZkStoreOpener;
  /** Passed to the SQLite store: how long to wait for a previous holder to let go. */
  lockTimeoutMs?: number;
}

export function selectStore(flags: FlagValues): StoreSelection {
  const zk = flags['zk'];
  if (zk !== undefined && zk !== '') {
    if (typeof zk !== 'string' || !zk.startsWith('zk://')) {
      throw new StoreError('PACER_STORE_CONFIG', `--zk must be a zk://host:port[,host:port…]/path URL, got '${String(zk)}'`);
    }
    return { kind: 'zookeeper', url: zk };
  }
  const dataDir = flags['data_dir'];
  if (typeof dataDir !== 'string' || dataDir === '') {
    throw new StoreError('PACER_STORE_CONFIG', 'either --zk or --data_dir must name where Pacer keeps its state');
  }
  return { kind: 'sqlite', dataDir };
}

export async function openStore(flags: FlagValues, options: OpenStoreOptions): Promise<Store> {
  const selection = selectStore(flags);
  switch (selection.kind) {
    case 'sqlite':
      return openSqliteStore({ dataDir: selection.dataDir, logger: options.logger, lockTimeoutMs: options.lockTimeoutMs });
    case 'zookeeper':
      if (options.openZkStore === undefined) {
        throw new StoreError('PACER_STORE_UNSUPPORTED', 'state in ZooKeeper (--zk) is not available in this build yet; use --data_dir');
      }
      return options.openZkStore({ url: selection.url, flags, logger: options.logger });
  }
}
