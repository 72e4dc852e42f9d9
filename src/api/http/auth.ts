import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export interface BasicCredentials {
  user: string;
  password: string;
}

/** Marathon's `--http_credentials` value: `user:password` (the password may contain colons). */
export function parseHttpCredentials(raw: string): BasicCredentials {
  const colon = raw.indexOf(':');
  if (colon <= 0) throw new Error("--http_credentials must be 'user:password'");
  return { user: raw.slice(0, colon), password: raw.slice(colon + 1) };
}

/** Liveness probes stay open so supervisors and load balancers need no secret. */
const OPEN_PATHS = new Set(['/ping']);

function equalSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * HTTP Basic on every route of the API and UI. A browser shows its own prompt because of the
 * WWW-Authenticate challenge; the body is Marathon's.
 */
export function requireBasicAuth(app: FastifyInstance, credentials: BasicCredentials, realm = 'Pacer'): void {
  const expected = `${credentials.user}:${credentials.password}`;
  app.addHook('onRequest', async (request, reply) => {
    const path = (request.raw.url ?? '/').split('?')[0]!;
    if (OPEN_PATHS.has(path)) return;
    const header = request.headers.authorization;
    if (header !== undefined && header.startsWith('Basic ')) {
      const given = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      if (equalSecret(given, expected)) return;
    }
    return reply
      .code(401)
      .header('www-authenticate', `Basic realm="${realm}"`)
      .send({ message: 'Invalid username or password.' });
  });
}
