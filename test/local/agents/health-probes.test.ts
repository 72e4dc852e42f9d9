import http from 'node:http';
import net from 'node:net';
import os from 'node:os';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { commandProbe, httpProbe, tcpProbe } from '../../../src/local/agents/health-probes.js';
import { isAlive } from './collecting-sink.js';

const context = { cwd: os.tmpdir(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeoutMs: 2000 };

let server: http.Server;
let port: number;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (request.url === '/ok') response.writeHead(200).end('ok');
    else if (request.url === '/moved') response.writeHead(302, { location: '/ok' }).end();
    else if (request.url === '/broken') response.writeHead(500).end();
    else if (request.url === '/slow') setTimeout(() => response.writeHead(200).end(), 1500);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('httpProbe', () => {
  it('passes on 2xx and 3xx', async () => {
    expect(await httpProbe({ port, path: '/ok' }, context)).toEqual({ ok: true });
    expect(await httpProbe({ port, path: '/moved' }, context)).toEqual({ ok: true });
  });

  it('fails on 4xx and 5xx with the status in the reason', async () => {
    expect(await httpProbe({ port, path: '/missing' }, context)).toEqual({ ok: false, reason: 'Unexpected HTTP response code: 404 Not Found' });
    expect(await httpProbe({ port, path: '/broken' }, context)).toEqual({ ok: false, reason: 'Unexpected HTTP response code: 500 Internal Server Error' });
  });

  it('fails on timeout and on refused connections', async () => {
    expect(await httpProbe({ port, path: '/slow' }, { ...context, timeoutMs: 200 })).toEqual({ ok: false, reason: 'HTTP check timed out after 0.2secs' });
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await httpProbe({ port: closedPort }, context);
    expect(refused.ok).toBe(false);
  });
});

describe('tcpProbe', () => {
  it('passes when the port accepts connections and fails when it does not', async () => {
    expect(await tcpProbe({ port }, context)).toEqual({ ok: true });
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await tcpProbe({ port: closedPort }, context)).toEqual({ ok: false, reason: 'TCP connection failed' });
  });
});

describe('commandProbe', () => {
  it('passes on exit 0 and reports other exits as upstream words them', async () => {
    expect(await commandProbe({ value: 'test "$X" = y', environment: { variables: [{ name: 'X', value: 'y' }] } }, context)).toEqual({ ok: true });
    expect(await commandProbe({ value: 'exit 4' }, context)).toEqual({ ok: false, reason: 'Command exited with status 4' });
    expect(await commandProbe({ shell: false, value: '/bin/false', arguments: ['false'] }, context)).toEqual({
      ok: false,
      reason: 'Command exited with status 1',
    });
  });

  it('kills a command that outlives its timeout, children included', async () => {
    const pidFile = `${os.tmpdir()}/pacer-probe-${process.pid}-${Date.now()}.pid`;
    const result = await commandProbe({ value: `sleep 30 & echo $! > ${pidFile}; wait` }, { ...context, timeoutMs: 300 });
    expect(result).toEqual({ ok: false, reason: 'Command timed out after 0.3secs' });
    const { readFileSync, rmSync } = await import('node:fs');
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    rmSync(pidFile, { force: true });
    const deadline = Date.now() + 2000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(isAlive(pid)).toBe(false);
  });
});
