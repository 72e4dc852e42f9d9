/**
 * `embed` query parameters (InfoEmbedResolver): app embeds accept the prefixes `app.`, `apps.`,
 * `group.apps.` or none; unknown values are ignored, never refused.
 */
import { queryValues, type Query } from './query.js';

export type AppEmbed = 'tasks' | 'counts' | 'deployments' | 'readiness' | 'lastTaskFailure' | 'taskStats';
export type GroupEmbed = 'groups' | 'apps' | 'pods';

const APP_PREFIXES = ['group.apps.', 'apps.', 'app.'];

function resolveOne(raw: string): AppEmbed[] {
  const prefix = APP_PREFIXES.find((p) => raw.startsWith(p)) ?? '';
  switch (raw.slice(prefix.length)) {
    case 'tasks':
      return ['tasks', 'deployments'];
    case 'failures':
      return ['tasks', 'lastTaskFailure', 'deployments'];
    case 'deployments':
      return ['deployments'];
    case 'readiness':
      return ['readiness'];
    case 'lastTaskFailure':
      return ['lastTaskFailure'];
    case 'counts':
      return ['counts'];
    case 'taskStats':
      return ['taskStats'];
    default:
      return [];
  }
}

export function resolveAppEmbeds(values: readonly string[], always: readonly AppEmbed[] = []): Set<AppEmbed> {
  const out = new Set<AppEmbed>(always);
  for (const v of values) for (const e of resolveOne(v)) out.add(e);
  return out;
}

export function appEmbedsFromQuery(query: Query, always: readonly AppEmbed[] = []): Set<AppEmbed> {
  return resolveAppEmbeds(queryValues(query, 'embed'), always);
}

/** Group embeds: `group.groups`, `group.apps`, `group.pods`; none given = all three. */
export function groupEmbedsFromQuery(query: Query): { group: Set<GroupEmbed>; app: Set<AppEmbed> } {
  const values = queryValues(query, 'embed');
  if (values.length === 0) return { group: new Set(['apps', 'pods', 'groups']), app: new Set() };
  const group = new Set<GroupEmbed>();
  const appValues: string[] = [];
  for (const v of values) {
    if (v.startsWith('group.apps.')) appValues.push(v);
    else if (v === 'group.groups') group.add('groups');
    else if (v === 'group.apps') group.add('apps');
    else if (v === 'group.pods') group.add('pods');
  }
  return { group, app: resolveAppEmbeds(appValues) };
}
