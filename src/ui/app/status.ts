/**
 * What an operator sees at a glance for one app: its status word, health counts and deployment
 * progress. Pure functions over Marathon JSON so they can be tested without a browser.
 */
import type { AppInfo, Deployment, MarathonEvent, QueueEntry, Task } from './marathon-types.js';

export type AppStatus = 'Running' | 'Deploying' | 'Suspended' | 'Waiting' | 'Delayed';

/**
 * Marathon UI's rules: a queued app is Delayed while its backoff runs and Waiting (for offers)
 * once the delay is overdue; otherwise an app with deployments is Deploying, one with no
 * instances and nothing running is Suspended, and anything else is Running.
 */
export function appStatus(app: AppInfo, queued: QueueEntry | undefined): AppStatus {
  const delay = queued?.delay;
  if (delay !== undefined) {
    if (!delay.overdue && delay.timeLeftSeconds > 0) return 'Delayed';
    if (delay.overdue) return 'Waiting';
  }
  if ((app.deployments?.length ?? 0) > 0) return 'Deploying';
  if ((app.instances ?? 0) === 0 && (app.tasksRunning ?? 0) === 0) return 'Suspended';
  return 'Running';
}

export interface HealthCounts {
  healthy: number;
  unhealthy: number;
  /** Running tasks without a health verdict (no checks, or not checked yet). */
  unknown: number;
  staged: number;
}

export function healthCounts(app: AppInfo): HealthCounts {
  const healthy = app.tasksHealthy ?? 0;
  const unhealthy = app.tasksUnhealthy ?? 0;
  const running = app.tasksRunning ?? 0;
  return { healthy, unhealthy, unknown: Math.max(0, running - healthy - unhealthy), staged: app.tasksStaged ?? 0 };
}

export type TaskHealth = 'healthy' | 'unhealthy' | 'unknown';

/** A task is healthy when every check result is alive, unhealthy when any is not. */
export function taskHealth(task: Task): TaskHealth {
  const results = task.healthCheckResults ?? [];
  if (results.length === 0) return 'unknown';
  return results.every((r) => r.alive) ? 'healthy' : 'unhealthy';
}

export interface DeploymentProgress {
  deploymentId: string;
  currentStep: number;
  totalSteps: number;
  /** Current actions of this app, e.g. ScaleApplication. */
  actions: string[];
}

/** appId -> progress of the deployments that affect it (first one wins when several do). */
export function progressByApp(deployments: readonly Deployment[]): Map<string, DeploymentProgress> {
  const out = new Map<string, DeploymentProgress>();
  for (const d of deployments) {
    const apps = new Set(d.affectedApps ?? []);
    for (const step of d.steps ?? []) for (const a of step.actions) if (a.app !== undefined) apps.add(a.app);
    for (const appId of apps) {
      if (out.has(appId)) continue;
      out.set(appId, {
        deploymentId: d.id,
        currentStep: d.currentStep ?? 0,
        totalSteps: d.totalSteps ?? d.steps?.length ?? 0,
        actions: (d.currentActions ?? []).filter((a) => a.app === appId).map((a) => a.action),
      });
    }
  }
  return out;
}

/** appId -> queue entry (apps only; pods are not shown). */
export function queueByApp(queue: readonly QueueEntry[]): Map<string, QueueEntry> {
  const out = new Map<string, QueueEntry>();
  for (const entry of queue) if (entry.app?.id !== undefined) out.set(entry.app.id, entry);
  return out;
}

/**
 * The app ids an event concerns, or `undefined` when it may concern any app (then everything
 * is refreshed). Field names follow Marathon's event JSON.
 */
export function appsOfEvent(event: MarathonEvent): string[] | undefined {
  const ids: string[] = [];
  const push = (v: unknown): void => {
    if (typeof v === 'string' && v.length > 0) ids.push(v);
  };
  push(event.appId);
  push(event.runSpecId);
  push(event.appDefinition?.id);
  for (const step of event.plan?.steps ?? []) for (const a of step.actions ?? []) push(a.app);
  return ids.length > 0 ? [...new Set(ids)] : undefined;
}

/** Case-insensitive match of every whitespace-separated word against id and status. */
export function matchesFilter(app: AppInfo, status: AppStatus, filter: string): boolean {
  const words = filter
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0);
  if (words.length === 0) return true;
  const haystack = `${app.id} ${status}`.toLowerCase();
  return words.every((w) => haystack.includes(w));
}
