/**
 * A valid app too large for the store is the client's mistake: 422 naming the limit, nothing
 * written, nothing logged at error level. A body over fastify's bodyLimit is 413 naming it.
 * Over the real PacerServiceImpl (fake cluster, in-memory store with the real encoder limits).
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { buildApiServer, type ApiServerOptions } from '../../src/api/server.js';
import { MAX_VALUE_BYTES } from '../../src/state/store.js';
import { startHarness, type Harness as ServiceHarness } from '../scheduler/fakes/harness.js';
import { INFO } from '../api/harness.js';

let h: ServiceHarness | undefined;
let api: FastifyInstance | undefined;
const levels: number[] = [];

async function start(extra: Partial<ApiServerOptions> = {}): Promise<FastifyInstance> {
  h = await startHarness();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) levels.push((JSON.parse(line) as { level: number }).level);
      done();
    },
  });
  api = buildApiServer({
    service: h.service,
    logger: pino({ level: 'debug' }, sink),
    appParse: { mesosRole: '*' },
    info: INFO,
    clock: () => h!.cluster.now(),
    ...extra,
  });
  await api.ready();
  return api;
}

afterEach(async () => {
  await api?.close();
  await h?.service.stop();
  levels.length = 0;
});

it('refuses an app larger than the store takes with 422 naming the limit, writing nothing', async () => {
  const app = await start();
  const big = { id: '/too-big', cmd: 'sleep 1000', cpus: 0.1, mem: 16, instances: 0, labels: { blob: 'x'.repeat(MAX_VALUE_BYTES + 1000) } };
  const res = await app.inject({ method: 'POST', url: '/v2/apps', payload: big });
  expect(res.statusCode, res.body).toBe(422);
  expect(res.json().message).toContain(String(MAX_VALUE_BYTES));
  expect((await app.inject({ method: 'GET', url: '/v2/apps/too-big' })).statusCode).toBe(404);
  expect((await app.inject({ method: 'GET', url: '/v2/deployments' })).json()).toEqual([]);
  expect(levels.filter((level) => level >= 50)).toEqual([]);
});

it('refuses a body over the body limit with 413 naming it', async () => {
  const app = await start({ bodyLimit: 2048 });
  const res = await app.inject({ method: 'POST', url: '/v2/apps', payload: { id: '/big-body', cmd: 'x'.repeat(4096) } });
  expect(res.statusCode).toBe(413);
  expect(res.json().message).toContain('2048');
  expect(levels.filter((level) => level >= 50)).toEqual([]);
});
