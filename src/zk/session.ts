// ZooKeeper plumbing shared by master detection, master announcement, HA state and leader election:
// zk:// URL parsing, a promise-based session over node-zookeeper-client with per-operation
// timeouts and typed errors, and a keeper that replaces a session after it expires.
import zookeeper from 'node-zookeeper-client';
import type { ACL, Client, Event as LibraryEvent, Stat } from 'node-zookeeper-client';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { ZkError, toZkError } from './errors.js';
import { addMultiOp, toMultiError, type ZkMultiOp } from './multi.js';
import { decodeMultiReadReply, encodeMultiReadBody, OP_MULTI_READ } from './multi-read.js';
import { tuneZkWire, type RawZkRequest } from './wire-tuning.js';

export { ZkError, type ZkErrorCode } from './errors.js';

export interface ZkCredentials {
  username: string;
  password: string;
}

export interface ZkUrl {
  /** `host:port` entries, port defaulted to 2181. */
  servers: string[];
  /** Comma-joined servers, without a chroot: paths are always used absolute. */
  connectString: string;
  /** Absolute znode path without a trailing slash (`/` for the root). */
  path: string;
  /** `user:pass@` credentials, used with ZooKeeper's `digest` scheme as Mesos and Marathon do. */
  credentials?: ZkCredentials;
}

tuneZkWire();

const DEFAULT_CLIENT_PORT = 2181;
const HOST_PATTERN = /^[A-Za-z0-9.-]+$/;

/**
 * Parses `zk://[user:pass@]host1[:port1][,host2[:port2]…][/path]`, the format shared by Mesos's
 * `--zk`/`--master` and Marathon's `--zk`. Mesos lets the path default to `/`; Marathon insists
 * on one, which `requirePath` reproduces.
 */
export function parseZkUrl(url: string, opts: { requirePath?: boolean } = {}): ZkUrl {
  const trimmed = url.trim();
  if (!trimmed.startsWith('zk://')) {
    throw new ZkError('PACER_ZK_BAD_URL', `ZooKeeper URL must start with zk://: ${redactUrl(trimmed)}`);
  }
  let rest = trimmed.slice('zk://'.length);
  const slash = rest.indexOf('/');
  let path = slash === -1 ? '' : rest.slice(slash);
  rest = slash === -1 ? rest : rest.slice(0, slash);

  let credentials: ZkCredentials | undefined;
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    const userInfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = userInfo.indexOf(':');
    if (colon <= 0) {
      throw new ZkError('PACER_ZK_BAD_URL', `ZooKeeper URL credentials must be user:password: ${redactUrl(trimmed)}`);
    }
    credentials = { username: userInfo.slice(0, colon), password: userInfo.slice(colon + 1) };
  }

  if (rest === '') throw new ZkError('PACER_ZK_BAD_URL', `ZooKeeper URL names no servers: ${redactUrl(trimmed)}`);
  const servers = rest.split(',').map((entry) => parseServer(entry, trimmed));

  if (path.length > 1 && path.endsWith('/')) path = path.replace(/\/+$/, '');
  if (path === '' || path === '/') {
    if (opts.requirePath) {
      throw new ZkError('PACER_ZK_BAD_URL', `ZooKeeper URL needs a znode path (zk://host:2181/path): ${redactUrl(trimmed)}`);
    }
    path = '/';
  }
  if (!isValidPath(path)) throw new ZkError('PACER_ZK_BAD_URL', `bad znode path '${path}' in ${redactUrl(trimmed)}`);

  return { servers, connectString: servers.join(','), path, ...(credentials ? { credentials } : {}) };
}

function parseServer(entry: string, url: string): string {
  const colon = entry.lastIndexOf(':');
  const host = colon === -1 ? entry : entry.slice(0, colon);
  const portText = colon === -1 ? String(DEFAULT_CLIENT_PORT) : entry.slice(colon + 1);
  const port = Number(portText);
  if (!HOST_PATTERN.test(host)) {
    throw new ZkError('PACER_ZK_BAD_URL', `bad ZooKeeper host '${entry}' in ${redactUrl(url)}`);
  }
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new ZkError('PACER_ZK_BAD_URL', `bad ZooKeeper port '${entry}' in ${redactUrl(url)}`);
  }
  return `${host}:${port}`;
}

/** The URL with any password replaced, for logs and error messages. */
export function redactUrl(url: string): string {
  return url.replace(/^(zk:\/\/[^:@/]*):[^@/]*@/, '$1:***@');
}

export function isValidPath(path: string): boolean {
  if (path.includes('\u0000')) return false;
  if (path === '/') return true;
  return (
    path.startsWith('/') &&
    path
      .split('/')
      .slice(1)
      .every((s) => s !== '' && s !== '.' && s !== '..')
  );
}

export function validatePath(path: string): void {
  if (!isValidPath(path)) throw new ZkError('PACER_ZK_BAD_PATH', `invalid znode path '${path}'`);
}

export function joinPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

export type ZkCreateMode = 'persistent' | 'ephemeral' | 'persistent_sequential' | 'ephemeral_sequential';

const CREATE_MODES: Record<ZkCreateMode, number> = {
  persistent: zookeeper.CreateMode.PERSISTENT,
  ephemeral: zookeeper.CreateMode.EPHEMERAL,
  persistent_sequential: zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeral_sequential: zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
};

export type ZkWatchEventType = 'created' | 'deleted' | 'data_changed' | 'children_changed';
export interface ZkWatchEvent {
  type: ZkWatchEventType;
  path: string;
}
export type ZkWatcher = (event: ZkWatchEvent) => void;

export interface ZkNodeStat {
  version: number;
  childCount: number;
  dataLength: number;
  /** Hex session id owning an ephemeral node; all zeros for persistent nodes. */
  ephemeralOwner: string;
}

export type ZkSessionState = 'connected' | 'disconnected' | 'expired' | 'closed';

export interface ZkSessionOptions {
  /** Requested session timeout; the server clamps it to [2, 20] × its tickTime. Default 10 s (Mesos and Marathon). */
  sessionTimeoutMs?: number;
  /** How long connect() waits for the first session. Default 10 s (Marathon's zk_connection_timeout). */
  connectTimeoutMs?: number;
  /** Bound on every request; the library itself never times requests out while disconnected. Default 10 s. */
  operationTimeoutMs?: number;
  credentials?: ZkCredentials;
  /** Resume an existing session instead of starting one (also how tests force a session to expire). */
  resume?: ZkSessionIdentity;
}

export interface ZkSessionIdentity {
  id: Buffer;
  password: Buffer;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** ZooKeeper's error code for a node that does not exist. */
const NO_NODE = -101;
const CLOSE_GRACE_MS = 2_000;

/** One ZooKeeper session. After it expires it is dead: open a new one (see ZkSessionKeeper). */
export class ZkSession {
  private stateValue: ZkSessionState = 'disconnected';
  private readonly stateListeners = new Set<(state: ZkSessionState) => void>();
  private readonly operationTimeoutMs: number;
  private readonly reconnectStallMs: number;
  private stallTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly client: Client,
    private readonly logger: Logger,
    opts: ZkSessionOptions,
  ) {
    this.operationTimeoutMs = opts.operationTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.reconnectStallMs = Math.max(1_000, Math.floor((opts.sessionTimeoutMs ?? DEFAULT_TIMEOUT_MS) / 3));
  }

  /** Opens a session to `connectString` (`h1:2181,h2:2181`, no chroot), or rejects with PACER_ZK_CONNECT_TIMEOUT. */
  static async connect(connectString: string, logger: Logger, opts: ZkSessionOptions = {}): Promise<ZkSession> {
    const sessionTimeout = opts.sessionTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const client = zookeeper.createClient(connectString, {
      sessionTimeout,
      // Pause after a full round over the servers; short so a restarted server is found quickly.
      spinDelay: 500,
      ...(opts.resume ? { sessionId: opts.resume.id, sessionPassword: opts.resume.password } : {}),
    });
    if (opts.credentials) {
      client.addAuthInfo('digest', Buffer.from(`${opts.credentials.username}:${opts.credentials.password}`));
    }
    const session = new ZkSession(client, logger.child({ zkServers: connectString }), opts);
    await session.open(opts.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS);
    return session;
  }

  private open(connectTimeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (error?: ZkError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) {
          this.forceClose();
          reject(error);
        } else {
          resolve();
        }
      };
      const timer = setTimeout(() => finish(new ZkError('PACER_ZK_CONNECT_TIMEOUT', `no ZooKeeper session within ${connectTimeoutMs} ms`)), connectTimeoutMs);
      this.client.on('state', (state) => {
        if (state.name === 'AUTH_FAILED') {
          this.logger.error({ zkSessionId: this.sessionId }, 'zookeeper authentication failed');
          finish(new ZkError('PACER_ZK_AUTH_FAILED', 'ZooKeeper authentication failed'));
          return;
        }
        const next = translateState(state.name);
        if (next === undefined) return;
        if (next === 'connected') finish();
        if (next === 'expired') finish(new ZkError('PACER_ZK_SESSION_EXPIRED', 'ZooKeeper session expired while connecting'));
        this.setState(next);
      });
      this.client.connect();
      this.armStallWatchdog();
    });
  }

  /**
   * A server that is starting up (or half-gone) can accept a connection and never answer the
   * handshake; the client library then waits forever. While disconnected, drop the socket
   * every so often so the library tries again.
   */
  private armStallWatchdog(): void {
    clearTimeout(this.stallTimer);
    if (this.stateValue !== 'disconnected') return;
    this.stallTimer = setTimeout(() => {
      if (this.stateValue !== 'disconnected') return;
      this.logger.debug({ zkSessionId: this.sessionId }, 'zookeeper reconnect stalled; trying again');
      this.librarySocket()?.destroy();
      this.armStallWatchdog();
    }, this.reconnectStallMs);
    this.stallTimer.unref();
  }

  /**
   * The client library has no read timeout: a server that stops answering without closing the
   * connection (a blackholed network, a frozen server, or a connection the server left attached
   * to a session it has since closed, whose requests it silently drops) leaves it `connected`
   * for good, so an expired session would go unnoticed. The library pings whenever the socket
   * has been idle for a third of the session timeout; like the Java client, hearing nothing for
   * two thirds of it drops the socket, and the reconnect learns whether the session lives.
   */
  private armSilenceWatchdog(): void {
    clearInterval(this.silenceTimer);
    this.silenceTimer = undefined;
    if (this.stateValue !== 'connected') return;
    const readTimeoutMs = Math.floor((this.sessionTimeoutMs * 2) / 3);
    let socket = this.librarySocket();
    let bytesRead = socket?.bytesRead ?? 0;
    let lastHeardAt = Date.now();
    const tickMs = Math.max(25, Math.floor(readTimeoutMs / 4));
    let lastTickAt = lastHeardAt;
    this.silenceTimer = setInterval(() => {
      // Time this process could not run (a long synchronous stretch) is not the server's
      // silence: nothing was sent to it then, not even a ping, so it had nothing to answer.
      const now = Date.now();
      const stalledMs = now - lastTickAt - tickMs;
      if (stalledMs > tickMs) lastHeardAt += stalledMs;
      lastTickAt = now;
      const current = this.librarySocket();
      if (current !== socket || (current?.bytesRead ?? 0) !== bytesRead) {
        socket = current;
        bytesRead = current?.bytesRead ?? 0;
        lastHeardAt = Date.now();
        return;
      }
      if (socket === undefined || Date.now() - lastHeardAt < readTimeoutMs) return;
      const silent = socket;
      // After a blocked event loop timers run before pending reads; judge once those are in.
      setImmediate(() => {
        if (this.stateValue !== 'connected' || this.librarySocket() !== silent || silent.bytesRead !== bytesRead) return;
        this.logger.warn({ zkSessionId: this.sessionId, silentForMs: Date.now() - lastHeardAt }, 'zookeeper server stopped answering; reconnecting');
        silent.destroy();
      });
    }, tickMs);
    this.silenceTimer.unref();
  }

  private connectionManager(): { queue(request: RawZkRequest, callback: (error: unknown) => void): void } {
    return (this.client as unknown as { connectionManager: { queue(request: RawZkRequest, callback: (error: unknown) => void): void } }).connectionManager;
  }

  private librarySocket(): Socket | undefined {
    return (this.client as unknown as { connectionManager?: { socket?: Socket } }).connectionManager?.socket;
  }

  get state(): ZkSessionState {
    return this.stateValue;
  }

  /** Hex session id, for logs. */
  get sessionId(): string {
    return this.client.getSessionId().toString('hex');
  }

  identity(): ZkSessionIdentity {
    return { id: this.client.getSessionId(), password: this.client.getSessionPassword() };
  }

  /** Negotiated session timeout in ms. */
  get sessionTimeoutMs(): number {
    return this.client.getSessionTimeout();
  }

  /** Listens to connection state changes; `expired` and `closed` are final. Returns unsubscribe. */
  onStateChange(listener: (state: ZkSessionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private setState(next: ZkSessionState): void {
    if (this.stateValue === next || this.stateValue === 'closed' || this.stateValue === 'expired') return;
    this.stateValue = next;
    this.armStallWatchdog();
    this.armSilenceWatchdog();
    this.logger.debug({ zkSessionId: this.sessionId, zkState: next }, 'zookeeper session state');
    for (const listener of [...this.stateListeners]) listener(next);
  }

  getChildren(path: string, watcher?: ZkWatcher): Promise<string[]> {
    validatePath(path);
    return this.call<string[]>(`getChildren ${path}`, (done) => {
      if (watcher) this.client.getChildren(path, wrapWatcher(watcher), (e, children) => done(e, children));
      else this.client.getChildren(path, (e, children) => done(e, children));
    });
  }

  getData(path: string, watcher?: ZkWatcher): Promise<{ data: Buffer; stat: ZkNodeStat }> {
    validatePath(path);
    return this.call(`getData ${path}`, (done) => {
      const callback = (e: unknown, data: Buffer | undefined, stat: Stat): void =>
        done(e, { data: data ?? Buffer.alloc(0), stat: e ? emptyStat() : toNodeStat(stat) });
      if (watcher) this.client.getData(path, wrapWatcher(watcher), callback);
      else this.client.getData(path, callback);
    });
  }

  /**
   * The data of many nodes in one request (ZooKeeper's multi-read, servers 3.6 and later), in the
   * order of `paths`; undefined for a node that does not exist. Rejects with PACER_ZK_ERROR
   * carrying the server's code when the server refuses the request as a whole (an older server).
   * The buffers are views into the reply: decode them and let them go.
   */
  getDataMany(paths: readonly string[]): Promise<Array<Buffer | undefined>> {
    for (const path of paths) validatePath(path);
    return this.call(`multi-read of ${paths.length} nodes`, (done) => {
      const body = encodeMultiReadBody(paths);
      const request: RawZkRequest = {
        header: { xid: 0, type: OP_MULTI_READ },
        payload: undefined,
        toBuffer() {
          const frame = Buffer.allocUnsafe(12 + body.length);
          frame.writeInt32BE(8 + body.length, 0);
          frame.writeInt32BE(this.header.xid, 4);
          frame.writeInt32BE(OP_MULTI_READ, 8);
          body.copy(frame, 12);
          return frame;
        },
        onReply: (err, reply) => {
          if (err !== 0) {
            done(new ZkError(err === NO_NODE ? 'PACER_ZK_NO_NODE' : 'PACER_ZK_ERROR', `multi-read of ${paths.length} nodes: server error ${err}`, err), []);
            return;
          }
          let results;
          try {
            results = decodeMultiReadReply(reply, paths.length);
          } catch (error) {
            // The stream cannot be trusted past a reply it cannot read; the reconnect starts clean.
            this.librarySocket()?.destroy();
            done(error, []);
            return;
          }
          const data: Array<Buffer | undefined> = [];
          for (const [index, result] of results.entries()) {
            if ('data' in result) data.push(result.data);
            else if (result.error === NO_NODE) data.push(undefined);
            else {
              done(new ZkError('PACER_ZK_ERROR', `multi-read of ${paths[index]!}: server error ${result.error}`, result.error), []);
              return;
            }
          }
          done(undefined, data);
        },
      };
      this.connectionManager().queue(request, (error: unknown) => {
        if (error) done(error, []);
      });
    });
  }

  /** Resolves to the node's stat, or undefined when it does not exist (the watcher then waits for its creation). */
  exists(path: string, watcher?: ZkWatcher): Promise<ZkNodeStat | undefined> {
    validatePath(path);
    return this.call(`exists ${path}`, (done) => {
      const callback = (e: unknown, stat: Stat | undefined): void => done(e, stat ? toNodeStat(stat) : undefined);
      if (watcher) this.client.exists(path, wrapWatcher(watcher), callback);
      else this.client.exists(path, callback);
    });
  }

  /**
   * Creates a node and resolves to its actual path (which carries the sequence suffix for
   * sequential modes). With `createParents`, missing ancestors are created as empty persistent nodes.
   */
  async create(path: string, data: Buffer = Buffer.alloc(0), opts: { mode?: ZkCreateMode; createParents?: boolean } = {}): Promise<string> {
    validatePath(path);
    if (opts.createParents) {
      const parent = path.slice(0, path.lastIndexOf('/')) || '/';
      await this.ensurePath(parent);
    }
    const mode = CREATE_MODES[opts.mode ?? 'persistent'];
    const acls = this.acls();
    return this.call<string>(`create ${path}`, (done) => this.client.create(path, data, acls, mode, done));
  }

  /** Creates `path` and its ancestors as persistent nodes where missing. */
  async ensurePath(path: string): Promise<void> {
    validatePath(path);
    if (path === '/') return;
    if (await this.exists(path)) return;
    const segments = path.split('/').slice(1);
    let current = '';
    for (const segment of segments) {
      current = `${current}/${segment}`;
      try {
        await this.call<string>(`create ${current}`, (done) =>
          this.client.create(current, Buffer.alloc(0), this.acls(), zookeeper.CreateMode.PERSISTENT, done),
        );
      } catch (error) {
        if (!(error instanceof ZkError && error.code === 'PACER_ZK_NODE_EXISTS')) throw error;
      }
    }
  }

  setData(path: string, data: Buffer, version = -1): Promise<ZkNodeStat> {
    validatePath(path);
    return this.call(`setData ${path}`, (done) => this.client.setData(path, data, version, (e, stat) => done(e, e ? emptyStat() : toNodeStat(stat))));
  }

  remove(path: string, version = -1): Promise<void> {
    validatePath(path);
    return this.call<void>(`remove ${path}`, (done) => this.client.remove(path, version, (e) => done(e, undefined)));
  }

  /**
   * Commits `ops` atomically. Rejects with ZkMultiError when the server refused the transaction
   * (nothing was applied), or with PACER_ZK_OPERATION_TIMEOUT / PACER_ZK_CONNECTION_LOSS when the outcome is
   * unknown (the request may still have been applied, as with any ZooKeeper write).
   */
  multi(ops: readonly ZkMultiOp[]): Promise<void> {
    const acls = this.acls();
    return this.call<void>(`multi of ${ops.length} ops`, (done) => {
      const transaction = this.client.transaction();
      for (const op of ops) addMultiOp(transaction, op, acls);
      transaction.commit((error, results: unknown) => done(error ? toMultiError(error, results, ops.length) : undefined, undefined));
    });
  }

  /** Ends the session (ephemeral nodes go at once). Never rejects. */
  async close(): Promise<void> {
    if (this.stateValue === 'closed') return;
    const wasLive = this.stateValue === 'connected';
    this.setState('closed');
    if (!wasLive) {
      this.forceClose();
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.forceClose();
        resolve();
      }, CLOSE_GRACE_MS);
      timer.unref();
      // The server answers CLOSE_SESSION by closing the socket; the library then reports `disconnected`.
      this.client.once('disconnected', () => {
        clearTimeout(timer);
        resolve();
      });
      this.client.close();
    });
  }

  private forceClose(): void {
    this.stateValue = 'closed';
    clearTimeout(this.stallTimer);
    clearInterval(this.silenceTimer);
    this.client.close();
    // The library keeps reconnecting while it has no live socket; ending the socket stops that.
    this.librarySocket()?.destroy();
  }

  private acls(): ACL[] {
    // With credentials, nodes belong to their creator and are world-readable (as Mesos's group does).
    if (!this.credentialsInUse()) return [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('world', 'anyone'))];
    return [
      new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('auth', '')),
      new zookeeper.ACL(zookeeper.Permission.READ, new zookeeper.Id('world', 'anyone')),
    ];
  }

  private credentialsInUse(): boolean {
    const manager = (this.client as unknown as { connectionManager?: { credentials?: unknown[] } }).connectionManager;
    return (manager?.credentials?.length ?? 0) > 0;
  }

  private call<T>(what: string, start: (done: (error: unknown, value: T) => void) => void): Promise<T> {
    if (this.stateValue === 'closed') return Promise.reject(new ZkError('PACER_ZK_CLOSED', `${what}: session closed`));
    if (this.stateValue === 'expired') return Promise.reject(new ZkError('PACER_ZK_SESSION_EXPIRED', `${what}: session expired`));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(new ZkError('PACER_ZK_OPERATION_TIMEOUT', `${what}: no answer within ${this.operationTimeoutMs} ms`));
      }, this.operationTimeoutMs);
      start((error, value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(toZkError(error, what));
        else resolve(value);
      });
    });
  }
}

function translateState(name: string): ZkSessionState | undefined {
  switch (name) {
    case 'SYNC_CONNECTED':
    case 'CONNECTED_READ_ONLY':
      return 'connected';
    case 'DISCONNECTED':
      return 'disconnected';
    case 'EXPIRED':
      return 'expired';
    default:
      return undefined;
  }
}

const EVENT_TYPES: Record<number, ZkWatchEventType> = {
  [zookeeper.Event.NODE_CREATED]: 'created',
  [zookeeper.Event.NODE_DELETED]: 'deleted',
  [zookeeper.Event.NODE_DATA_CHANGED]: 'data_changed',
  [zookeeper.Event.NODE_CHILDREN_CHANGED]: 'children_changed',
};

// The library dedupes watchers by function identity per path, so one wrapper per ZkWatcher is kept.
const wrappedWatchers = new WeakMap<ZkWatcher, (event: LibraryEvent) => void>();
function wrapWatcher(watcher: ZkWatcher): (event: LibraryEvent) => void {
  let wrapped = wrappedWatchers.get(watcher);
  if (!wrapped) {
    wrapped = (event) => {
      const type = EVENT_TYPES[event.getType()];
      if (type) watcher({ type, path: event.getPath() });
    };
    wrappedWatchers.set(watcher, wrapped);
  }
  return wrapped;
}

function toNodeStat(stat: Stat): ZkNodeStat {
  return {
    version: stat.version,
    childCount: stat.numChildren,
    dataLength: stat.dataLength,
    ephemeralOwner: Buffer.from(stat.ephemeralOwner).toString('hex'),
  };
}

function emptyStat(): ZkNodeStat {
  return { version: -1, childCount: 0, dataLength: 0, ephemeralOwner: '0000000000000000' };
}

export interface ZkSessionKeeperOptions extends ZkSessionOptions {
  /** First pause between attempts to open a replacement session; doubles up to retryMaxMs. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

/**
 * Holds one live session at a time: when the session expires it opens a new one (retrying with
 * backoff until closed) and hands it to `onSession` so the owner can re-create ephemeral nodes
 * and re-arm watches, which die with the old session.
 */
export class ZkSessionKeeper {
  private session: ZkSession | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly url: ZkUrl,
    private readonly logger: Logger,
    private readonly opts: ZkSessionKeeperOptions,
    private readonly onSession: (session: ZkSession, renewed: boolean) => Promise<void>,
  ) {}

  /** Opens the first session and runs `onSession` on it; rejects (and leaves nothing open) if either fails. */
  static async start(
    url: ZkUrl,
    logger: Logger,
    opts: ZkSessionKeeperOptions,
    onSession: (session: ZkSession, renewed: boolean) => Promise<void>,
  ): Promise<ZkSessionKeeper> {
    const keeper = new ZkSessionKeeper(url, logger, opts, onSession);
    const session = await keeper.openSession();
    try {
      keeper.adopt(session);
      await onSession(session, false);
    } catch (error) {
      await keeper.close();
      throw error;
    }
    return keeper;
  }

  current(): ZkSession | undefined {
    return this.session;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const session = this.session;
    this.session = undefined;
    await session?.close();
  }

  private openSession(): Promise<ZkSession> {
    return ZkSession.connect(this.url.connectString, this.logger, {
      ...this.opts,
      ...(this.url.credentials ? { credentials: this.url.credentials } : {}),
    });
  }

  private adopt(session: ZkSession): void {
    this.session = session;
    this.logger.info({ zkSessionId: session.sessionId, zkSessionTimeoutMs: session.sessionTimeoutMs }, 'zookeeper session established');
    session.onStateChange((state) => {
      if (state !== 'expired' || this.closed || this.session !== session) return;
      this.logger.warn({ zkSessionId: session.sessionId }, 'zookeeper session expired; opening a new one');
      this.session = undefined;
      void session.close();
      this.renew(this.opts.retryMinMs ?? 250);
    });
  }

  private renew(delayMs: number): void {
    if (this.closed) return;
    const attempt = async (): Promise<void> => {
      let session: ZkSession;
      try {
        session = await this.openSession();
      } catch (error) {
        const nextDelay = Math.min(delayMs * 2, this.opts.retryMaxMs ?? 10_000);
        this.logger.warn({ err: error, retryInMs: nextDelay }, 'could not open a new zookeeper session');
        this.retryTimer = setTimeout(() => this.renew(nextDelay), nextDelay);
        this.retryTimer.unref();
        return;
      }
      if (this.closed) {
        await session.close();
        return;
      }
      this.adopt(session);
      try {
        await this.onSession(session, true);
      } catch (error) {
        this.logger.error({ err: error, zkSessionId: session.sessionId }, 'setting up the new zookeeper session failed');
      }
    };
    void attempt();
  }
}
