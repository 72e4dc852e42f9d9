/**
 * Master election in a ZooKeeper group: the rule (lowest `json.info_` sequence leads, other
 * children take no part) and the announcement that follows it against a real ZooKeeper.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { leadingMember, masterMembers, type Leadership } from '../../src/local/master-leadership.js';
import { startRelay } from '../helpers/tcp-relay.js';
import { announceMaster, buildMasterInfo, type MasterAnnouncement } from '../../src/local/zk-announce.js';
import { ZkSession } from '../../src/zk/session.js';
import { expireSession, startZooKeeper, zookeeperTestsEnabled, type ZooKeeperServer } from '../helpers/zookeeper.js';

const logger = pino({ level: process.env.ZK_TEST_LOG ?? 'silent' });
const WAIT_MS = 10_000;

describe('the election rule', () => {
  it('orders json.info_ members by sequence number and ignores every other child', () => {
    const children = ['log_replicas', 'json.info_0000000010', 'info_0000000000', 'json.info_9', 'json.info_abc', '0000000001', 'json.info_0000000011'];
    expect(masterMembers(children).map((m) => m.name)).toEqual(['json.info_9', 'json.info_0000000010', 'json.info_0000000011']);
    expect(leadingMember(children)).toEqual({ name: 'json.info_9', sequence: 9 });
  });

  it('has no leader without json.info_ members', () => {
    expect(leadingMember([])).toBeUndefined();
    expect(leadingMember(['log_replicas', 'info_0000000000'])).toBeUndefined();
  });
});

describe.runIf(zookeeperTestsEnabled())('leadership of announced masters, against a real ZooKeeper', () => {
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

  function freshPath(): { url: string; path: string } {
    const path = `/leadership-${++pathCounter}`;
    return { url: `zk://${server.connectString}${path}`, path };
  }

  const infoOf = (name: string, port: number) => buildMasterInfo({ id: name, ip: '127.0.0.1', hostname: name, port });

  async function announce(url: string, name: string, port: number): Promise<MasterAnnouncement> {
    const announcement = await announceMaster(url, infoOf(name, port), logger, { sessionTimeoutMs: 2_000 });
    cleanups.push(() => announcement.close());
    return announcement;
  }

  /** Polls (bounded) until `announcement` reports a leadership matching `expected`. */
  async function leadershipBecomes(announcement: MasterAnnouncement, expected: { elected: boolean; leaderId: string | undefined }): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    const seen = (): { elected: boolean; leaderId: string | undefined } => ({
      elected: announcement.current().elected,
      leaderId: announcement.current().leader?.id,
    });
    while (JSON.stringify(seen()) !== JSON.stringify(expected) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(seen()).toEqual(expected);
  }

  /** Polls (bounded) until `condition` holds; returns whether it did. */
  async function eventually(condition: () => boolean): Promise<boolean> {
    const deadline = Date.now() + WAIT_MS;
    while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return condition();
  }

  it('elects the first master, shows the second who leads, and hands over when the leader leaves', async () => {
    const { url } = freshPath();
    const alpha = await announce(url, 'alpha', 5050);
    const beta = await announce(url, 'beta', 5051);
    // Both know the answer once announceMaster resolves.
    expect(alpha.current()).toEqual({ elected: true, leader: infoOf('alpha', 5050) });
    expect(beta.current()).toEqual({ elected: false, leader: infoOf('alpha', 5050) });

    const seenByBeta: Leadership[] = [];
    beta.onChange((leadership) => seenByBeta.push(leadership));
    await alpha.close();
    await leadershipBecomes(beta, { elected: true, leaderId: 'beta' });
    expect(seenByBeta).toEqual([{ elected: true, leader: infoOf('beta', 5051) }]);
    // A closed announcement no longer leads.
    expect(alpha.current()).toEqual({ elected: false, leader: undefined });
  });

  it('ignores children that are not masters and members whose MasterInfo is unusable', async () => {
    const { url, path } = freshPath();
    await raw.ensurePath(path);
    await raw.create(`${path}/log_replicas`, Buffer.from('not a master'));
    await raw.create(`${path}/json.info_`, Buffer.from('{"id": "broken", '), { mode: 'persistent_sequential' });
    const gamma = await announce(url, 'gamma', 5052);
    expect(gamma.current()).toEqual({ elected: true, leader: infoOf('gamma', 5052) });
  });

  it('steps back behind the other master when its session expires, and that master takes the lead', async () => {
    const { url } = freshPath();
    const alpha = await announce(url, 'alpha', 5050);
    const beta = await announce(url, 'beta', 5051);
    const seenByAlpha: Leadership[] = [];
    alpha.onChange((leadership) => seenByAlpha.push(leadership));

    await expireSession(server.connectString, alpha.session()!.identity());
    await leadershipBecomes(beta, { elected: true, leaderId: 'beta' });
    await leadershipBecomes(alpha, { elected: false, leaderId: 'beta' });
    expect(seenByAlpha[0]).toEqual({ elected: false, leader: undefined });
  });

  it('joins the group again when its node is deleted under a live session', async () => {
    const { url } = freshPath();
    const alpha = await announce(url, 'alpha', 5050);
    const beta = await announce(url, 'beta', 5051);
    const removed = alpha.znode()!;

    await raw.remove(removed);
    await leadershipBecomes(beta, { elected: true, leaderId: 'beta' });
    await leadershipBecomes(alpha, { elected: false, leaderId: 'beta' });
    // Alpha learns who leads from the same read that shows its node gone, and joins again after it.
    expect(await eventually(() => alpha.znode() !== undefined)).toBe(true);
    expect(alpha.znode()).not.toBe(removed);
    expect((await raw.exists(alpha.znode()!))?.ephemeralOwner).toBe(alpha.session()!.sessionId);
    expect(alpha.current()).toEqual({ elected: false, leader: infoOf('beta', 5051) });
  });

  it('stops leading when ZooKeeper stops answering without closing the connection, as behind a blackholed network', async () => {
    const relay = await startRelay(server.port);
    cleanups.push(() => relay.close());
    const { url, path } = freshPath();
    const alpha = await announce(`zk://${relay.connectString}${path}`, 'alpha', 5050);
    const beta = await announce(url, 'beta', 5051);
    expect(alpha.current().elected).toBe(true);
    const expiredSession = alpha.session()!.sessionId;

    relay.blackhole();
    // The server expires alpha's session; beta takes the lead while alpha's connection stays open.
    await leadershipBecomes(beta, { elected: true, leaderId: 'beta' });
    await leadershipBecomes(alpha, { elected: false, leaderId: undefined });

    relay.restore();
    await leadershipBecomes(alpha, { elected: false, leaderId: 'beta' });
    expect(alpha.session()!.sessionId).not.toBe(expiredSession);
  });

  // Last: it restarts the server the other tests share.
  it('stops leading when ZooKeeper is out of reach for a session timeout, and leads again once it is back', async () => {
    const { url } = freshPath();
    const alpha = await announceMaster(url, infoOf('alpha', 5050), logger, { sessionTimeoutMs: 400 });
    cleanups.push(() => alpha.close());
    expect(alpha.current().elected).toBe(true);
    const seen: Leadership[] = [];
    alpha.onChange((leadership) => seen.push(leadership));

    await server.halt();
    await leadershipBecomes(alpha, { elected: false, leaderId: undefined });
    await server.resume();
    await leadershipBecomes(alpha, { elected: true, leaderId: 'alpha' });
    expect(seen[0]).toEqual({ elected: false, leader: undefined });
  });
});
