/**
 * The HTTP layer against small real servers that behave unlike the happy path: one demanding
 * Basic auth, one that never answers, one that answers 200 with HTML.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runClientCommand } from '../../src/cli/client/index.js';

const servers: http.Server[] = [];

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function pacer(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runClientCommand(args, {
    stdout: { write: (c: string) => ((stdout += c), true) },
    stderr: { write: (c: string) => ((stderr += c), true) },
    stdin: Readable.from([]),
    env,
  });
  return { code, stdout, stderr };
}

describe('HTTP', () => {
  it('sends HTTP Basic credentials from --user or PACER_USER', async () => {
    const seen: Array<string | undefined> = [];
    const url = await serve((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization !== `Basic ${Buffer.from('ops:pw').toString('base64')}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Invalid username or password."}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"apps":[]}');
    });
    expect(await pacer(['app', 'list', '--user', 'ops:pw'], { PACER_URL: url })).toEqual({ code: 0, stdout: 'No apps.\n', stderr: '' });
    expect((await pacer(['app', 'list'], { PACER_URL: url, PACER_USER: 'ops:pw' })).code).toBe(0);
    expect(await pacer(['app', 'list'], { PACER_URL: url })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'pacer: GET /v2/apps: HTTP 401: Invalid username or password.\n',
    });
    expect(seen).toEqual([`Basic ${Buffer.from('ops:pw').toString('base64')}`, `Basic ${Buffer.from('ops:pw').toString('base64')}`, undefined]);
  });

  it('gives up after --request_timeout with exit 3', async () => {
    const url = await serve(() => {
      // never answers
    });
    const run = await pacer(['app', 'list', '--request_timeout', '200ms'], { PACER_URL: url });
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(`pacer: cannot reach ${url}: no answer within the request timeout\n`);
  });

  it('exits 1 when a 200 answer is not Marathon JSON', async () => {
    const url = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'));
    const run = await pacer(['app', 'list'], { PACER_URL: url });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('pacer: GET /v2/apps: HTTP 200 with a body that is not JSON: <html>login</html>\n');
    const wrongShape = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[]}'));
    expect((await pacer(['app', 'list'], { PACER_URL: wrongShape })).stderr).toBe(
      `pacer: GET /v2/apps: expected a JSON object with 'apps', got: {"items":[]}\n`,
    );
  });

  it("reports a refused event stream with the server's status and message", async () => {
    const url = await serve((_req, res) =>
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"Not Authorized to perform this action!"}'),
    );
    const run = await pacer(['events'], { PACER_URL: url });
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'pacer: GET /v2/events: HTTP 403: Not Authorized to perform this action!\n' });
  });

  it('exits 3 when the event stream cannot connect', async () => {
    const url = await serve(() => {});
    const s = servers.pop()!;
    await new Promise((resolve) => s.close(resolve));
    const run = await pacer(['events'], { PACER_URL: url });
    expect(run).toEqual({ code: 3, stdout: '', stderr: `pacer: cannot reach ${url}: ECONNREFUSED\n` });
  });

  it('lets --url win over PACER_URL', async () => {
    const url = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"apps":[]}'));
    expect((await pacer(['app', 'list', '--url', url], { PACER_URL: 'http://127.0.0.1:1' })).code).toBe(0);
  });
});
