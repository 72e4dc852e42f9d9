// The leader proxy between real fastify servers on 127.0.0.1: a standby forwarding to the leader,
// the /v2/events redirect, no leader, proxy loops and an unreachable leader.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { leaderProxyPlugin, LOOP_MESSAGE, NO_LEADER_MESSAGE, type LeadershipView } from '../../src/api/leader-proxy.js';

const logger = pino({ level: 'silent' });

/** Settable stand-in for LeaderElection. */
class Leadership implements LeadershipView {
  constructor(
    public leading: boolean,
    public current: string | undefined,
  ) {}
  isLeader(): boolean {
    return this.leading;
  }
  leader(): string | undefined {
    return this.current;
  }
}

interface Node {
  id: string;
  app: FastifyInstance;
  /** Requests this node's own routes handled, as `METHOD url`. */
  handled: string[];
  /** What the POST handler saw. */
  seen: Array<{ headers: Record<string, unknown>; body: unknown }>;
  release: () => void;
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ statusCode: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function startNode(election: LeadershipView, extra: { leaderWaitAttempts?: number } = {}): Promise<Node> {
  const port = await freePort();
  const id = `127.0.0.1:${port}`;
  const app = Fastify({ logger: false });
  apps.push(app);
  const node: Node = { id, app, handled: [], seen: [], release: () => undefined };
  const streamGate = new Promise<void>((resolve) => (node.release = resolve));
  await app.register(leaderProxyPlugin, { election, selfId: id, logger, leaderWaitIntervalMs: 10, ...extra });
  app.addHook('onRequest', async (req) => void node.handled.push(`${req.method} ${req.url}`));
  app.post('/v2/apps', async (req, reply) => {
    node.seen.push({ headers: { ...req.headers }, body: req.body });
    return reply.code(201).header('location', '/web').header('marathon-deployment-id', 'd-1').send({ id: '/web', servedBy: id });
  });
  app.get('/v2/apps', async (req) => ({ apps: [], query: req.query, servedBy: id }));
  app.get('/v2/leader', async () => ({ leader: election.leader() }));
  app.get('/ping', async (_req, reply) => reply.type('text/plain').send('pong'));
  app.get('/v2/stream', async (_req, reply) => {
    reply.raw.writeHead(200, { 'content-type': 'text/plain' });
    reply.raw.write('first;');
    await streamGate;
    reply.raw.end('second');
    return reply;
  });
  app.get('/v2/events', async () => 'events served locally');
  await app.listen({ port, host: '127.0.0.1' });
  return node;
}

async function pair(): Promise<{ leader: Node; standby: Node; standbyView: Leadership }> {
  const leaderView = new Leadership(true, undefined);
  const leader = await startNode(leaderView);
  leaderView.current = leader.id;
  const standbyView = new Leadership(false, leader.id);
  const standby = await startNode(standbyView);
  return { leader, standby, standbyView };
}

describe('leaderProxyPlugin', () => {
  it('forwards a POST through the standby and returns the leader’s status, headers and body', async () => {
    const { leader, standby } = await pair();
    // node:http sends the Connection header verbatim (undici rewrites it), so its listed header can be checked.
    const response = await rawRequest(
      `http://${standby.id}/v2/apps?force=true`,
      'POST',
      {
        'content-type': 'application/json',
        'x-custom': 'kept',
        'x-forwarded-for': '10.0.0.9',
        connection: 'keep-alive, x-drop-me',
        'x-drop-me': '1',
      },
      JSON.stringify({ id: '/web', cmd: 'sleep 1' }),
    );
    expect(response.statusCode).toBe(201);
    expect(response.headers['location']).toBe('/web');
    expect(response.headers['marathon-deployment-id']).toBe('d-1');
    expect(response.headers['x-marathon-leader']).toBe(`http://${leader.id}`);
    expect(response.headers['x-marathon-via']).toBe(`1.1 ${standby.id}`);
    expect(JSON.parse(response.body)).toEqual({ id: '/web', servedBy: leader.id });

    expect(standby.handled).toEqual([]);
    expect(leader.handled).toEqual(['POST /v2/apps?force=true']);
    const seen = leader.seen[0]!;
    expect(seen.body).toEqual({ id: '/web', cmd: 'sleep 1' });
    expect(seen.headers['x-marathon-via']).toBe(`1.1 ${standby.id}`);
    expect(seen.headers['x-forwarded-for']).toBe('10.0.0.9, 127.0.0.1');
    expect(seen.headers['x-custom']).toBe('kept');
    expect(seen.headers['host']).toBe(leader.id);
    expect(seen.headers['x-drop-me']).toBeUndefined();
  });

  it('streams the leader’s response through as it is produced', async () => {
    const { leader, standby } = await pair();
    const response = await request(`http://${standby.id}/v2/stream`);
    expect(response.statusCode).toBe(200);
    const chunks = response.body[Symbol.asyncIterator]();
    // The leader has not finished yet: it only ends once the first part has come through.
    expect(String((await chunks.next()).value)).toBe('first;');
    leader.release();
    let rest = '';
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) rest += String(next.value);
    expect(rest).toBe('second');
  });

  it('serves /ping, GET /v2/leader and GET query routes per node or leader as Marathon does', async () => {
    const { leader, standby } = await pair();
    const ping = await request(`http://${standby.id}/ping`);
    expect(await ping.body.text()).toBe('pong');
    expect(await (await request(`http://${standby.id}/v2/leader`)).body.json()).toEqual({ leader: leader.id });
    expect(standby.handled).toEqual(['GET /ping', 'GET /v2/leader']);
    const list = await request(`http://${standby.id}/v2/apps?embed=apps.tasks&label=a%3Db`);
    expect(await list.body.json()).toEqual({ apps: [], query: { embed: 'apps.tasks', label: 'a=b' }, servedBy: leader.id });
  });

  it('names the leader in X-Marathon-Leader on what a standby answers itself (issue #14)', async () => {
    const { leader, standby } = await pair();
    for (const path of ['/ping', '/v2/leader']) {
      const response = await request(`http://${standby.id}${path}`);
      expect(response.headers['x-marathon-leader'], path).toBe(`http://${leader.id}`);
      await response.body.dump();
    }
  });

  it('redirects /v2/events on a standby to the leader', async () => {
    const { leader, standby } = await pair();
    const response = await request(`http://${standby.id}/v2/events?event_type=status_update_event`);
    expect(response.statusCode).toBe(302);
    expect(response.headers['location']).toBe(`http://${leader.id}/v2/events?event_type=status_update_event`);
    await response.body.dump();
    expect(leader.handled).toEqual([]);
  });

  it('stamps every response of the leader with X-Marathon-Leader, even errors', async () => {
    const { leader } = await pair();
    const missing = await request(`http://${leader.id}/v2/nothing-here`);
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['x-marathon-leader']).toBe(`http://${leader.id}`);
    await missing.body.dump();
  });

  it('answers 502 with Marathon’s message when no leader is known, after waiting briefly', async () => {
    const view = new Leadership(false, undefined);
    const standby = await startNode(view, { leaderWaitAttempts: 3 });
    const response = await request(`http://${standby.id}/v2/apps`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(502);
    expect(await response.body.json()).toEqual({ message: NO_LEADER_MESSAGE });
    // Believing itself leader while not elected is no better.
    view.current = standby.id;
    const self = await request(`http://${standby.id}/v2/apps`);
    expect(self.statusCode).toBe(502);
    await self.body.dump();
    expect(standby.handled).toEqual([]);
  });

  it('serves a request itself when it becomes leader while the request waits', async () => {
    const view = new Leadership(false, undefined);
    const node = await startNode(view, { leaderWaitAttempts: 1000 });
    const pending = request(`http://${node.id}/v2/apps`);
    await new Promise((resolve) => setTimeout(resolve, 30));
    view.leading = true;
    view.current = node.id;
    const response = await pending;
    expect(await response.body.json()).toMatchObject({ servedBy: node.id });
    expect(response.headers['x-marathon-leader']).toBe(`http://${node.id}`);
  });

  it('detects a proxy loop between two standbys that each think the other leads', async () => {
    const viewA = new Leadership(false, undefined);
    const viewB = new Leadership(false, undefined);
    const a = await startNode(viewA);
    const b = await startNode(viewB);
    viewA.current = b.id;
    viewB.current = a.id;
    const response = await request(`http://${a.id}/v2/apps`, { method: 'POST', body: '{"id":"/x"}', headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(502);
    expect(await response.body.json()).toEqual({ message: LOOP_MESSAGE });
    expect(a.handled).toEqual([]);
    expect(b.handled).toEqual([]);
  });

  it('answers 502 when the leader refuses connections', async () => {
    const closedPort = await freePort();
    const standby = await startNode(new Leadership(false, `127.0.0.1:${closedPort}`));
    const response = await request(`http://${standby.id}/v2/apps`);
    expect(response.statusCode).toBe(502);
    expect(await response.body.json()).toEqual({ message: 'Connection to leader refused.' });
  });
});
