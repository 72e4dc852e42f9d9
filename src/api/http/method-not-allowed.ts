/**
 * Jersey answers a request for a known resource with a method it lacks with 405 (Marathon's
 * exception mapper renders it as `HTTP 405 Method Not Allowed`), and only unknown paths with
 * Marathon's `500 URI not found`. Fastify knows routes per method, so the routes are collected as
 * they are added and matched by path when fastify finds none for the method.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';

export const METHOD_NOT_ALLOWED_MESSAGE = 'HTTP 405 Method Not Allowed';

interface KnownRoute {
  pattern: RegExp;
  methods: Set<string>;
}

function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

/** Call before any route is added; returns the not-found handler to install. */
export function trackRoutesForMethodNotAllowed(app: FastifyInstance): (request: FastifyRequest, reply: FastifyReply) => FastifyReply {
  const routes = new Map<string, KnownRoute>();
  app.addHook('onRoute', (route: RouteOptions) => {
    const url = route.url;
    const known = routes.get(url) ?? { pattern: patternOf(url), methods: new Set<string>() };
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) known.methods.add(method.toUpperCase());
    routes.set(url, known);
  });
  return (request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowedMethods = new Set<string>();
    for (const route of routes.values()) {
      if (route.pattern.test(path)) for (const method of route.methods) allowedMethods.add(method);
    }
    if (allowedMethods.size === 0 || allowedMethods.has(request.method)) {
      // Jersey answers an unknown route with NotFoundException, which Marathon maps to 500.
      return reply.code(500).send({ message: 'URI not found' });
    }
    const allow = [...allowedMethods, 'OPTIONS'].join(', ');
    if (request.method === 'OPTIONS') return reply.code(200).header('Allow', allow).send();
    return reply.code(405).header('Allow', allow).send({ message: METHOD_NOT_ALLOWED_MESSAGE });
  };
}
