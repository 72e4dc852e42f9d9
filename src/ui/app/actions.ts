/// <reference lib="dom" />
/**
 * Scale, restart and destroy: each asks first, then calls the API and tells the operator which
 * deployment it started. A 409 (app locked by a running deployment) offers to retry with force.
 */
import { ApiError, type MarathonClient, type Mutation, type WriteOptions } from './api.js';
import { confirmAction, notify, promptNumber } from './dialogs.js';
import { h } from './dom.js';
import type { AppInfo, PodStatus } from './marathon-types.js';
import { describeError } from './store.js';

export type AppAction = 'scale' | 'restart' | 'destroy';
export type PodAction = { kind: 'scale' } | { kind: 'destroy' } | { kind: 'kill'; instanceId: string };

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

/** Scale and destroy a pod, or kill one of its instances (the pod replaces it). */
export async function runPodAction(api: MarathonClient, action: PodAction, pod: PodStatus): Promise<Mutation<unknown> | undefined> {
  const target = pod.spec?.scaling?.instances ?? 0;
  switch (action.kind) {
    case 'scale': {
      const instances = await promptNumber({ title: `Scale ${pod.id}`, label: 'Number of instances', initial: target, min: 0, confirmLabel: 'Scale' });
      if (instances === undefined) return undefined;
      return withForceRetry((o) => api.scalePod(pod.id, instances, o), `Scaling ${pod.id} to ${instances}`, 'Pod');
    }
    case 'destroy': {
      const ok = await confirmAction({
        title: `Destroy ${pod.id}?`,
        body: [
          h(
            'p',
            null,
            'All ',
            h('strong', null, String((pod.instances ?? []).length)),
            ' instances are killed, every container of each, and the pod definition is deleted.',
          ),
          h('p', null, 'This cannot be undone.'),
        ],
        confirmLabel: 'Destroy',
        danger: true,
      });
      if (!ok) return undefined;
      return withForceRetry((o) => api.destroyPod(pod.id, o), `Destroying ${pod.id}`, 'Pod');
    }
    case 'kill': {
      const ok = await confirmAction({
        title: `Kill instance ${action.instanceId}?`,
        body: [h('p', null, 'Every container of this instance is killed; the pod starts a new instance in its place.')],
        confirmLabel: 'Kill',
        danger: true,
      });
      if (!ok) return undefined;
      try {
        return announce(await api.killPodInstance(pod.id, action.instanceId), `Killing ${action.instanceId}`);
      } catch (err) {
        notify('error', `Killing ${action.instanceId} failed: ${describeError(err)}`);
        return undefined;
      }
    }
  }
}

export async function withForceRetry<T>(call: (opts: WriteOptions) => Promise<Mutation<T>>, what: string, kind = 'App'): Promise<Mutation<T> | undefined> {
  try {
    return announce(await call({}), what);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 409) {
      notify('error', `${what} failed: ${describeError(err)}`);
      return undefined;
    }
    const force = await confirmAction({
      title: `${kind} is locked by a deployment`,
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
