import type { Readable } from 'node:stream';
import { MesosDriverError } from './errors.js';

export const SCHEDULER_PATH = '/api/v1/scheduler';

/** TLS settings for https:// masters (passed to undici's connector, i.e. node:tls). */
export interface TlsOptions {
  ca?: string | Buffer | Array<string | Buffer>;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Defaults to true; false accepts any certificate (tests, self-signed labs). */
  rejectUnauthorized?: boolean;
  servername?: string;
}

export interface Credentials {
  principal: string;
  secret: string;
}

/** Scheduler endpoint of a master given as a base URL such as `http://10.0.0.1:5050`. */
export function schedulerEndpoint(base: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${SCHEDULER_PATH}`;
  return url;
}

/** Which redirects the driver may follow. */
export interface RedirectPolicy {
  /** Whether requests carry an Authorization header that must not leak. */
  carriesCredentials: boolean;
  /** Whether `host:port` (lower case) is a master the operator configured or ZooKeeper named. */
  trusted(hostPort: string): boolean;
}

/**
 * Refuses a redirect that would downgrade HTTPS to HTTP, or hand the credentials to a host
 * nobody configured: a master (or whatever answers in its place) cannot send them elsewhere.
 */
export function checkRedirect(target: URL, current: URL, policy: RedirectPolicy | undefined): void {
  if (current.protocol === 'https:' && target.protocol !== 'https:') {
    throw new MesosDriverError('PACER_MESOS_UNSAFE_REDIRECT', `refused redirect from ${current.href} to ${target.href}: it downgrades HTTPS to HTTP`);
  }
  if (policy?.carriesCredentials && target.host.toLowerCase() !== current.host.toLowerCase() && !policy.trusted(target.host.toLowerCase())) {
    throw new MesosDriverError(
      'PACER_MESOS_UNSAFE_REDIRECT',
      `refused redirect from ${current.href} to ${target.href}: ${target.host} is neither a configured nor a detected master, and the request carries credentials`,
    );
  }
}

/**
 * Resolves a redirect target. Mesos sends a protocol-relative `//host:port/api/v1/scheduler`,
 * which keeps our scheme; older docs show a bare `host:port`, which must not be read as a
 * URL scheme. A target without a path keeps the current path.
 */
export function resolveLocation(location: string, current: URL): URL {
  const loc = location.trim();
  let target: URL;
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(loc)) target = new URL(loc);
    else if (loc.startsWith('//')) target = new URL(`${current.protocol}${loc}`);
    else if (loc.startsWith('/')) target = new URL(loc, current);
    else target = new URL(`${current.protocol}//${loc}`);
  } catch (err) {
    throw new MesosDriverError('PACER_MESOS_BAD_RESPONSE', `unusable redirect Location '${location}'`, { cause: err });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new MesosDriverError('PACER_MESOS_BAD_RESPONSE', `redirect to unsupported scheme in '${location}'`);
  }
  if (target.pathname === '/' || target.pathname === '') target.pathname = current.pathname;
  return target;
}

/** Base URL (scheme, host, port) of an endpoint, the form detectors report. */
export function masterBase(endpoint: URL): string {
  return endpoint.origin;
}

export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.principal}:${credentials.secret}`, 'utf8').toString('base64')}`;
}

/** Reads at most `limit` bytes of an error body as text and discards the rest. */
export async function readBodyText(body: Readable, limit = 16 * 1024): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (size < limit) {
        parts.push(chunk.subarray(0, limit - size));
        size += Math.min(chunk.byteLength, limit - size);
      }
    }
  } catch {
    // A body cut short still tells us something; keep what arrived.
  }
  return Buffer.concat(parts).toString('utf8');
}

export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
