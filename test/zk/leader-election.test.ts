// Leader election on a real ZooKeeper server: three participants, losing the leader by session
// expiry, close, abdication and disconnect, and agreement on who leads.
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LeaderElection, type DefeatReason, type LeaderElectionOptions } from '../../src/zk/leader-election.js';
import { ZkSession } from '../../src/zk/session.js';
import { startRelay } from '../helpers/tcp-relay.js';
import { expireSession, startZooKeeper, zookeeperTestsEnabled, type ZooKeeperServer } from '../helpers/zookeeper.js';
import { PausableProxy, removeTree, waitFor } from '../state/zk-store.helpers.js';

const logger = pino({ level: 'silent' });
const SESSION_TIMEOUT_MS = 2_000;
/** Bound for a hand-over: a session timeout for a silent leader, plus ZooKeeper's and our reaction. */
const HANDOVER_BOUND_MS = SESSION_TIMEOUT_MS + 13_000;

interface Participant {
  id: string;
  election: LeaderElection;
  events: Array<'elected' | DefeatReason>;
}

describe.runIf(zookeeperTestsEnabled())('LeaderElection on a real ZooKeeper', () => {
  let server: ZooKeeperServer;
  let admin: ZkSession;
  let next = 0;
  const participants: Participant[] = [];
  const proxies: PausableProxy[] = [];
  const paths: string[] = [];

  beforeAll(async () => {
    server = await startZooKeeper();
    admin = await ZkSession.connect(server.connectString, logger, { sessionTimeoutMs: 4_000 });
  });
  afterEach(async () => {
    for (const p of participants.splice(0)) await p.election.close();
    for (const proxy of proxies.splice(0)) await proxy.close();
    for (const path of paths.splice(0)) await removeTree(admin, path);
  });
  afterAll(async () => {
    await admin?.close();
    await server?.stop();
  });

  function freshPath(): string {
    const path = `/election-${++next}`;
    paths.push(path);
    return path;
  }

  async function join(path: string, port: number, opts: LeaderElectionOptions = {}, connectString = server.connectString): Promise<Participant> {
    const id = `127.0.0.1:${port}`;
    const events: Participant['events'] = [];
    const election = await LeaderElection.start(`zk://${connectString}${path}`, id, logger, {
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      rejoinDelayMs: 100,
      onElected: () => events.push('elected'),
      onDefeated: (reason) => events.push(reason),
      ...opts,
    });
    const participant = { id, election, events };
    participants.push(participant);
    return participant;
  }

  async function three(path: string): Promise<Participant[]> {
    const group = [await join(path, 8081), await join(path, 8082), await join(path, 8083)];
    await settled(group);
    return group;
  }

  /** Waits until exactly one participant leads and every one reports it as leader(). */
  async function settled(group: Participant[], timeoutMs = HANDOVER_BOUND_MS): Promise<Participant> {
    await waitFor(
      () => {
        const leaders = group.filter((p) => p.election.isLeader());
        return leaders.length === 1 && group.every((p) => p.election.leader() === leaders[0]!.id);
      },
      'one agreed leader',
      timeoutMs,
    );
    return group.find((p) => p.election.isLeader())!;
  }

  it('elects exactly one of three, the first to stand, and all agree on it', async () => {
    const path = freshPath();
    const group = await three(path);
    const leader = await settled(group);
    expect(leader.id).toBe('127.0.0.1:8081');
    expect(group.map((p) => p.events)).toEqual([['elected'], [], []]);
    // Each node holds its participant's host:port, as Marathon's leader info does.
    const children = await admin.getChildren(`${path}/leader`);
    const data = await Promise.all(children.map(async (c) => (await admin.getData(`${path}/leader/${c}`)).data.toString()));
    expect(data.sort()).toEqual(['127.0.0.1:8081', '127.0.0.1:8082', '127.0.0.1:8083']);
    expect(leader.election.fencingPath()).toMatch(new RegExp(`^${path}/leader/member-[0-9a-f-]+_\\d{10}$`));
    expect(group[1]!.election.fencingPath()).toBeUndefined();
  });

  it('defeats a leader whose session expires and elects another; the old leader stands again as a standby', async () => {
    const group = await three(freshPath());
    const [first, second] = group as [Participant, Participant, Participant];
    const defeated = new Promise<DefeatReason>((resolve) => first.election.onDefeated(resolve));
    const oldSession = first.election.currentSession()!;

    await expireSession(server.connectString, oldSession.identity());
    // Defeat comes first, at the disconnect that precedes the expiry, before anyone else leads.
    expect(['disconnected', 'session_expired']).toContain(await defeated);
    expect(first.election.isLeader()).toBe(false);

    const leader = await settled(group);
    expect(leader).toBe(second);
    await waitFor(() => first.election.currentSession() !== oldSession, 'a new session for the old leader');
    // The disconnect before the expiry may reconnect briefly, and the old node can win once
    // more before the session is gone: elections and defeats alternate, and a defeat is last.
    expect(first.events[0]).toBe('elected');
    expect(first.events.at(-1)).toMatch(/^(disconnected|session_expired)$/);
    first.events.forEach((event, i) => expect(event === 'elected').toBe(i % 2 === 0));
    for (let i = 0; i < 100 && (await admin.getChildren(`${paths[0]}/leader`)).length < 3; i++) await sleep(50);
    expect((await admin.getChildren(`${paths[0]}/leader`)).length).toBe(3);
  });

  it('elects the next in line when the leader closes, and a standby leaving changes nothing', async () => {
    const group = await three(freshPath());
    const [first, second, third] = group as [Participant, Participant, Participant];
    await second.election.close(); // the middle one: third now watches first
    expect(first.election.isLeader()).toBe(true);
    await first.election.close();
    expect(first.events).toEqual(['elected', 'closed']);
    const leader = await settled([third]);
    expect(leader).toBe(third);
    expect(second.events).toEqual([]);
  });

  it('hands over on abdication; the abdicated leader rejoins as a standby', async () => {
    const group = await three(freshPath());
    const [first, second, third] = group as [Participant, Participant, Participant];
    expect(await second.election.abdicate()).toBe(false);
    expect(await first.election.abdicate()).toBe(true);
    expect(first.election.isLeader()).toBe(false);
    expect(first.events).toEqual(['elected', 'abdicated']);
    expect(await settled(group)).toBe(second);
    // It stood again, at the back of the line: after the new leader the third leads, then it.
    await second.election.close();
    expect(await settled([first, third])).toBe(third);
    await third.election.close();
    expect(await settled([first])).toBe(first);
    expect(first.events).toEqual(['elected', 'abdicated', 'elected']);
  });

  it('gives leadership up at once on a disconnect and wins it back after reconnecting in time', async () => {
    const proxy = await PausableProxy.start(server.port);
    proxies.push(proxy);
    const path = freshPath();
    const leader = await join(path, 8081, { sessionTimeoutMs: 10_000 }, `127.0.0.1:${proxy.port}`);
    const standby = await join(path, 8082);
    await settled([leader, standby]);

    const defeated = new Promise<DefeatReason>((resolve) => leader.election.onDefeated(resolve));
    await proxy.pause();
    expect(await defeated).toBe('disconnected');
    expect(leader.election.isLeader()).toBe(false);
    expect(leader.election.fencingPath()).toBeUndefined();
    // The session lives on in ZooKeeper, so nobody else may lead meanwhile.
    expect(standby.election.isLeader()).toBe(false);

    proxy.resume();
    await waitFor(() => leader.election.isLeader(), 're-election after reconnect');
    expect(leader.events).toEqual(['elected', 'disconnected', 'elected']);
    expect(standby.election.leader()).toBe(leader.id);
  });

  it('gives leadership up when ZooKeeper goes silent without closing the connection, and another leads', async () => {
    const relay = await startRelay(server.port);
    try {
      const path = freshPath();
      const leader = await join(path, 8081, {}, relay.connectString);
      const standby = await join(path, 8082);
      await settled([leader, standby]);

      const defeated = new Promise<DefeatReason>((resolve) => leader.election.onDefeated(resolve));
      relay.blackhole();
      // The connection stays open and says nothing: only a read timeout can notice.
      expect(await defeated).toBe('disconnected');
      await waitFor(() => standby.election.isLeader(), 'the standby elected once the silent session expired', HANDOVER_BOUND_MS);
      expect(leader.election.isLeader()).toBe(false);
    } finally {
      for (const p of participants.splice(0)) await p.election.close();
      await relay.close();
    }
  });

  it('refuses bad configuration with typed errors', async () => {
    await expect(LeaderElection.start('zk://127.0.0.1:2181', '127.0.0.1:1', logger)).rejects.toMatchObject({ code: 'PACER_ELECTION_CONFIG' });
    await expect(LeaderElection.start(`zk://${server.connectString}/x`, 'no-port', logger)).rejects.toMatchObject({ code: 'PACER_ELECTION_CONFIG' });
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
