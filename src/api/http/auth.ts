import { createHash, timingSafeEqual } from 'node:crypto';
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

/** Marathon's default `--http_realm`. */
export const DEFAULT_HTTP_REALM = 'Mesosphere';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Both sides are hashed first so the comparison always covers 32 bytes: neither the secret's
 * length nor where a guess first differs shows in the time taken.
 */
function equalSecret(given: string, expectedDigest: Buffer): boolean {
  return timingSafeEqual(digest(given), expectedDigest);
}

/** `Basic <token>` with the scheme in any case (RFC 7617 §2, RFC 7235 §2.1); the decoded `user:password`. */
export function basicCredentialsOf(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^basic[ \t]+([A-Za-z0-9+/=._~-]+)[ \t]*$/i.exec(header);
  return match ? Buffer.from(match[1]!, 'base64').toString('utf8') : undefined;
}

/**
 * HTTP Basic on every route of the API and UI. A browser shows its own prompt because of the
 * WWW-Authenticate challenge; the body is Marathon's.
 */
export function requireBasicAuth(app: FastifyInstance, credentials: BasicCredentials, realm = DEFAULT_HTTP_REALM): void {
  const expected = digest(`${credentials.user}:${credentials.password}`);
  app.addHook('onRequest', async (request, reply) => {
    const path = (request.raw.url ?? '/').split('?')[0]!;
    if (OPEN_PATHS.has(path)) return;
    const given = basicCredentialsOf(request.headers.authorization);
    if (given !== undefined && equalSecret(given, expected)) return;
    return reply.code(401).header('www-authenticate', `Basic realm="${realm}"`).send({ message: 'Invalid username or password.' });
  });
}
