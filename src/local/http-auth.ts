/**
 * HTTP authentication of `pacer mesos-local`, as an upstream master with the default `basic`
 * HTTP authenticator: credentials from `--credentials` (upstream's JSON
 * `{"credentials":[{"principal":…,"secret":…}]}`, or its older text form of one
 * `principal secret` per line; a `file://` prefix is accepted), and per realm a switch:
 * `--authenticate_http_readonly` (state endpoints), `--authenticate_http_readwrite` (the operator
 * API) and `--authenticate_http_frameworks` (the scheduler API). A refusal is upstream's 401
 * with `WWW-Authenticate: Basic realm="<realm>"`, the realm names being upstream's.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';

export const READONLY_REALM = 'mesos-master-readonly';
export const READWRITE_REALM = 'mesos-master-readwrite';
export const SCHEDULER_REALM = 'mesos-master-scheduler';

export type AuthRealm = typeof READONLY_REALM | typeof READWRITE_REALM | typeof SCHEDULER_REALM;

export interface MasterAuthentication {
  /** principal → SHA-256 of `principal:secret`. */
  readonly credentials: ReadonlyMap<string, Buffer>;
  readonly readonly: boolean;
  readonly readwrite: boolean;
  readonly frameworks: boolean;
}

export class CredentialsFileError extends Error {
  readonly code = 'PACER_MESOS_CREDENTIALS';
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Reads `--credentials`: JSON as upstream documents it, or `principal secret` lines. */
export async function loadCredentials(location: string): Promise<Map<string, Buffer>> {
  const path = location.startsWith('file://') ? location.slice('file://'.length) : location;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CredentialsFileError(`cannot read --credentials ${path}: ${(err as Error).message}`);
  }
  const pairs: Array<{ principal: string; secret: string }> = [];
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      throw new CredentialsFileError(`--credentials ${path} is not valid JSON: ${(err as Error).message}`);
    }
    const list = (parsed as { credentials?: unknown }).credentials;
    if (!Array.isArray(list)) throw new CredentialsFileError(`--credentials ${path} has no "credentials" array`);
    for (const entry of list) {
      const { principal, secret } = (entry ?? {}) as { principal?: unknown; secret?: unknown };
      if (typeof principal !== 'string' || principal === '' || typeof secret !== 'string') {
        throw new CredentialsFileError(`--credentials ${path}: every credential needs a "principal" and a "secret" string`);
      }
      pairs.push({ principal, secret });
    }
  } else {
    for (const line of trimmed.split('\n')) {
      const [principal, secret, ...rest] = line.trim().split(/\s+/);
      if (principal === undefined || principal === '') continue;
      if (secret === undefined || rest.length > 0) throw new CredentialsFileError(`--credentials ${path}: expected 'principal secret' per line`);
      pairs.push({ principal, secret });
    }
  }
  if (pairs.length === 0) throw new CredentialsFileError(`--credentials ${path} holds no credentials`);
  return new Map(pairs.map(({ principal, secret }) => [principal, digest(`${principal}:${secret}`)]));
}

/** Whether the realm is switched on. */
export function realmProtected(auth: MasterAuthentication | undefined, realm: AuthRealm): boolean {
  if (auth === undefined) return false;
  if (realm === READONLY_REALM) return auth.readonly;
  if (realm === READWRITE_REALM) return auth.readwrite;
  return auth.frameworks;
}

/** The authenticated principal, or undefined. Every known principal costs the same comparison. */
export function authenticatedPrincipal(req: IncomingMessage, auth: MasterAuthentication): string | undefined {
  const match = /^basic[ \t]+([A-Za-z0-9+/=._~-]+)[ \t]*$/i.exec(req.headers.authorization ?? '');
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  const principal = decoded.slice(0, colon);
  const given = digest(decoded);
  const expected = auth.credentials.get(principal) ?? digest(`\u0000${decoded}`);
  return timingSafeEqual(given, expected) && auth.credentials.has(principal) ? principal : undefined;
}
