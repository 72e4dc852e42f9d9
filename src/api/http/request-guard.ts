/**
 * What keeps a web page on another site from driving the API through a visitor's browser:
 *
 * - A body on POST/PUT/PATCH must be JSON (`application/json`, with or without parameters, or a
 *   `+json` type), as Marathon's resources declare; anything else is 415. Browsers send
 *   cross-site requests without a preflight only with form or `text/plain` bodies, so this alone
 *   stops the classic forgery.
 * - A state-changing request (POST/PUT/PATCH/DELETE) that carries an `Origin` which is neither
 *   the server's own nor allowed by `--access_control_allow_origin` is refused with 403 before
 *   anything runs. Requests without `Origin` (curl, client libraries, Pacer's CLI) pass.
 * - Allowed origins get CORS answers like Marathon's CORSFilter, preflight included; any other
 *   origin gets no CORS headers, so its page can read nothing.
 *
 * Hand-written rather than @fastify/cors: the refusal has to be ours anyway, and the CORS part
 * that remains is a dozen lines.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const UNSUPPORTED_MEDIA_TYPE_MESSAGE = 'HTTP 415 Unsupported Media Type';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);
const ALLOWED_METHODS = 'GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE';
const PREFLIGHT_MAX_AGE_SECONDS = '86400';

/** `--access_control_allow_origin`: comma-separated origins, `*` for any. */
export function parseAllowedOrigins(raw: string): string[] {
  return raw
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
}

/** `application/json`, `application/json; charset=utf-8`, `application/vnd.foo+json`… */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const essence = contentType.split(';')[0]!.trim().toLowerCase();
  const slash = essence.indexOf('/');
  if (slash <= 0) return false;
  const [type, subtype] = [essence.slice(0, slash), essence.slice(slash + 1)];
  if (type !== 'application') return false;
  return subtype === 'json' || (subtype.endsWith('+json') && subtype.length > '+json'.length);
}

function carriesBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return length.trim() !== '0';
  return request.headers['transfer-encoding'] !== undefined;
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function firstValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first?.split(',')[0]?.trim().toLowerCase();
}

export interface RequestGuardOptions {
  /** Parsed `--access_control_allow_origin`; empty: only the server's own origin. */
  allowedOrigins: readonly string[];
}

export function registerRequestGuards(app: FastifyInstance, opts: RequestGuardOptions): void {
  const anyOrigin = opts.allowedOrigins.includes('*');
  const allowed = new Set(opts.allowedOrigins.map((origin) => origin.replace(/\/+$/, '').toLowerCase()));

  /**
   * The page's origin is this server when its host is the Host the browser addressed (or, behind
   * Pacer's own leader proxy or another proxy, the host it forwarded for). A browser cannot set
   * either header on a request it sends without a preflight.
   */
  function sameOrigin(request: FastifyRequest, origin: string): boolean {
    const host = hostOf(origin);
    if (host === undefined) return false;
    return host === firstValue(request.headers.host) || host === firstValue(request.headers['x-forwarded-host']);
  }

  function crossOriginAllowed(origin: string): boolean {
    return anyOrigin || allowed.has(origin.toLowerCase());
  }

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (origin !== undefined && !sameOrigin(request, origin)) {
      if (crossOriginAllowed(origin)) {
        void reply.header('Access-Control-Allow-Origin', origin).header('Vary', 'Origin');
        const preflightMethod = request.headers['access-control-request-method'];
        if (request.method === 'OPTIONS' && preflightMethod !== undefined) {
          const requestedHeaders = request.headers['access-control-request-headers'];
          void reply
            .header('Access-Control-Allow-Methods', ALLOWED_METHODS)
            .header('Access-Control-Allow-Headers', requestedHeaders ?? 'Accept, Content-Type, Authorization')
            .header('Access-Control-Max-Age', PREFLIGHT_MAX_AGE_SECONDS);
          return reply.code(204).send();
        }
      } else if (STATE_CHANGING.has(request.method) || request.method === 'OPTIONS') {
        request.log.warn({ method: request.method, url: request.url, origin }, 'refused a cross-origin request');
        return reply.code(403).send({ message: `Origin ${origin} is not allowed (see --access_control_allow_origin)` });
      }
    }
    if (WITH_BODY.has(request.method) && carriesBody(request) && !isJsonMediaType(request.headers['content-type'])) {
      return reply.code(415).send({ message: UNSUPPORTED_MEDIA_TYPE_MESSAGE });
    }
  });
}
