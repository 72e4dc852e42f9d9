/// <reference lib="dom" />
/**
 * Scale, restart and destroy: each asks first, then calls the API and tells the operator which
 * deployment it started. A 409 (app locked by a running deployment) offers to retry with force.
 */
import { ApiError, type MarathonClient, type Mutation, type WriteOptions } from './api.js';
import { confirmAction, notify, promptNumber } from './dialogs.js';
import { h } from './dom.js';
import type { AppInfo } from './marathon-types.js';
import { describeError } from './store.js';

export type AppAction = 'scale' | 'restart' | 'destroy';

export async function runAppAction(api: MarathonClient, action: AppAction, app: AppInfo): Promise<Mutation | undefined> {
  switch (action) {
    case 'scale': {
      const instances = await promptNumber({
        title: `Scale ${app.id}`,
        label: 'Number of instances',
        initial: app.instances ?? 0,
        min: 0,
        confirmLabel: 'Scale',
      });
      if (instances === undefined) return undefined;
      return withForceRetry((o) => api.scaleApp(app.id, instances, o), `Scaling ${app.id} to ${instances}`);
    }
    case 'restart': {
      const ok = await confirmAction({
        title: `Restart ${app.id}?`,
        body: [h('p', null, 'Every instance is replaced, respecting the app’s upgrade strategy.')],
        confirmLabel: 'Restart',
      });
      if (!ok) return undefined;
      return withForceRetry((o) => api.restartApp(app.id, o), `Restarting ${app.id}`);
    }
    case 'destroy': {
      const ok = await confirmAction({
        title: `Destroy ${app.id}?`,
        body: [
          h('p', null, 'All ', h('strong', null, String(app.tasksRunning ?? 0)), ' running tasks are killed and the app definition is deleted.'),
          h('p', null, 'This cannot be undone.'),
        ],
        confirmLabel: 'Destroy',
        danger: true,
      });
      if (!ok) return undefined;
      return withForceRetry((o) => api.destroyApp(app.id, o), `Destroying ${app.id}`);
    }
  }
}

async function withForceRetry(call: (opts: WriteOptions) => Promise<Mutation>, what: string): Promise<Mutation | undefined> {
  try {
    return announce(await call({}), what);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 409) {
      notify('error', `${what} failed: ${describeError(err)}`);
      return undefined;
    }
    const force = await confirmAction({
      title: 'App is locked by a deployment',
      body: [h('p', null, err.message), h('p', null, 'Forcing cancels the running deployment and starts this one instead.')],
      confirmLabel: 'Force',
      danger: true,
    });
    if (!force) return undefined;
    try {
      return announce(await call({ force: true }), what);
    } catch (retryErr) {
      notify('error', `${what} failed: ${describeError(retryErr)}`);
      return undefined;
    }
  }
}

export function announce<T extends Mutation<unknown>>(result: T, what: string): T {
  notify(
    'ok',
    `${what}: `,
    result.deploymentId === undefined
      ? 'accepted.'
      : h('span', null, 'deployment ', h('code', { class: 'deployment-id', 'data-deployment-id': result.deploymentId }, result.deploymentId)),
  );
  return result;
}
