/**
 * The header's server line. Pacer answers /v2/info with Marathon's `name` (clients key on it)
 * and its own version, and marks itself with `buildref: pacer`; the header then shows Pacer's own
 * name and version and the Marathon API version it serves. A real Marathon shows as itself.
 */
import type { ServerInfo } from './marathon-types.js';

/** The Marathon REST API Pacer serves (Marathon 1.11's RAML). */
export const MARATHON_API_VERSION = '1.11';

export function serverTitle(info: ServerInfo): string {
  if (info.buildref === 'pacer') return `Pacer ${info.version ?? ''}`.trim() + ` · Marathon API ${MARATHON_API_VERSION}`;
  return `${info.name ?? 'marathon'} ${info.version ?? ''}`.trim();
}
