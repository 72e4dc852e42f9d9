import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parseZkUrl, redactUrl, ZkError, ZkSession, ZkSessionKeeper, type ZkSessionState, type ZkWatchEvent } from '../../src/zk/session.js';
import { startRelay } from '../helpers/tcp-relay.js';
import { expireSession, startZooKeeper, zookeeperTestsEnabled, type ZooKeeperServer } from '../helpers/zookeeper.js';

const logger = pino({ level: process.env.ZK_TEST_LOG ?? 'silent' });

describe('parseZkUrl', () => {
  it('parses Mesos and Marathon style URLs', () => {
    expect(parseZkUrl('zk://zk1:2181,zk2:2182,zk3/mesos')).toEqual({
      servers: ['zk1:2181', 'zk2:2182', 'zk3:2181'],
      connectString: 'zk1:2181,zk2:2182,zk3:2181',
      path: '/mesos',
    });
    expect(parseZkUrl('zk://user:p@ss@10.0.0.1:2181/a/b/')).toEqual({
      servers: ['10.0.0.1:2181'],
      connectString: '10.0.0.1:2181',
      path: '/a/b',
      credentials: { username: 'user', password: 'p@ss' },
    });
    expect(parseZkUrl('  zk://localhost  ').path).toBe('/');
  });

  it('rejects malformed URLs with typed errors', () => {
    const bad = [
      'http://zk:2181/mesos',
      'zk:///mesos',
      'zk://zk:notaport/mesos',
      'zk://zk:70000/x',
      'zk://a b:2181/x',
      'zk://zk:2181/a//b',
      'zk://:secret@zk/x',
    ];
    for (const url of bad) {
      expect(() => parseZkUrl(url), url).toThrow(ZkError);
      try {
        parseZkUrl(url);
      } catch (error) {
        expect((error as ZkError).code).toBe('PACER_ZK_BAD_URL');
        expect((error as Error).message).not.toContain('secret');
      }
    }
    expect(() => parseZkUrl('zk://zk:2181', { requirePath: true })).toThrow(/needs a znode path/);
  });

  it('redacts passwords', () => {
    expect(redactUrl('zk://bob:hunter2@zk:2181/x')).toBe('zk://bob:***@zk:2181/x');
  });
});

describe('zookeeperTestsEnabled', () => {
  it('fails loudly in CI when ZooKeeper is missing, skips elsewhere', () => {
    expect(() => zookeeperTestsEnabled({ CI: 'true' }, false)).toThrow(/CI=true.*install-zookeeper\.sh/);
    expect(zookeeperTestsEnabled({}, false)).toBe(false);
    expect(zookeeperTestsEnabled({ CI: 'true' }, true)).toBe(true);
  });
});

describe.runIf(zookeeperTestsEnabled())('ZkSession against a real ZooKeeper', () => {
  let server: ZooKeeperServer;
  beforeAll(async () => {
    server = await startZooKeeper();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('creates, reads, watches and removes nodes', async () => {
    const session = await ZkSession.connect(server.connectString, logger, { sessionTimeoutMs: 4_000 });
    try {
      const created = await session.create('/plumbing/a/b', Buffer.from('hello'), { createParents: true });
      expect(created).toBe('/plumbing/a/b');
      expect((await session.getData('/plumbing/a/b')).data.toString()).toBe('hello');
      await expect(session.create('/plumbing/a/b')).rejects.toMatchObject({ code: 'PACER_ZK_NODE_EXISTS' });
      await expect(session.getData('/plumbing/missing')).rejects.toMatchObject({ code: 'PACER_ZK_NO_NODE' });
      expect(await session.exists('/plumbing/missing')).toBeUndefined();

      const sequential = await session.create('/plumbing/seq/item_', Buffer.alloc(0), { mode: 'ephemeral_sequential', createParents: true });
      expect(sequential).toMatch(/^\/plumbing\/seq\/item_\d{10}$/);
      const stat = await session.exists(sequential);
      expect(stat?.ephemeralOwner).toBe(session.sessionId);

      const event = new Promise<ZkWatchEvent>((resolve) => void session.getChildren('/plumbing/seq', resolve));
      await session.create('/plumbing/seq/other');
      expect(await event).toEqual({ type: 'children_changed', path: '/plumbing/seq' });

      await expect(session.remove('/plumbing/a')).rejects.toMatchObject({ code: 'PACER_ZK_NOT_EMPTY' });
      await session.remove('/plumbing/a/b');
      expect(await session.getChildren('/plumbing/a')).toEqual([]);
    } finally {
      await session.close();
    }
    await expect(session.getChildren('/')).rejects.toMatchObject({ code: 'PACER_ZK_CLOSED' });
  });

  it('pipelines thousands of requests: one burst leaves in a few socket writes, and every reply reaches its caller', async () => {
    const session = await ZkSession.connect(server.connectString, logger, { sessionTimeoutMs: 4_000 });
    try {
      const count = 2_000;
      const payload = (i: number): string => `node-${i}-${'p'.repeat((i * 37) % 900)}`;
      // One node far larger than a socket read, so its reply spans many chunks.
      const large = 'L'.repeat(300_000);
      await session.create('/pipelined/large', Buffer.from(large), { createParents: true });
      await Promise.all(Array.from({ length: count }, (_, i) => session.create(`/pipelined/n${i}`, Buffer.from(payload(i)))));

      const socket = (session as unknown as { client: { connectionManager: { socket: Socket } } }).client.connectionManager.socket;
      let writes = 0;
      const countWrites = <K extends '_write' | '_writev'>(key: K): void => {
        const original = socket[key] as (...args: unknown[]) => void;
        (socket as unknown as Record<K, (...args: unknown[]) => void>)[key] = function (this: Socket, ...args: unknown[]) {
          writes++;
          return original.apply(this, args);
        };
      };
      countWrites('_write');
      countWrites('_writev');
      const reads = Array.from({ length: count }, (_, i) => session.getData(`/pipelined/n${i}`));
      const largeRead = session.getData('/pipelined/large');
      expect(writes).toBeLessThanOrEqual(2);
      const got = await Promise.all(reads);
      expect(got.map((r) => r.data.toString())).toEqual(Array.from({ length: count }, (_, i) => payload(i)));
      expect((await largeRead).data.toString()).toBe(large);
    } finally {
      await session.close();
    }
  });

  it('reads many nodes in one multi-read request, in order, with missing nodes as undefined', async () => {
    const session = await ZkSession.connect(server.connectString, logger, { sessionTimeoutMs: 4_000 });
    try {
      const count = 1_000;
      const payload = (i: number): string => `value-${i}-${'v'.repeat((i * 53) % 700)}`;
      await session.create('/many/n0', Buffer.from(payload(0)), { createParents: true });
      await Promise.all(Array.from({ length: count - 1 }, (_, i) => session.create(`/many/n${i + 1}`, Buffer.from(payload(i + 1)))));
      const paths = Array.from({ length: count }, (_, i) => `/many/n${i}`);
      paths.splice(500, 0, '/many/absent');

      const manager = (session as unknown as { client: { connectionManager: { xid: number } } }).client.connectionManager;
      const before = manager.xid;
      const data = await session.getDataMany(paths);
      expect(manager.xid - before).toBe(1);
      expect(data.map((d) => d?.toString())).toEqual(
        paths.map((path) => (path === '/many/absent' ? undefined : payload(Number(path.slice('/many/n'.length))))),
      );
      // The connection carries on: the library's own requests still get their replies.
      expect((await session.getData('/many/n7')).data.toString()).toBe(payload(7));
      expect(() => session.getDataMany(['bad path'])).toThrow(/invalid znode path/);
    } finally {
      await session.close();
    }
  });

  it('removes ephemeral nodes when the session closes', async () => {
    const owner = await ZkSession.connect(server.connectString, logger);
    const observer = await ZkSession.connect(server.connectString, logger);
    try {
      const path = await owner.create('/closing/node', Buffer.alloc(0), { mode: 'ephemeral', createParents: true });
      expect(await observer.exists(path)).toBeDefined();
      await owner.close();
      expect(await observer.exists(path)).toBeUndefined();
    } finally {
      await observer.close();
    }
  });

  it('reports expiry and the keeper opens a replacement session', async () => {
    const renewals: string[] = [];
    let renewed!: () => void;
    const renewedOnce = new Promise<void>((resolve) => (renewed = resolve));
    const keeper = await ZkSessionKeeper.start(
      parseZkUrl(`zk://${server.connectString}/keeper`),
      logger,
      { sessionTimeoutMs: 2_000, retryMinMs: 50 },
      async (session, isRenewal) => {
        renewals.push(`${isRenewal}:${session.sessionId}`);
        await session.create('/keeper/member', Buffer.alloc(0), { mode: 'ephemeral', createParents: true });
        if (isRenewal) renewed();
      },
    );
    try {
      const first = keeper.current()!;
      const states: ZkSessionState[] = [];
      first.onStateChange((state) => states.push(state));
      await expireSession(server.connectString, first.identity());
      await renewedOnce;
      expect(states).toContain('expired');
      expect(renewals).toHaveLength(2);
      const second = keeper.current()!;
      expect(second.sessionId).not.toBe(first.sessionId);
      expect((await second.exists('/keeper/member'))?.ephemeralOwner).toBe(second.sessionId);
      await expect(first.getChildren('/')).rejects.toBeInstanceOf(ZkError);
    } finally {
      await keeper.close();
    }
  });

  it('keeps its connection through a synchronous stretch shorter than the session timeout: the stall is not the server going silent', async () => {
    // Through a relay in this process, which the stall holds up too: no reply can be waiting to be read right after it.
    const relay = await startRelay(server.port);
    const session = await ZkSession.connect(relay.connectString, logger, { sessionTimeoutMs: 6_000 });
    try {
      const states: ZkSessionState[] = [];
      session.onStateChange((state) => states.push(state));
      await session.create('/stall/node', Buffer.from('x'), { createParents: true });
      // Past one watchdog tick (a sixth of the timeout), so it has seen the reply.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      // Ends 5.4 s after the server last heard from us: past the 4 s read timeout the watchdog
      // allows, before the 6 s after which the server would end the session.
      const until = Date.now() + 4_300;
      while (Date.now() < until) {
        // Busy: no timer, no socket read, no ping.
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await session.getData('/stall/node')).data.toString()).toBe('x');
      expect(states).toEqual([]);
    } finally {
      await session.close();
      await relay.close();
    }
  });

  it('drops a connection the server stopped answering, learns of the expiry, and the keeper replaces the session', async () => {
    const relay = await startRelay(server.port);
    const renewals: boolean[] = [];
    const keeper = await ZkSessionKeeper.start(
      parseZkUrl(`zk://${relay.connectString}/silent`),
      logger,
      { sessionTimeoutMs: 2_000, retryMinMs: 50 },
      async (session, isRenewal) => {
        await session.create('/silent/member', Buffer.alloc(0), { mode: 'ephemeral', createParents: true });
        renewals.push(isRenewal);
      },
    );
    const observer = await ZkSession.connect(server.connectString, logger);
    try {
      const first = keeper.current()!;
      const states: ZkSessionState[] = [];
      first.onStateChange((state) => states.push(state));
      relay.blackhole();
      // Without a read timeout of its own the client library would stay `connected` here for good.
      await eventually(() => states.includes('disconnected'), 10_000);
      // Only once the server has ended the session is there an expiry to learn of.
      await eventually(async () => (await observer.exists('/silent/member')) === undefined, 10_000);
      relay.restore();
      await eventually(() => renewals.length === 2, 15_000);
      expect(states).toContain('expired');
      expect(keeper.current()!.sessionId).not.toBe(first.sessionId);
    } finally {
      await observer.close();
      await keeper.close();
      await relay.close();
    }
  });

  it('with digest credentials, nodes are world-readable but only their creator may change them', async () => {
    const url = parseZkUrl(`zk://alice:secret@${server.connectString}/secured`);
    const owner = await ZkSession.connect(url.connectString, logger, { credentials: url.credentials! });
    const stranger = await ZkSession.connect(server.connectString, logger);
    try {
      await owner.create('/secured/node', Buffer.from('x'), { createParents: true });
      expect((await stranger.getData('/secured/node')).data.toString()).toBe('x');
      await expect(stranger.setData('/secured/node', Buffer.from('y'))).rejects.toMatchObject({ code: 'PACER_ZK_NO_AUTH' });
      await owner.setData('/secured/node', Buffer.from('z'));
      await owner.remove('/secured/node');
    } finally {
      await stranger.close();
      await owner.close();
    }
  });

  it('times out connecting to a port with no server', async () => {
    await expect(ZkSession.connect('127.0.0.1:1', logger, { connectTimeoutMs: 500 })).rejects.toMatchObject({ code: 'PACER_ZK_CONNECT_TIMEOUT' });
  });

  it('bounds operations while the server is away, then resumes the same session', async () => {
    const session = await ZkSession.connect(server.connectString, logger, { sessionTimeoutMs: 20_000, operationTimeoutMs: 300 });
    try {
      const before = session.sessionId;
      const disconnected = new Promise<void>((resolve) => session.onStateChange((s) => s === 'disconnected' && resolve()));
      const reconnected = new Promise<void>((resolve) => session.onStateChange((s) => s === 'connected' && resolve()));
      // Halted, not restarted: a quick restart could answer before the operation times out.
      await server.halt();
      await disconnected;
      await expect(session.getChildren('/')).rejects.toMatchObject({ code: expect.stringMatching(/PACER_ZK_OPERATION_TIMEOUT|PACER_ZK_CONNECTION_LOSS/) });
      await server.resume();
      await reconnected;
      expect(session.sessionId).toBe(before);
      expect(await session.getChildren('/')).toContain('zookeeper');
    } finally {
      await session.close();
    }
  });
});

async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
