import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fastify, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventsPlugin } from '../../../src/api/events/index.js';
import { PacerMetrics, metricsPlugin, type MarathonMetrics } from '../../../src/api/metrics/index.js';
import { LocalEventBus } from '../../../src/scheduler/event-bus.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

interface Answer {
  status: number;
  type: string | undefined;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(chunks).toString() }));
      })
      .on('error', reject);
  });
}

/** A server shaped like Pacer's: metrics plugin first, then routes with wildcard app ids. */
async function startServer(metrics: PacerMetrics, options: { prometheus?: boolean } = {}): Promise<number> {
  app = fastify();
  await app.register(metricsPlugin, { registry: metrics, ...options });
  await app.register(async (routes) => {
    routes.get('/v2/apps', async () => ({ apps: [] }));
    routes.get('/v2/apps/*', async (request, reply) => {
      const id = (request.params as { '*': string })['*'];
      return id.startsWith('missing') ? reply.code(404).send({ message: `App '/${id}' does not exist` }) : { app: { id } };
    });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as AddressInfo).port;
}

function recordActivity(metrics: PacerMetrics): void {
  metrics.offersReceived.inc(5);
  metrics.offersDeclined.inc(3);
  metrics.offersUsed.inc(2);
  const placed = metrics.timeMatcher(() => 4);
  metrics.placements.inc(placed);
  metrics.launches.inc(4);
  metrics.recordTaskState('TASK_STAGING');
  metrics.recordTaskState('TASK_RUNNING');
  metrics.recordTaskState('TASK_RUNNING');
  metrics.deploymentsStarted.inc();
  metrics.deploymentsRunning.set(1);
  metrics.deploymentsSucceeded.inc();
  metrics.deploymentsRunning.dec();
  metrics.deploymentsStarted.inc();
  metrics.deploymentsFailed.inc();
  metrics.streamReconnects.inc();
}

describe('PacerMetrics in Prometheus text', () => {
  it('reports recorded activity under pacer_ names, with process metrics', async () => {
    const metrics = new PacerMetrics();
    recordActivity(metrics);
    const text = await metrics.prometheusText();
    const lines = new Set(text.split('\n'));
    for (const line of [
      'pacer_offers_received_total 5',
      'pacer_offers_declined_total 3',
      'pacer_offers_used_total 2',
      'pacer_placements_total 4',
      'pacer_task_launches_total 4',
      'pacer_task_state_transitions_total{state="TASK_STAGING"} 1',
      'pacer_task_state_transitions_total{state="TASK_RUNNING"} 2',
      'pacer_deployments_started_total 2',
      'pacer_deployments_succeeded_total 1',
      'pacer_deployments_failed_total 1',
      'pacer_deployments_running 0',
      'pacer_mesos_stream_reconnects_total 1',
      'pacer_matcher_duration_seconds_count 1',
    ]) {
      expect(lines.has(line), line).toBe(true);
    }
    expect(text).toMatch(/^pacer_process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^pacer_nodejs_eventloop_lag_seconds /m);
  });

  it('keeps its own registry: two instances do not share values', async () => {
    const a = new PacerMetrics({ defaultMetrics: false });
    const b = new PacerMetrics({ defaultMetrics: false });
    a.offersReceived.inc(7);
    expect(await b.prometheusText()).toContain('pacer_offers_received_total 0');
    expect(await a.prometheusText()).toContain('pacer_offers_received_total 7');
  });

  it('names every series with --metrics_name_prefix, the process metrics too, and refuses a prefix Prometheus cannot take', async () => {
    const metrics = new PacerMetrics({ namePrefix: 'marathon' });
    metrics.offersReceived.inc(3);
    metrics.recordTaskState('TASK_RUNNING');
    const text = await metrics.prometheusText();
    expect(text).toContain('marathon_offers_received_total 3');
    expect(text).toContain('marathon_task_state_transitions_total{state="TASK_RUNNING"} 1');
    expect(text).toMatch(/^marathon_process_cpu_seconds_total /m);
    const names = text
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => line.split(/[{ ]/)[0]);
    expect(names.filter((name) => !name!.startsWith('marathon_'))).toEqual([]);
    expect(() => new PacerMetrics({ namePrefix: '9lives' })).toThrow(RangeError);
  });
});

describe('metricsPlugin over HTTP', () => {
  it('labels API latency by route pattern, method and status, never by raw id', async () => {
    const metrics = new PacerMetrics({ defaultMetrics: false });
    const port = await startServer(metrics);
    expect((await get(port, '/v2/apps//prod/web/frontend')).status).toBe(200);
    expect((await get(port, '/v2/apps/prod/db')).status).toBe(200);
    expect((await get(port, '/v2/apps/missing-app')).status).toBe(404);
    expect((await get(port, '/v2/apps')).status).toBe(200);
    expect((await get(port, '/no/such/route/12345')).status).toBe(404);

    const answer = await get(port, '/metrics/prometheus');
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const lines = new Set(answer.body.split('\n'));
    const count = (route: string, status: number): string => `pacer_http_request_duration_seconds_count{route="${route}",method="GET",status="${status}"}`;
    expect(lines.has(`${count('/v2/apps/*', 200)} 2`)).toBe(true);
    expect(lines.has(`${count('/v2/apps/*', 404)} 1`)).toBe(true);
    expect(lines.has(`${count('/v2/apps', 200)} 1`)).toBe(true);
    expect(lines.has(`${count('unmatched', 404)} 1`)).toBe(true);
    expect(answer.body).toContain('pacer_http_request_duration_seconds_bucket{le="0.001",route="/v2/apps/*"');
    expect(answer.body).not.toMatch(/prod|frontend|missing-app|12345/);
  });

  it('answers Marathon JSON at /metrics by default', async () => {
    const metrics = new PacerMetrics();
    recordActivity(metrics);
    const port = await startServer(metrics);
    await get(port, '/v2/apps/web');

    const answer = await get(port, '/metrics', { accept: 'application/json' });
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^application\/json/);
    const body = JSON.parse(answer.body) as MarathonMetrics;
    expect(Object.keys(body).sort()).toEqual(['counters', 'gauges', 'histograms', 'meters', 'timers', 'version']);
    expect(body.version).toBe('4.0.0');
    expect(body.counters['pacer_offers_received_total']).toEqual({ count: 5 });
    expect(body.counters['pacer_task_state_transitions_total{state="TASK_RUNNING"}']).toEqual({ count: 2 });
    expect(body.gauges['pacer_deployments_running']).toEqual({ value: 0 });
    const timer = body.timers['pacer_http_request_duration_seconds{route="/v2/apps/*",method="GET",status="200"}'];
    expect(timer).toBeDefined();
    expect(Object.keys(timer!).sort()).toEqual(
      ['count', 'duration_units', 'max', 'mean', 'mean_rate', 'min', 'p50', 'p75', 'p95', 'p98', 'p99', 'p999', 'rate_units', 'stddev'].sort(),
    );
    expect(timer!.count).toBe(1);
    expect(timer!.duration_units).toBe('seconds');
    expect(body.timers['pacer_matcher_duration_seconds']?.count).toBe(1);
    expect(body.meters).toEqual({});

    for (const accept of [undefined, '*/*', 'application/json, text/plain, */*', 'text/html,application/xhtml+xml,*/*;q=0.8']) {
      const other = await get(port, '/metrics', accept === undefined ? {} : { accept });
      expect(other.type, String(accept)).toMatch(/^application\/json/);
    }
  });

  it('answers Prometheus text at /metrics when the client prefers it', async () => {
    const metrics = new PacerMetrics({ defaultMetrics: false });
    metrics.offersUsed.inc(3);
    const port = await startServer(metrics);
    const scraper =
      'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';
    for (const accept of ['text/plain', scraper, 'application/json;q=0.1, text/plain']) {
      const answer = await get(port, '/metrics', { accept });
      expect(answer.type, accept).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(answer.body.split('\n')).toContain('pacer_offers_used_total 3');
    }
  });

  it('answers 404 at /metrics/prometheus when the reporter is disabled, as Marathon does', async () => {
    const metrics = new PacerMetrics({ defaultMetrics: false });
    const port = await startServer(metrics, { prometheus: false });
    const answer = await get(port, '/metrics/prometheus');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({ message: 'Prometheus reporter is disabled' });
    expect((await get(port, '/metrics', { accept: 'text/plain' })).type).toMatch(/^application\/json/);
  });

  it('counts event stream clients and leaves the stream out of request latency', async () => {
    const metrics = new PacerMetrics({ defaultMetrics: false });
    app = fastify();
    await app.register(metricsPlugin, { registry: metrics });
    await app.register(eventsPlugin, {
      bus: new LocalEventBus(),
      logger: pino({ level: 'silent' }),
      heartbeatMs: 0,
      metrics,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;

    const ended = new Promise<void>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/v2/events', headers: { accept: 'text/event-stream' }, agent: false }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
    for (let turn = 0; turn < 1000 && app.eventStream.clientCount === 0; turn++) {
      await new Promise<void>((resolve) => setTimeout(resolve, 2));
    }
    expect((await get(port, '/metrics/prometheus')).body.split('\n')).toContain('pacer_event_stream_clients 1');

    app.eventStream.closeAll('standby');
    await ended;
    const text = (await get(port, '/metrics/prometheus')).body;
    expect(text.split('\n')).toContain('pacer_event_stream_clients 0');
    expect(text).toMatch(/^pacer_event_stream_bytes_total [1-9]\d*$/m);
    expect(text).not.toContain('route="/v2/events"');
    expect(text).toContain('route="/metrics/prometheus"');
  });
});
