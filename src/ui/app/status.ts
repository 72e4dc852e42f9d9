/**
 * What an operator sees at a glance for one app: its status word, health counts and deployment
 * progress. Pure functions over Marathon JSON so they can be tested without a browser.
 */
import type { AppInfo, Deployment, MarathonEvent, Pod, PodStatus, QueueEntry, Task } from './marathon-types.js';

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

/** podId -> the first running deployment that touches the pod. */
export function progressByPod(deployments: readonly Deployment[]): Map<string, DeploymentProgress> {
  const out = new Map<string, DeploymentProgress>();
  for (const d of deployments) {
    const pods = new Set(d.affectedPods ?? []);
    for (const step of d.steps ?? []) for (const a of step.actions) if (a.pod !== undefined) pods.add(a.pod);
    for (const podId of pods) {
      if (out.has(podId)) continue;
      out.set(podId, {
        deploymentId: d.id,
        currentStep: d.currentStep ?? 0,
        totalSteps: d.totalSteps ?? d.steps?.length ?? 0,
        actions: (d.currentActions ?? []).filter((a) => a.pod === podId).map((a) => a.action),
      });
    }
  }
  return out;
}

/** Instances whose every container runs (and passes its checks), out of the pod's `scaling.instances`. */
export function podCounts(pod: PodStatus): { stable: number; starting: number; degraded: number; target: number } {
  const instances = pod.instances ?? [];
  const count = (...states: string[]): number => instances.filter((i) => states.includes(i.status ?? '')).length;
  return { stable: count('STABLE'), starting: count('PENDING', 'STAGING'), degraded: count('DEGRADED'), target: pod.spec?.scaling?.instances ?? 0 };
}

/** What one instance holds on its agent: its containers' resources plus the executor's. */
export function podInstanceResources(pod: Pod | undefined): { cpus: number; mem: number } {
  const sum = (key: 'cpus' | 'mem'): number =>
    (pod?.containers ?? []).reduce((t, c) => t + (c.resources?.[key] ?? 0), 0) + (pod?.executorResources?.[key] ?? 0);
  return { cpus: sum('cpus'), mem: sum('mem') };
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
