/**
 * Hash routes: `#/apps`, `#/apps/<app id path>`, `#/groups/<group id path>`, `#/pods/<pod id path>`,
 * `#/new`, `#/edit/<app id path>`, `#/deployments`, `#/queue`, `#/tasks/<task id>/logs[/stdout|/stderr]`.
 */

export type Route =
  | { view: 'apps' }
  | { view: 'app'; appId: string }
  | { view: 'group'; groupId: string }
  | { view: 'pod'; podId: string }
  | { view: 'new' }
  | { view: 'edit'; appId: string }
  | { view: 'deployments' }
  | { view: 'queue' }
  | { view: 'task-logs'; taskId: string; file: 'stdout' | 'stderr' | undefined };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  if (/^\/deployments\/?$/.test(path)) return { view: 'deployments' };
  if (/^\/queue\/?$/.test(path)) return { view: 'queue' };
  const logs = /^\/tasks\/([^/]+)\/logs(?:\/(stdout|stderr))?\/?$/.exec(path);
  if (logs !== null) return { view: 'task-logs', taskId: decodeSegment(logs[1]!), file: logs[2] as 'stdout' | 'stderr' | undefined };
  const match = /^\/(apps|groups|pods|edit|new)(\/.*)?$/.exec(path);
  if (match === null) return { view: 'apps' };
  const [, head, rest] = match;
  const appId = rest === undefined || rest === '/' ? undefined : decodeId(rest);
  if (head === 'new') return { view: 'new' };
  if (appId === undefined) return { view: 'apps' };
  if (head === 'pods') return { view: 'pod', podId: appId };
  if (head === 'groups') return { view: 'group', groupId: appId };
  return head === 'edit' ? { view: 'edit', appId } : { view: 'app', appId };
}

function decodeId(rest: string): string {
  const segments = rest
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return `/${segments.join('/')}`;
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
