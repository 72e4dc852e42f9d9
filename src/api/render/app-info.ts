/**
 * AppInfo (RAML `AppInfo`, core/appinfo): the App JSON plus what was asked for with `embed` —
 * task counts, running deployments, readiness results, tasks, the last task failure and task
 * statistics. Fields not embedded are left out, as Marathon does.
 */
import { renderApp } from '../../model/apps/index.js';
import type { AppDefinition, DeploymentPlan, Instance, PacerService } from '../../scheduler/contracts.js';
import type { AppEmbed } from '../http/embed.js';
import { renderTask, type TaskJson } from './task.js';

/** Marathon's TaskFailure JSON (types/task.raml). */
export interface TaskFailureJson {
  appId: string;
  host: string;
  message: string;
  state: string;
  taskId: string;
  timestamp: string;
  version: string;
  slaveId?: string;
}

/** Where the last failed task of each app is remembered (Marathon's taskFailures repository). */
export interface TaskFailureSource {
  lastTaskFailure(appId: string): TaskFailureJson | undefined;
}

export interface AppInfoSources {
  service: PacerService;
  now: number;
  taskFailures?: TaskFailureSource | undefined;
  /**
   * Running deployments by affected app, built on first use: one request renders many apps,
   * and copying every deployment for each of them made a list of N apps cost N × all plans.
   */
  deploymentsByApp?: Map<string, DeploymentPlan[]>;
}

function deploymentsOf(sources: AppInfoSources, appId: string): readonly DeploymentPlan[] {
  if (sources.deploymentsByApp === undefined) {
    const byApp = new Map<string, DeploymentPlan[]>();
    for (const plan of sources.service.deployments()) {
      for (const id of plan.affectedApps) {
        const list = byApp.get(id);
        if (list) list.push(plan);
        else byApp.set(id, [plan]);
      }
    }
    sources.deploymentsByApp = byApp;
  }
  return sources.deploymentsByApp.get(appId) ?? [];
}

interface TaskStatistic {
  version: number;
  running: boolean;
  staging: boolean;
  healthy: boolean;
  unhealthy: boolean;
  lifeTimeSeconds: number | undefined;
}

export interface TaskCountsJson {
  staged: number;
  running: number;
  healthy: number;
  unhealthy: number;
}

function statistics(app: AppDefinition, instances: readonly Instance[], sources: AppInfoSources): TaskStatistic[] {
  return instances
    .filter((i) => i.condition !== 'Scheduled' && i.taskId !== undefined)
    .map((i) => {
      const health = sources.service.health.healthOf(i, app);
      const state = i.status?.state;
      const startedAt = i.startedAt === undefined ? undefined : Date.parse(i.startedAt);
      return {
        version: Date.parse(i.runSpecVersion),
        running: state === 'TASK_RUNNING',
        // Marathon counts a task without any Mesos status yet as staged.
        staging: state === undefined || state === 'TASK_STAGING',
        healthy: health === true,
        unhealthy: health === false,
        lifeTimeSeconds: startedAt === undefined ? undefined : (sources.now - startedAt) / 1000,
      };
    });
}

/** The counts alone, in one pass: clients such as UIs poll /v2/apps, which embeds them. */
function countTasks(app: AppDefinition, instances: readonly Instance[], service: PacerService): TaskCountsJson {
  const out: TaskCountsJson = { staged: 0, running: 0, healthy: 0, unhealthy: 0 };
  for (const i of instances) {
    if (i.condition === 'Scheduled' || i.taskId === undefined) continue;
    const state = i.status?.state;
    if (state === 'TASK_RUNNING') out.running++;
    else if (state === undefined || state === 'TASK_STAGING') out.staged++;
    const health = service.health.healthOf(i, app);
    if (health === true) out.healthy++;
    else if (health === false) out.unhealthy++;
  }
  return out;
}

function counts(stats: readonly TaskStatistic[]): TaskCountsJson {
  return {
    staged: stats.filter((s) => s.staging).length,
    running: stats.filter((s) => s.running).length,
    healthy: stats.filter((s) => s.healthy).length,
    unhealthy: stats.filter((s) => s.unhealthy).length,
  };
}

function statsOf(stats: readonly TaskStatistic[]): { stats: Record<string, unknown> } | undefined {
  if (stats.length === 0) return undefined;
  const out: Record<string, unknown> = { counts: counts(stats) };
  const lifeTimes = stats.flatMap((s) => (s.lifeTimeSeconds === undefined ? [] : [s.lifeTimeSeconds])).sort((a, b) => a - b);
  if (lifeTimes.length > 0) {
    out.lifeTime = {
      averageSeconds: lifeTimes.reduce((a, b) => a + b, 0) / lifeTimes.length,
      medianSeconds: lifeTimes[Math.floor(lifeTimes.length / 2)],
    };
  }
  return { stats: out };
}

/** TaskStatsByVersion: totals, and split by the app's last scaling / config change. */
function taskStatsByVersion(app: AppDefinition, stats: readonly TaskStatistic[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const vi = app.versionInfo;
  const put = (key: string, value: { stats: Record<string, unknown> } | undefined): void => {
    if (value !== undefined) out[key] = value;
  };
  if (vi !== undefined) {
    const scaled = Date.parse(vi.lastScalingAt);
    const changed = Date.parse(vi.lastConfigChangeAt);
    put('startedAfterLastScaling', statsOf(stats.filter((s) => s.version >= scaled)));
    put('withLatestConfig', statsOf(stats.filter((s) => s.version >= changed)));
    put('withOutdatedConfig', statsOf(stats.filter((s) => s.version < changed)));
  }
  put('totalSummary', statsOf(stats));
  return out;
}

export function renderAppTasks(app: AppDefinition, instances: readonly Instance[], service: PacerService): TaskJson[] {
  return instances.flatMap((i) => {
    const task = renderTask(i, { healthResults: service.health.resultsOf(i.instanceId), appRole: app.role });
    return task === undefined ? [] : [task];
  });
}

export function renderAppInfo(app: AppDefinition, embeds: ReadonlySet<AppEmbed>, sources: AppInfoSources): Record<string, unknown> {
  const { service } = sources;
  const out = renderApp(app);
  const instances = embeds.has('counts') || embeds.has('tasks') || embeds.has('taskStats') ? service.instances.ofApp(app.id) : [];
  if (embeds.has('counts')) {
    const c = countTasks(app, instances, service);
    out.tasksStaged = c.staged;
    out.tasksRunning = c.running;
    out.tasksHealthy = c.healthy;
    out.tasksUnhealthy = c.unhealthy;
  }
  const deployments = embeds.has('deployments') || embeds.has('readiness') ? deploymentsOf(sources, app.id) : [];
  if (embeds.has('deployments')) out.deployments = deployments.map((d) => ({ id: d.id }));
  if (embeds.has('readiness')) {
    out.readinessCheckResults = deployments.flatMap((d) =>
      d.currentActions.filter((a) => a.app === app.id).flatMap((a) => a.readinessCheckResults.map((r) => ({ ...r }))),
    );
  }
  if (embeds.has('tasks')) out.tasks = renderAppTasks(app, instances, service);
  if (embeds.has('lastTaskFailure')) {
    const failure = sources.taskFailures?.lastTaskFailure(app.id);
    if (failure !== undefined) out.lastTaskFailure = failure;
  }
  if (embeds.has('taskStats')) out.tasksStats = taskStatsByVersion(app, statistics(app, instances, sources));
  return out;
}
