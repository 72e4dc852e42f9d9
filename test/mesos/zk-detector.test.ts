import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { masterInfoUrl, packIp, parseMasterInfo, unpackIp, ZkMasterDetector } from '../../src/mesos/zk-detector.js';
import { announceMaster, buildMasterInfo, type MasterAnnouncement } from '../../src/local/zk-announce.js';
import { ZkSession } from '../../src/zk/session.js';
import type { MasterInfo } from '../../src/mesos/types.js';
import { expireSession, startZooKeeper, zookeeperTestsEnabled, type ZooKeeperServer } from '../helpers/zookeeper.js';

const logger = pino({ level: process.env.ZK_TEST_LOG ?? 'silent' });
const WAIT_MS = 10_000;

describe('MasterInfo JSON', () => {
  it('builds MasterInfo as a Mesos master publishes it', () => {
    expect(buildMasterInfo({ id: 'm1', ip: '10.0.0.1', port: 5050, hostname: 'master-1', version: '1.11.0' })).toEqual({
      id: 'm1',
      ip: 16777226, // 10.0.0.1 as a little-endian read of network-order bytes, as Mesos publishes it
      port: 5050,
      pid: 'master@10.0.0.1:5050',
      hostname: 'master-1',
      version: '1.11.0',
      address: { hostname: 'master-1', ip: '10.0.0.1', port: 5050 },
    });
    expect(unpackIp(packIp('192.168.1.200'))).toBe('192.168.1.200');
    expect(() => buildMasterInfo({ id: 'm', ip: '10.0.0.1', port: 0 })).toThrow(expect.objectContaining({ code: 'PACER_MASTER_INFO_INVALID' }));
    expect(() => packIp('10.0.0')).toThrow(expect.objectContaining({ code: 'PACER_MASTER_INFO_INVALID' }));
  });

  it('derives the master URL from address, then the deprecated fields', () => {
    const info = (fields: Partial<MasterInfo>): MasterInfo => ({ id: 'm', ip: 0, port: 0, ...fields });
    expect(masterInfoUrl(info({ address: { hostname: 'h', ip: '10.0.0.2', port: 5051 } }))).toBe('http://h:5051');
    expect(masterInfoUrl(info({ address: { hostname: 'h', ip: '10.0.0.2', port: 5051 } }), { preferIp: true, scheme: 'https' })).toBe('https://10.0.0.2:5051');
    expect(masterInfoUrl(info({ address: { ip: '10.0.0.2', port: 5051 } }))).toBe('http://10.0.0.2:5051');
    expect(masterInfoUrl(info({ address: { ip: 'fd00::1', port: 5050 } }))).toBe('http://[fd00::1]:5050');
    expect(masterInfoUrl(info({ hostname: 'legacy', port: 5052 }))).toBe('http://legacy:5052');
    expect(masterInfoUrl(info({ ip: packIp('172.16.0.9'), port: 5053 }))).toBe('http://172.16.0.9:5053');
    expect(masterInfoUrl(info({ pid: 'master@10.1.1.1:5054' }))).toBe('http://10.1.1.1:5054');
    expect(() => masterInfoUrl(info({ port: 5050 }))).toThrow(/no hostname or ip/);
    expect(() => masterInfoUrl(info({ hostname: 'h' }))).toThrow(/no valid port/);
  });

  it('rejects data that is not a MasterInfo object', () => {
    for (const bad of ['{oops', '[]', '"x"', '{}', '{"id":"m","address":7}']) {
      expect(() => parseMasterInfo(bad), bad).toThrow(expect.objectContaining({ code: 'PACER_MASTER_INFO_INVALID' }));
    }
  });
});

describe('ZkMasterDetector construction', () => {
  it('rejects a bad URL and an unreachable ZooKeeper with typed errors', async () => {
    await expect(ZkMasterDetector.create('http://zk:2181/mesos', logger)).rejects.toMatchObject({ code: 'PACER_ZK_BAD_URL' });
    await expect(ZkMasterDetector.create('zk://127.0.0.1:1/mesos', logger, { connectTimeoutMs: 300 })).rejects.toMatchObject({
      code: 'PACER_ZK_CONNECT_TIMEOUT',
    });
  });
});

describe.runIf(zookeeperTestsEnabled())('ZkMasterDetector and announceMaster against a real ZooKeeper', () => {
  let server: ZooKeeperServer;
  let raw: ZkSession;
  let pathCounter = 0;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    server = await startZooKeeper();
    raw = await ZkSession.connect(server.connectString, logger);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await raw?.close();
    await server?.stop();
  });

  /** A fresh znode path per test so tests do not see each other's masters. */
  function freshUrl(): { url: string; path: string } {
    const path = `/mesos-${++pathCounter}`;
    return { url: `zk://${server.connectString}${path}`, path };
  }

  async function detect(url: string): Promise<ZkMasterDetector> {
    const detector = await ZkMasterDetector.create(url, logger, { sessionTimeoutMs: 2_000 });
    cleanups.push(() => detector.close());
    return detector;
  }

  async function announce(url: string, name: string, port: number): Promise<MasterAnnouncement> {
    const announcement = await announceMaster(url, { id: name, ip: '127.0.0.1', hostname: name, port, version: '1.11.0' }, logger, {
      sessionTimeoutMs: 2_000,
    });
    cleanups.push(() => announcement.close());
    return announcement;
  }

  /** Resolves on the detector's next change notification, or rejects after WAIT_MS. */
  function nextChange(detector: ZkMasterDetector): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error('no change notification'));
      }, WAIT_MS);
      const off = detector.onChange(() => {
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  /** Polls (bounded) until the detector reports `expected`. */
  async function leaderBecomes(detector: ZkMasterDetector, expected: string[]): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    let seen = await detector.candidates();
    while (JSON.stringify(seen) !== JSON.stringify(expected) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      seen = await detector.candidates();
    }
    expect(seen).toEqual(expected);
  }

  it('publishes MasterInfo JSON in an ephemeral sequential json.info_ node', async () => {
    const { url, path } = freshUrl();
    const a = await announce(url, 'alpha', 5050);
    expect(a.znode()).toMatch(new RegExp(`^${path}/json\\.info_\\d{10}$`));
    const { data, stat } = await raw.getData(a.znode()!);
    expect(stat.ephemeralOwner).toBe(a.session()!.sessionId);
    expect(JSON.parse(data.toString())).toEqual(buildMasterInfo({ id: 'alpha', ip: '127.0.0.1', hostname: 'alpha', port: 5050, version: '1.11.0' }));
  });

  it('finds the leader with the lowest sequence and follows a leader change', async () => {
    const { url } = freshUrl();
    const a = await announce(url, 'alpha', 5050);
    await announce(url, 'beta', 5051);
    const detector = await detect(url);
    expect(await detector.candidates()).toEqual(['http://alpha:5050']);

    const changed = nextChange(detector);
    await a.close();
    await changed;
    expect(await detector.candidates()).toEqual(['http://beta:5051']);
  });

  it('starts empty when no master registered yet and notices the first one', async () => {
    const { url } = freshUrl();
    const detector = await detect(url);
    expect(await detector.candidates()).toEqual([]);
    const changed = nextChange(detector);
    await announce(url, 'first', 5050);
    await changed;
    expect(await detector.candidates()).toEqual(['http://first:5050']);
  });

  it('compares sequences as numbers and ignores children that are not json.info_<digits>', async () => {
    const { url, path } = freshUrl();
    await raw.ensurePath(path);
    const master = (name: string, port: number): Buffer => Buffer.from(JSON.stringify(buildMasterInfo({ id: name, ip: '127.0.0.1', hostname: name, port })));
    await raw.create(`${path}/log_replicas`, Buffer.from('not a master'));
    await raw.create(`${path}/json.info_abc`, master('not-numeric', 1));
    await raw.create(`${path}/info_0000000000`, Buffer.from([0x0a, 0x01])); // legacy binary MasterInfo
    await raw.create(`${path}/0000000000`, Buffer.from('master@10.0.0.1:5050')); // legacy label-less UPID
    await raw.create(`${path}/json.info_0000000010`, master('ten', 5010));
    await raw.create(`${path}/json.info_9`, master('nine', 5009));
    const detector = await detect(url);
    expect(await detector.candidates()).toEqual(['http://nine:5009']);

    const changed = nextChange(detector);
    await raw.remove(`${path}/json.info_9`);
    await changed;
    expect(await detector.candidates()).toEqual(['http://ten:5010']);
  });

  it('ignores a member with malformed data and picks it up once its data is fixed', async () => {
    const { url, path } = freshUrl();
    await raw.create(`${path}/json.info_0000000000`, Buffer.from('{"id": "broken", '), { createParents: true });
    await announce(url, 'good', 5050);
    const detector = await detect(url);
    expect(await detector.candidates()).toEqual(['http://good:5050']);

    await raw.setData(`${path}/json.info_0000000000`, Buffer.from('{"id":"no-address"}'));
    await raw.setData(`${path}/json.info_0000000000`, Buffer.from(JSON.stringify({ id: 'fixed', ip: 0, port: 0, address: { ip: '127.0.0.2', port: 5099 } })));
    await leaderBecomes(detector, ['http://127.0.0.2:5099']);
  });

  it('recovers from its own session expiring: new session, change notification, watches re-armed', async () => {
    const { url } = freshUrl();
    const a = await announce(url, 'alpha', 5050);
    await announce(url, 'beta', 5051);
    const detector = await detect(url);
    const before = detector.session()!.sessionId;

    const renewed = nextChange(detector);
    await expireSession(server.connectString, detector.session()!.identity());
    await renewed;
    expect(detector.session()!.sessionId).not.toBe(before);
    expect(await detector.candidates()).toEqual(['http://alpha:5050']);

    const changed = nextChange(detector);
    await a.close();
    await changed;
    expect(await detector.candidates()).toEqual(['http://beta:5051']);
  });

  it('re-announces after the announcer session expires, which hands leadership on', async () => {
    const { url } = freshUrl();
    const a = await announce(url, 'alpha', 5050);
    await announce(url, 'beta', 5051);
    const detector = await detect(url);
    expect(await detector.candidates()).toEqual(['http://alpha:5050']);
    const oldNode = a.znode()!;
    const oldSession = a.session()!.sessionId;

    await expireSession(server.connectString, a.session()!.identity());
    await leaderBecomes(detector, ['http://beta:5051']);
    const deadline = Date.now() + WAIT_MS;
    while ((a.znode() === undefined || a.znode() === oldNode) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const newNode = a.znode();
    expect(newNode).toBeDefined();
    expect(newNode).not.toBe(oldNode);
    expect(await raw.exists(oldNode)).toBeUndefined();
    const stat = await raw.exists(newNode!);
    expect(stat?.ephemeralOwner).toBe(a.session()!.sessionId);
    expect(a.session()!.sessionId).not.toBe(oldSession);
  });

  it('keeps the last leader while ZooKeeper is down and follows changes after it returns', async () => {
    const { url } = freshUrl();
    const a = await announce(url, 'alpha', 5050);
    await announce(url, 'beta', 5051);
    const detector = await detect(url);
    const session = detector.session()!;
    const disconnected = new Promise<void>((resolve) => session.onStateChange((s) => s === 'disconnected' && resolve()));

    const restarting = server.restart();
    await disconnected;
    expect(await detector.candidates()).toEqual(['http://alpha:5050']);
    await restarting;

    await a.close();
    await leaderBecomes(detector, ['http://beta:5051']);
  });
});
