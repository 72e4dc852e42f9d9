/** Canonical app definitions for scheduler tests, built by the real Marathon app parser. */
import { normalizeAndValidateApp } from '../../../src/model/apps/index.js';
import type { AppDefinition } from '../../../src/scheduler/contracts.js';

export function app(id: string, extra: Record<string, unknown> = {}): AppDefinition {
  return normalizeAndValidateApp({ id, cmd: 'sleep 1000', ...extra }, { mesosRole: '*' });
}

export const HTTP_HEALTH_CHECK = { protocol: 'MESOS_HTTP', path: '/health', portIndex: 0 };
