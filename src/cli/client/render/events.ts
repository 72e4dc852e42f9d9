/** One readable line per Marathon event: time, type, then the fields that identify what happened. */
import type { EventJson } from '../types.js';

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function planSummary(plan: unknown): string | undefined {
  if (plan === null || typeof plan !== 'object') return undefined;
  const id = str((plan as { id?: unknown }).id);
  return id === undefined ? undefined : `deployment=${id}`;
}

function stepSummary(step: unknown): string | undefined {
  const actions = (step as { actions?: Array<{ action?: unknown; app?: unknown; pod?: unknown }> } | null)?.actions;
  if (!Array.isArray(actions) || actions.length === 0) return undefined;
  return `actions=${actions.map((a) => `${str(a.action) ?? '?'}:${str(a.app) ?? str(a.pod) ?? '?'}`).join(',')}`;
}

/** Fields shown, in order, when the event has them. */
const KEYS: ReadonlyArray<[string, string]> = [
  ['appId', 'app'],
  ['runSpecId', 'app'],
  ['groupId', 'group'],
  ['taskId', 'task'],
  ['instanceId', 'instance'],
  ['taskStatus', 'status'],
  ['condition', 'condition'],
  ['healthy', 'healthy'],
  ['alive', 'alive'],
  ['host', 'host'],
  ['id', 'deployment'],
  ['remoteAddress', 'remote'],
  ['uri', 'uri'],
  ['reason', 'reason'],
  ['message', 'message'],
];

export function formatEventLine(type: string, data: string): string {
  let event: EventJson;
  try {
    event = JSON.parse(data) as EventJson;
  } catch {
    return `${type} ${data}`;
  }
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const [key, label] of KEYS) {
    const value = str(event[key]);
    if (value === undefined || seen.has(label)) continue;
    seen.add(label);
    parts.push(`${label}=${value.includes(' ') ? JSON.stringify(value) : value}`);
  }
  if (!seen.has('deployment')) {
    const plan = planSummary(event['plan']);
    if (plan !== undefined) parts.push(plan);
  }
  const step = stepSummary(event['currentStep']);
  if (step !== undefined) parts.push(step);
  return [str(event.timestamp) ?? '-', event.eventType ?? type, ...parts].join(' ');
}
