import type { Logger } from 'pino';
import { MesosDriverError } from './errors.js';

/** Where the leading Mesos master is. Implementations: static list, ZooKeeper. */
export interface MasterDetector {
  /** Base URLs to try, best first, e.g. ['http://10.0.0.1:5050']. Empty = no leader known right now. */
  candidates(): Promise<string[]>;
  /** Called when the leading master may have changed. Returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
  close(): Promise<void>;
}

export const DEFAULT_MASTER_PORT = 5050;

/**
 * Parses one master address: `host`, `host:port`, `[v6]:port` or a full
 * `http(s)://host:port[/prefix]` URL. Returns the base URL without a trailing slash.
 */
export function parseMasterAddress(address: string): string {
  const trimmed = address.trim();
  if (trimmed === '') throw new MesosDriverError('PACER_MESOS_BAD_MASTER_URL', 'empty master address');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (err) {
    throw new MesosDriverError('PACER_MESOS_BAD_MASTER_URL', `cannot parse master address '${address}'`, { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MesosDriverError(
      'PACER_MESOS_BAD_MASTER_URL',
      `master address '${address}' must be host:port, http:// or https:// (zk:// needs the ZooKeeper detector)`,
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new MesosDriverError('PACER_MESOS_BAD_MASTER_URL', `master address '${address}' must not carry credentials, a query or a fragment`);
  }
  // Mesos masters listen on 5050 unless told otherwise; URL drops the scheme's default port, so only fill in when absent from the text.
  const hasExplicitPort = url.port !== '' || /^[a-z]+:\/\/(\[[^\]]*\]|[^/:]*):\d+/i.test(withScheme);
  if (!hasExplicitPort) url.port = String(DEFAULT_MASTER_PORT);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** A fixed list of masters, e.g. from `--master host1:5050,host2:5050`. Redirects find the leader. */
export class StaticMasterDetector implements MasterDetector {
  readonly #masters: readonly string[];

  constructor(masters: string | readonly string[]) {
    const list = typeof masters === 'string' ? masters.split(',').filter((s) => s.trim() !== '') : masters;
    if (list.length === 0) throw new MesosDriverError('PACER_MESOS_BAD_MASTER_URL', 'no master address given');
    this.#masters = [...new Set(list.map(parseMasterAddress))];
  }

  candidates(): Promise<string[]> {
    return Promise.resolve([...this.#masters]);
  }

  onChange(_listener: () => void): () => void {
    return () => undefined;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Shape of src/mesos/zk-detector.ts, loaded only when a zk:// master is configured. */
interface ZkDetectorModule {
  ZkMasterDetector: { create(url: string, logger: Logger): Promise<MasterDetector> };
}

/** `zk://host:2181,host2:2181/mesos` -> ZooKeeper detection; anything else -> a static list. */
export async function createMasterDetector(master: string, logger: Logger): Promise<MasterDetector> {
  if (/^zk:\/\//i.test(master.trim())) {
    // Loaded lazily so that a static setup never pulls in the ZooKeeper client.
    const mod = (await import('./zk-detector.js')) as ZkDetectorModule;
    return mod.ZkMasterDetector.create(master.trim(), logger);
  }
  return new StaticMasterDetector(master);
}
