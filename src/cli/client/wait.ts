/**
 * Follows one deployment until it is gone from `/v2/deployments`: polls it for the progress
 * display, and reads success or failure from the event stream (DeploymentOutcomes). Without an
 * event stream a deployment that disappeared is taken as finished, as Marathon's own tools do.
 */
import type { MarathonApi } from './api.js';
import type { DeploymentOutcomes } from './deployment-outcomes.js';
import { DeploymentError, ServerError } from './errors.js';
import { formatElapsed, shortId, type AppProgress, type ProgressReporter } from './progress.js';
import type { DeploymentJson } from './types.js';

export interface WaitOptions {
  api: MarathonApi;
  deploymentId: string;
  /** 0 = no limit */
  timeoutMs: number;
  pollIntervalMs: number;
  progress: ProgressReporter;
  outcomes: DeploymentOutcomes | undefined;
  /** How long to wait for the outcome event after the deployment left the list. */
  outcomeGraceMs?: number;
  now?: () => number;
}

/** Instance counts are fetched for this many affected apps and pods at most: one GET each per poll. */
const MAX_APPS_SHOWN = 3;

async function appProgress(api: MarathonApi, appId: string): Promise<AppProgress | undefined> {
  try {
    const { value: app } = await api.getApp(appId);
    const hasHealth = Array.isArray(app.healthChecks) && app.healthChecks.length > 0;
    return { id: appId, running: app.tasksRunning ?? 0, target: app.instances ?? 0, healthy: hasHealth ? (app.tasksHealthy ?? 0) : undefined };
  } catch (err) {
    if (err instanceof ServerError && err.status === 404) return { id: appId, running: 0, target: 0, gone: true };
    throw err;
  }
}

/** A pod's progress: instances whose containers all run (STABLE) out of `scaling.instances`. */
async function podProgress(api: MarathonApi, podId: string): Promise<AppProgress | undefined> {
  try {
    const { value: status } = await api.getPodStatus(podId);
    const stable = (status.instances ?? []).filter((i) => i.status === 'STABLE').length;
    return { id: podId, running: stable, target: status.spec?.scaling?.instances ?? 0 };
  } catch (err) {
    if (err instanceof ServerError && err.status === 404) return { id: podId, running: 0, target: 0, gone: true };
    throw err;
  }
}

function actionsOf(d: DeploymentJson): string[] {
  return (d.currentActions ?? []).map((a) => `${a.action} ${a.app ?? a.pod ?? ''}`.trim());
}

/** Resolves when the deployment finished; throws DeploymentError when it failed or timed out. */
export async function waitForDeployment(opts: WaitOptions): Promise<void> {
  const now = opts.now ?? Date.now;
  const started = now();
  const deadline = opts.timeoutMs > 0 ? started + opts.timeoutMs : Number.POSITIVE_INFINITY;
  const id = opts.deploymentId;
  const sleep = (ms: number): Promise<void> => (opts.outcomes !== undefined ? opts.outcomes.sleep(ms) : new Promise((resolve) => setTimeout(resolve, ms)));

  const settle = (outcome: { ok: boolean; reason?: string }): void => {
    const took = formatElapsed(now() - started);
    if (outcome.ok) {
      opts.progress.done(`deployment ${id} finished (${took})`);
      return;
    }
    const why = outcome.reason ?? 'failed or cancelled';
    opts.progress.done(`deployment ${id} failed: ${why}`);
    throw new DeploymentError(id, 'failed', `deployment ${id} failed: ${why}`);
  };

  for (;;) {
    const known = opts.outcomes?.outcome(id);
    if (known !== undefined) return settle(known);

    const { value: deployments } = await opts.api.deployments();
    const current = deployments.find((d) => d.id === id);
    if (current === undefined) {
      if (opts.outcomes?.connected === true) {
        // The list and the stream race each other; give the event a moment to arrive.
        const graceEnd = now() + (opts.outcomeGraceMs ?? 2000);
        while (opts.outcomes.outcome(id) === undefined && now() < graceEnd) await opts.outcomes.sleep(graceEnd - now());
        const late = opts.outcomes.outcome(id);
        if (late !== undefined) return settle(late);
      }
      return settle({ ok: true });
    }

    const apps: AppProgress[] = [];
    for (const appId of (current.affectedApps ?? []).slice(0, MAX_APPS_SHOWN)) {
      const p = await appProgress(opts.api, appId);
      if (p !== undefined) apps.push(p);
    }
    for (const podId of (current.affectedPods ?? []).slice(0, Math.max(0, MAX_APPS_SHOWN - apps.length))) {
      const p = await podProgress(opts.api, podId);
      if (p !== undefined) apps.push(p);
    }
    opts.progress.update({
      deploymentId: id,
      currentStep: current.currentStep ?? 0,
      totalSteps: current.totalSteps ?? current.steps?.length ?? 0,
      actions: actionsOf(current),
      apps,
      elapsedMs: now() - started,
    });

    const remaining = deadline - now();
    if (remaining <= 0) {
      const message = `deployment ${id} still running after ${formatElapsed(opts.timeoutMs)} (--timeout); it goes on: pacer deployment watch ${id}`;
      opts.progress.done(`deployment ${shortId(id)} timed out`);
      throw new DeploymentError(id, 'timeout', message);
    }
    await sleep(Math.min(opts.pollIntervalMs, remaining));
  }
}
