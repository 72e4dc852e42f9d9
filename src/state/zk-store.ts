/**
 * The Store in ZooKeeper, shared by every Pacer of an HA cluster (`--zk zk://…/path`).
 *
 * Layout under `<path>/state` (Marathon keeps its state under the same name):
 *   meta/format                                   format version as decimal text
 *   entries/<collection>/<bucket>/<escaped key>   one node per entry, framed JSON (zk-codec.ts)
 *
 * `apply` is one ZooKeeper multi, so a batch commits atomically and is durable once the quorum
 * acknowledged it. A multi is one request and must fit ZooKeeper's jute.maxbuffer (1 MiB by
 * default); batches that do not are refused with PACER_STORE_INVALID_VALUE rather than split, because
 * splitting would give up atomicity. Any single value fits (see zk-codec.ts).
 *
 * Every call waits at most `operationTimeoutMs` for a connected session (across reconnects and
 * session replacement) and then at most that long again for ZooKeeper's answer; it never hangs.
 * A write that failed with PACER_STORE_IO because the connection dropped while it was in flight may
 * still have committed: ZooKeeper itself cannot say, which is why PACER_STORE_IO means "stop".
 */
import type { Logger } from 'pino';
import { StoreError, StoreFormatError, StoreLimitError } from './errors.js';
import type { ZkStoreOpener } from './open-store.js';
import {
  sortByKey,
  encodeBatch,
  validateCollection,
  validateKey,
  type Collection,
  type EncodedWrite,
  type Store,
  type StoreEntry,
  type StoreWrite,
} from './store.js';
import {
  bucketNames,
  bucketOf,
  decodeNodeName,
  decodeNodeValue,
  decodePlainNodeValue,
  DEFAULT_COMPRESSION_THRESHOLD_BYTES,
  encodeNodeName,
  encodeNodeValue,
} from './zk-codec.js';
import { ZkMultiError, type ZkMultiOp } from '../zk/multi.js';
import { joinPath, parseZkUrl, redactUrl, ZkError, ZkSession, ZkSessionKeeper, type ZkErrorCode, type ZkUrl } from '../zk/session.js';

/** The layout this build reads and writes; stores with a higher version are refused. */
export const ZK_FORMAT_VERSION = 1;

/**
 * Upper bound for one multi request as this module estimates it. ZooKeeper's default
 * jute.maxbuffer is 1,048,575 bytes; the estimate over-counts each op, and the rest is headroom.
 */
export const DEFAULT_MAX_BATCH_BYTES = 1_040_000;
/** Per-op bytes beyond path and data in a multi request: op header, lengths, version, ACLs, flags. */
const OP_OVERHEAD_BYTES = 128;
/** A multi fails as a whole when another writer changed a node between our reads and the commit. */
const MAX_COMMIT_ATTEMPTS = 3;
/** A session that ended or lost its connection: reads may be retried on the next one. */
const SESSION_LOST_CODES: ReadonlySet<ZkErrorCode> = new Set<ZkErrorCode>(['PACER_ZK_CONNECTION_LOSS', 'PACER_ZK_SESSION_EXPIRED', 'PACER_ZK_CLOSED']);
const DEFAULT_TIMEOUT_MS = 10_000;
/** getData requests a listing keeps in flight: enough to hide the round trip, few enough to keep pings moving. */
const LIST_READS_IN_FLIGHT = 256;
/**
 * Nodes per multi-read, and multi-reads in flight. 100,000 nodes of 600 bytes load in about 0.3 s
 * this way against 8 s one request each (2 cores, ad hoc); batches of 500 fill the pipe without
 * making one reply large (a reply carries every value of its batch).
 */
const DEFAULT_MULTI_READ_BATCH = 500;
const MULTI_READS_IN_FLIGHT = 4;
/** The server's answer to a request type it does not know (multi-read before ZooKeeper 3.6). */
const ZK_UNIMPLEMENTED = -6;

export interface ZkStoreOptions {
  /** Requested ZooKeeper session timeout. Default 10 s (Marathon's zk_session_timeout). */
  sessionTimeoutMs?: number;
  /** How long `open` waits for the first session. Default 10 s. */
  connectTimeoutMs?: number;
  /** Bound on waiting for a connected session, and again on each request. Default 10 s. */
  operationTimeoutMs?: number;
  /** Values whose JSON is longer are gzip-compressed. Default 64 KiB, as Marathon. */
  compressionThresholdBytes?: number;
  /** Largest multi request (estimated) a batch may need. Default DEFAULT_MAX_BATCH_BYTES. */
  maxBatchBytes?: number;
  /** Largest data of one node, framing included (Marathon's `--zk_max_node_size`). Default: only the batch limit. */
  maxNodeBytes?: number;
  /**
   * Fencing for HA: returns the path of a node that must exist for a write to commit (the
   * leader's election node, LeaderElection.fencingPath), or undefined when this process must
   * not write. The check runs inside each multi, so a deposed leader cannot commit.
   */
  writeGuard?: () => string | undefined;
  /** Nodes a listing reads per multi-read request; 0 reads one node per request. Default DEFAULT_MULTI_READ_BATCH. */
  multiReadBatch?: number;
}

interface PendingBatch {
  writes: EncodedWrite[];
  resolve: () => void;
  reject: (error: Error) => void;
}

/** A batch reduced to its net effect: node path -> framed value, or null for a delete. */
interface PreparedBatch {
  batches: PendingBatch[];
  nodes: Map<string, Buffer | null>;
  bytes: number;
}

export class ZkStore implements Store {
  private keeper: ZkSessionKeeper | undefined;
  private readonly stateRoot: string;
  private readonly entriesRoot: string;
  private readonly operationTimeoutMs: number;
  private readonly compressionThresholdBytes: number;
  private readonly maxBatchBytes: number;
  private readonly maxNodeBytes: number;
  private readonly ensuredParents = new Set<string>();
  /**
   * Entry nodes known to exist: written by this store, or seen by its `get`/`list`. A commit
   * sets these and creates every other node it puts, without asking ZooKeeper first, so a batch
   * costs one round trip rather than one `exists` per node (100,000 of them when 100 apps of
   * 1,000 instances launch). Only the leader writes (fencing), so the set stays true; should it
   * not be (a node written or removed by another writer), the multi fails with NODE_EXISTS or
   * NO_NODE, nothing is written, and the retry asks ZooKeeper about every node of the batch.
   */
  private readonly knownNodes = new Set<string>();
  private readonly wakers = new Set<() => void>();
  private readonly gate = new ListGate();
  private queue: PendingBatch[] = [];
  private draining: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private released = false;
  private readonly multiReadBatch: number;
  /** Whether the server answers multi-reads, as probed on each new session. */
  private multiReadWorks = false;

  private constructor(
    private readonly url: ZkUrl,
    /** Where the state lives, password redacted, for messages. */
    readonly location: string,
    private readonly logger: Logger,
    private readonly opts: ZkStoreOptions,
  ) {
    this.stateRoot = joinPath(url.path, 'state');
    this.entriesRoot = joinPath(this.stateRoot, 'entries');
    this.operationTimeoutMs = opts.operationTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.compressionThresholdBytes = opts.compressionThresholdBytes ?? DEFAULT_COMPRESSION_THRESHOLD_BYTES;
    this.maxBatchBytes = opts.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.maxNodeBytes = opts.maxNodeBytes ?? Number.POSITIVE_INFINITY;
    this.multiReadBatch = opts.multiReadBatch ?? DEFAULT_MULTI_READ_BATCH;
  }

  /**
   * Connects to `zkUrl` (`zk://[user:pass@]host:port[,…]/path`), creates or checks the format
   * node and returns the open store. Rejects with PACER_STORE_CONFIG for a bad URL,
   * PACER_STORE_FORMAT_TOO_NEW for a newer layout and PACER_STORE_IO when ZooKeeper cannot be reached.
   */
  static async open(zkUrl: string, logger: Logger, opts: ZkStoreOptions = {}): Promise<ZkStore> {
    let url: ZkUrl;
    try {
      url = parseZkUrl(zkUrl, { requirePath: true });
    } catch (error) {
      throw new StoreError('PACER_STORE_CONFIG', (error as Error).message, { cause: error });
    }
    const location = `${redactUrl(zkUrl.trim()).replace(/\/+$/, '')}/state`;
    const store = new ZkStore(url, location, logger.child({ zkStore: location }), opts);
    try {
      store.keeper = await ZkSessionKeeper.start(
        url,
        store.logger,
        {
          sessionTimeoutMs: opts.sessionTimeoutMs ?? DEFAULT_TIMEOUT_MS,
          connectTimeoutMs: opts.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS,
          operationTimeoutMs: store.operationTimeoutMs,
        },
        (session, renewed) => store.adoptSession(session, renewed),
      );
    } catch (error) {
      throw toStoreError(error, `opening state store ${location}`);
    }
    store.logger.info({ formatVersion: ZK_FORMAT_VERSION }, 'state store opened');
    return store;
  }

  async get<T>(collection: Collection, key: string): Promise<T | undefined> {
    this.assertOpen();
    validateCollection(collection);
    validateKey(key);
    const session = await this.connectedSession(`get ${collection}/${key}`);
    try {
      const path = this.entryPath(collection, key);
      const { data } = await session.getData(path);
      this.knownNodes.add(path);
      return (await decodeNodeValue(data, `${collection}/${key}`)) as T;
    } catch (error) {
      if (error instanceof ZkError && error.code === 'PACER_ZK_NO_NODE') return undefined;
      throw toStoreError(error, `get ${collection}/${key}`);
    }
  }

  async list<T>(collection: Collection, prefix?: string): Promise<Array<StoreEntry<T>>> {
    this.assertOpen();
    validateCollection(collection);
    if (prefix !== undefined) validateKey(prefix, 'prefix');
    const what = `list ${collection}${prefix ? ` '${prefix}'` : ''}`;
    const session = await this.connectedSession(what);
    const collectionPath = joinPath(this.entriesRoot, collection);
    try {
      // Inside the gate no multi of ours is in flight, so the listing cannot see half a batch.
      const found = await this.gate.read(async () => {
        const perBucket = await Promise.all(
          bucketNames().map(async (bucket) => {
            const bucketPath = joinPath(collectionPath, bucket);
            const names = await childrenOrNone(session, bucketPath);
            return names.map((name) => ({ name, bucketPath, key: decodeNodeName(name) }));
          }),
        );
        const wanted = perBucket.flat().filter((child): child is { name: string; bucketPath: string; key: string } => {
          if (child.key === undefined) {
            this.logger.warn({ collection, node: joinPath(child.bucketPath, child.name) }, 'ignoring a node that is not a store entry');
            return false;
          }
          return prefix === undefined || child.key.startsWith(prefix);
        });
        return this.readValues<T>(session, collection, wanted);
      });
      return sortByKey(found.filter((entry): entry is StoreEntry<T> => entry !== undefined));
    } catch (error) {
      throw toStoreError(error, what);
    }
  }

  /**
   * The values of the listed nodes, decoded as their replies arrive. With multi-read (ZooKeeper
   * 3.6+) a few large requests; with an older server, one request per node.
   */
  private async readValues<T>(
    session: ZkSession,
    collection: Collection,
    nodes: ReadonlyArray<{ name: string; bucketPath: string; key: string }>,
  ): Promise<Array<StoreEntry<T> | undefined>> {
    const decode = (path: string, key: string, data: Buffer | undefined): StoreEntry<T> | undefined | Promise<StoreEntry<T>> => {
      if (data === undefined) return undefined;
      const where = `${collection}/${key}`;
      const plain = decodePlainNodeValue(data, where);
      this.knownNodes.add(path);
      if (plain !== undefined) return { key, value: plain.value as T };
      return decodeNodeValue(data, where).then((value) => ({ key, value: value as T }));
    };
    if (this.multiReadBatch > 0 && this.multiReadWorks) {
      const batches: Array<typeof nodes> = [];
      for (let start = 0; start < nodes.length; start += this.multiReadBatch) batches.push(nodes.slice(start, start + this.multiReadBatch));
      const perBatch = await mapBounded(batches, MULTI_READS_IN_FLIGHT, async (batch) => {
        const paths = batch.map(({ name, bucketPath }) => joinPath(bucketPath, name));
        const data = await session.getDataMany(paths);
        const decoded = batch.map(({ key }, index) => decode(paths[index]!, key, data[index]));
        if (!decoded.some((entry) => entry instanceof Promise)) return decoded as Array<StoreEntry<T> | undefined>;
        return Promise.all(decoded.map(async (entry) => entry));
      });
      return perBatch.flat();
    }
    // A bounded number of reads in flight: 100,000 requests queued at once on one session
    // delay its pings behind them, and the session can expire while it reads.
    // Each value is decoded as its reply arrives: decoding 100,000 after the last reply held
    // the event loop for seconds, long enough for the leader-election session to look dead.
    return mapBounded(nodes, LIST_READS_IN_FLIGHT, async ({ name, bucketPath, key }) => {
      const path = joinPath(bucketPath, name);
      return decode(path, key, await dataOrNone(session, path));
    });
  }

  apply(writes: readonly StoreWrite[]): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(closedError());
    let encoded: EncodedWrite[];
    try {
      encoded = encodeBatch(writes);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ writes: encoded, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.draining;
      this.released = true;
      this.wake();
      await this.keeper?.close();
      this.logger.info('state store closed');
    })();
    return this.closing;
  }

  /** The session in use right now, for tests that expire it. */
  currentSession(): ZkSession | undefined {
    return this.keeper?.current();
  }

  private async adoptSession(session: ZkSession, renewed: boolean): Promise<void> {
    session.onStateChange(() => this.wake());
    if (!renewed) await this.checkFormat(session);
    if (this.multiReadBatch > 0) await this.probeMultiRead(session);
    this.wake();
  }

  /**
   * Asks for the format node by multi-read. A server older than 3.6 answers "unimplemented" and
   * closes the connection (the session survives it), so the probe happens here, before any other
   * request of the session can be caught by that close. Any other failure leaves listings on
   * one request per node.
   */
  private async probeMultiRead(session: ZkSession): Promise<void> {
    try {
      await session.getDataMany([this.formatPath()]);
      this.multiReadWorks = true;
    } catch (error) {
      this.multiReadWorks = false;
      this.logger.info(
        { err: error },
        error instanceof ZkError && error.zkCode === ZK_UNIMPLEMENTED
          ? 'this ZooKeeper server has no multi-read (it needs 3.6 or later); listings read one node per request'
          : 'could not learn whether ZooKeeper answers multi-reads; listings read one node per request',
      );
    }
  }

  private formatPath(): string {
    return joinPath(joinPath(this.stateRoot, 'meta'), 'format');
  }

  private async checkFormat(session: ZkSession): Promise<void> {
    const formatPath = this.formatPath();
    await session.ensurePath(joinPath(this.stateRoot, 'meta'));
    try {
      await session.create(formatPath, Buffer.from(String(ZK_FORMAT_VERSION)));
      this.logger.info({ formatVersion: ZK_FORMAT_VERSION }, 'created a new state store');
      return;
    } catch (error) {
      if (!(error instanceof ZkError && error.code === 'PACER_ZK_NODE_EXISTS')) throw error;
    }
    const text = (await session.getData(formatPath)).data.toString('utf8');
    const found = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(found) || found < 1) {
      throw new StoreError('PACER_STORE_CORRUPT', `state store ${this.location} has an unreadable format version '${text}'`);
    }
    if (found > ZK_FORMAT_VERSION) throw new StoreFormatError(this.location, found, ZK_FORMAT_VERSION);
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = await this.takeGroup();
      if (group === undefined) continue;
      try {
        await this.commit(group.nodes);
      } catch (error) {
        const storeError = toStoreError(error, `commit of ${group.batches.length} batch(es)`);
        this.logger.error({ err: storeError, batches: group.batches.length }, 'state store commit failed');
        for (const batch of group.batches) batch.reject(storeError);
        continue;
      }
      for (const batch of group.batches) batch.resolve();
    }
    this.draining = undefined;
  }

  /**
   * Takes the next batches off the queue that fit one multi together (group commit: one round
   * trip for many small batches). Merging keeps each batch atomic: the group commits or fails
   * as a whole, and a failed group rejects every batch in it. Returns undefined when the first
   * batch itself cannot be written (it has been rejected).
   */
  private async takeGroup(): Promise<PreparedBatch | undefined> {
    const first = this.queue.shift()!;
    const group = await this.prepare(first);
    if (group instanceof StoreError) {
      first.reject(group);
      return undefined;
    }
    while (this.queue.length > 0) {
      const candidate = this.queue[0]!;
      const next = await this.prepare(candidate);
      // A batch that cannot be written is rejected on its own when it comes first.
      if (next instanceof StoreError || group.bytes + next.bytes > this.maxBatchBytes) break;
      this.queue.shift();
      group.batches.push(candidate);
      for (const [path, data] of next.nodes) {
        group.nodes.delete(path); // re-inserted so the map keeps the order of last writes
        group.nodes.set(path, data);
      }
      group.bytes += next.bytes;
    }
    return group;
  }

  private readonly prepared = new WeakMap<PendingBatch, Promise<PreparedBatch | StoreError>>();

  /** Frames a batch once, however often the grouping looks at it. */
  private prepare(batch: PendingBatch): Promise<PreparedBatch | StoreError> {
    let prepared = this.prepared.get(batch);
    if (prepared === undefined) {
      prepared = this.frame(batch).catch((error: unknown) => toStoreError(error, 'preparing a batch'));
      this.prepared.set(batch, prepared);
    }
    return prepared;
  }

  private async frame(batch: PendingBatch): Promise<PreparedBatch> {
    const nodes = new Map<string, Buffer | null>();
    for (const write of batch.writes) {
      const path = this.entryPath(write.collection, write.key);
      nodes.delete(path);
      const data = write.op === 'put' ? await encodeNodeValue(write.json, this.compressionThresholdBytes) : null;
      if (data !== null && data.length > this.maxNodeBytes) {
        throw new StoreLimitError(
          'PACER_STORE_INVALID_VALUE',
          `the value of ${write.collection}/${write.key} needs ${data.length} bytes in ZooKeeper; ` +
            `the limit of one node is ${this.maxNodeBytes} bytes (--zk_max_node_size)`,
          this.maxNodeBytes,
        );
      }
      nodes.set(path, data);
    }
    let bytes = OP_OVERHEAD_BYTES * 2; // request header, end marker, and the fencing check
    for (const [path, data] of nodes) bytes += Buffer.byteLength(path) + (data?.length ?? 0) + OP_OVERHEAD_BYTES;
    if (bytes > this.maxBatchBytes) {
      throw new StoreLimitError(
        'PACER_STORE_INVALID_VALUE',
        `a batch of ${batch.writes.length} writes needs about ${bytes} bytes in one ZooKeeper request; ` +
          `the store's limit is ${this.maxBatchBytes} bytes (jute.maxbuffer); split it into smaller atomic batches`,
        this.maxBatchBytes,
      );
    }
    return { batches: [batch], nodes, bytes };
  }

  private async commit(nodes: Map<string, Buffer | null>): Promise<void> {
    let askAll = false;
    for (let attempt = 1; ; attempt++) {
      const session = await this.connectedSession('apply');
      const puts = [...nodes].filter(([, data]) => data !== null).map(([path]) => path);
      // Puts of unknown nodes are creates; deletes of unknown nodes need a look (they may be
      // another leader's). After a race, every node is looked up.
      const lookups = [...nodes].filter(([path, data]) => askAll || (data === null && !this.knownNodes.has(path))).map(([path]) => path);
      const present = new Map<string, boolean>();
      try {
        const parents = [...new Set(puts.map(parentOf))].filter((parent) => !this.ensuredParents.has(parent));
        await Promise.all(parents.map((parent) => session.ensurePath(parent)));
        for (const parent of parents) this.ensuredParents.add(parent);
        const stats = await Promise.all(lookups.map((path) => session.exists(path)));
        lookups.forEach((path, index) => present.set(path, stats[index] !== undefined));
      } catch (error) {
        // Nothing of this batch is written yet, so a session lost while looking is retried on
        // its replacement (connectedSession waits for it, bounded).
        const sessionLost = error instanceof ZkError && SESSION_LOST_CODES.has(error.code);
        if (!sessionLost || attempt >= MAX_COMMIT_ATTEMPTS) throw error;
        this.logger.warn({ err: error, attempt }, 'state store lost its ZooKeeper session before writing; retrying');
        continue;
      }
      const ops: ZkMultiOp[] = [];
      const guardPath = this.guardPath();
      if (guardPath !== undefined) ops.push({ type: 'check', path: guardPath });
      for (const [path, data] of nodes) {
        const exists = present.get(path) ?? this.knownNodes.has(path);
        if (data !== null) ops.push(exists ? { type: 'setData', path, data } : { type: 'create', path, data });
        else if (exists) ops.push({ type: 'remove', path });
      }
      if (ops.length === (guardPath === undefined ? 0 : 1)) return;

      try {
        await this.gate.write(() => session.multi(ops));
        for (const [path, data] of nodes) {
          if (data === null) this.knownNodes.delete(path);
          else this.knownNodes.add(path);
        }
        return;
      } catch (error) {
        if (error instanceof ZkMultiError && guardPath !== undefined && error.failedIndex === 0) {
          throw new StoreError('PACER_STORE_IO', `write refused: this Pacer no longer holds leadership (${guardPath} is gone)`, { cause: error });
        }
        const raced = error instanceof ZkMultiError && (error.code === 'PACER_ZK_NODE_EXISTS' || error.code === 'PACER_ZK_NO_NODE');
        if (!raced || attempt >= MAX_COMMIT_ATTEMPTS) throw error;
        // Another writer created or removed a node (or a bucket) since we looked, or before we
        // knew it: look at every node again.
        this.logger.warn({ err: error, attempt }, 'state store commit raced with another writer; retrying');
        this.ensuredParents.clear();
        for (const path of nodes.keys()) this.knownNodes.delete(path);
        askAll = true;
      }
    }
  }

  private guardPath(): string | undefined {
    if (this.opts.writeGuard === undefined) return undefined;
    const path = this.opts.writeGuard();
    if (path === undefined) throw new StoreError('PACER_STORE_IO', 'write refused: this Pacer is not the leader');
    return path;
  }

  private entryPath(collection: Collection, key: string): string {
    return `${this.entriesRoot}/${collection}/${bucketOf(key)}/${encodeNodeName(key)}`;
  }

  /** Waits (bounded) until there is a connected session; reconnects and session renewals count. */
  private async connectedSession(what: string): Promise<ZkSession> {
    const deadline = Date.now() + this.operationTimeoutMs;
    for (;;) {
      if (this.released) throw closedError();
      const session = this.keeper?.current();
      if (session !== undefined && session.state === 'connected') return session;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new StoreError('PACER_STORE_IO', `${what}: no ZooKeeper connection for ${this.operationTimeoutMs} ms (${this.location})`);
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.wakers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, remaining);
        this.wakers.add(done);
      });
    }
  }

  private wake(): void {
    for (const waker of [...this.wakers]) waker();
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw closedError();
  }
}

/** Lists and multis of one store exclude each other, so a listing is a consistent snapshot. */
class ListGate {
  private readers = 0;
  private readonly idle: Array<() => void> = [];
  private writing: Promise<void> | undefined;

  async read<T>(fn: () => Promise<T>): Promise<T> {
    while (this.writing !== undefined) await this.writing;
    this.readers++;
    try {
      return await fn();
    } finally {
      this.readers--;
      if (this.readers === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  /** Only ever called by the single drain loop, so writers never overlap each other. */
  async write<T>(fn: () => Promise<T>): Promise<T> {
    let release!: () => void;
    this.writing = new Promise<void>((resolve) => (release = resolve));
    try {
      if (this.readers > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
      return await fn();
    } finally {
      this.writing = undefined;
      release();
    }
  }
}

/** `Promise.all(items.map(fn))` with at most `limit` calls of `fn` pending; results in input order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function childrenOrNone(session: ZkSession, path: string): Promise<string[]> {
  try {
    return await session.getChildren(path);
  } catch (error) {
    if (error instanceof ZkError && error.code === 'PACER_ZK_NO_NODE') return [];
    throw error;
  }
}

async function dataOrNone(session: ZkSession, path: string): Promise<Buffer | undefined> {
  try {
    return (await session.getData(path)).data;
  } catch (error) {
    if (error instanceof ZkError && error.code === 'PACER_ZK_NO_NODE') return undefined;
    throw error;
  }
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

function toStoreError(error: unknown, what: string): StoreError {
  if (error instanceof StoreError) return error;
  if (error instanceof ZkError) {
    const unknownOutcome = error.code === 'PACER_ZK_OPERATION_TIMEOUT' || error.code === 'PACER_ZK_CONNECTION_LOSS';
    const suffix = unknownOutcome && what.startsWith('commit') ? ' (the write may or may not have been applied)' : '';
    return new StoreError('PACER_STORE_IO', `${what}: ZooKeeper ${error.code}: ${error.message}${suffix}`, { cause: error });
  }
  return new StoreError('PACER_STORE_IO', `${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

function closedError(): StoreError {
  return new StoreError('PACER_STORE_CLOSED', 'the state store is closed');
}

/**
 * The `--zk` seam of open-store.ts: `openStore(location, { logger, openZkStore: zkStoreOpener(options) })`.
 * The composition root fills `options` (timeouts from Marathon's `--zk_*` flags, HA's write guard).
 */
export function zkStoreOpener(options: ZkStoreOptions = {}): ZkStoreOpener {
  return ({ url, logger }: { url: string; logger: Logger }) => ZkStore.open(url, logger, options);
}
