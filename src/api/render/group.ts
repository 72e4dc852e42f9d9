/**
 * GroupInfo (RAML types/group.raml): `id, apps, pods, groups, dependencies, version,
 * enforceRole?`. Lists that are not embedded are written empty, as Marathon's writer does.
 */
import type { Group, RootGroup } from '../../scheduler/contracts.js';
import type { AppEmbed, GroupEmbed } from '../http/embed.js';
import { renderAppInfo, type AppInfoSources } from './app-info.js';
import { podStatusOf } from './pods.js';

export interface GroupEmbeds {
  group: ReadonlySet<GroupEmbed>;
  app: ReadonlySet<AppEmbed>;
}

export function renderGroup(group: Group, root: RootGroup, embeds: GroupEmbeds, sources: AppInfoSources): Record<string, unknown> {
  const apps = embeds.group.has('apps')
    ? group.apps.flatMap((id) => {
        const app = root.apps.get(id);
        return app === undefined ? [] : [renderAppInfo(app, embeds.app, sources)];
      })
    : [];
  const out: Record<string, unknown> = {
    id: group.id,
    apps,
    // Pods are shown by their status (RAML GroupInfo.pods is PodStatus[]).
    pods: embeds.group.has('pods')
      ? (group.pods ?? []).flatMap((id) => {
          const pod = root.pods.get(id);
          return pod === undefined ? [] : [podStatusOf(pod, sources)];
        })
      : [],
    groups: embeds.group.has('groups') ? group.groups.map((g) => renderGroup(g, root, embeds, sources)) : [],
    dependencies: [...group.dependencies],
    version: group.version,
  };
  if (group.enforceRole !== undefined) out.enforceRole = group.enforceRole;
  return out;
}
