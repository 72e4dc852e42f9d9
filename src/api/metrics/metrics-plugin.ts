import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { prefersPrometheusText } from './negotiate.js';
import { UNMATCHED_ROUTE, type PacerMetrics } from './registry.js';

/**
 * Metrics endpoints and the API latency hook:
 *   - `GET /metrics`: Marathon's JSON shape (`{version, counters, gauges, histograms, meters,
 *     timers}`), or Prometheus text when the Accept header prefers it (see negotiate.ts; Marathon
 *     itself only produces JSON there);
 *   - `GET /metrics/prometheus`: Prometheus text, or 404 `Prometheus reporter is disabled` as
 *     Marathon answers under `--disable_metrics_prometheus`;
 *   - every response is timed into `pacer_http_request_duration_seconds{route,method,status}`
 *     labelled by the route pattern (`/v2/apps/*`), never the raw URL; unrouted requests share
 *     `route="unmatched"`. Event streams are left out: their "latency" is the session length.
 * Not encapsulated, so the hook sees routes registered anywhere on the server.
 */

export interface MetricsPluginOptions {
  registry: PacerMetrics;
  /** Serve `/metrics/prometheus` (Marathon: on unless --disable_metrics_prometheus). Default true. */
  prometheus?: boolean;
}

const plugin: FastifyPluginCallback<MetricsPluginOptions> = (app: FastifyInstance, options, done) => {
  const metrics = options.registry;
  const prometheusEnabled = options.prometheus ?? true;

  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, hookDone) => {
    if (!isEventStream(reply)) {
      const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
      metrics.observeHttpRequest(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
    }
    hookDone();
  });

  app.get('/metrics', async (request, reply) => {
    if (prometheusEnabled && prefersPrometheusText(request.headers.accept)) {
      return reply.type(metrics.prometheusContentType).send(await metrics.prometheusText());
    }
    return reply.type('application/json').send(await metrics.marathonJson());
  });

  app.get('/metrics/prometheus', async (_request, reply) => {
    if (!prometheusEnabled) return reply.code(404).send({ message: 'Prometheus reporter is disabled' });
    return reply.type(metrics.prometheusContentType).send(await metrics.prometheusText());
  });
  done();
};

function isEventStream(reply: FastifyReply): boolean {
  const type = reply.raw.getHeader('content-type');
  return typeof type === 'string' && type.startsWith('text/event-stream');
}

/** Not encapsulated: its hooks measure every route of the server it is registered on. */
export const metricsPlugin = fastifyPlugin(plugin, { name: 'pacer-metrics', fastify: '5.x' });
