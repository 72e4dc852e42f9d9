/// <reference lib="dom" />
/**
 * Everything the UI has fetched, and the rules for refreshing it. Views read from here and
 * subscribe to changes; nothing else talks to the API for reads.
 */
import { ApiError, type MarathonClient } from './api.js';
import type { AppInfo, Deployment, PodStatus, QueueEntry, ServerInfo } from './marathon-types.js';
import { groupIdsOf } from './group-tree.js';
import { DebouncedRefresh } from './refresh.js';
import { appStatus, progressByApp, progressByPod, queueByApp, type AppStatus, type DeploymentProgress } from './status.js';

export interface AppRow {
  app: AppInfo;
  status: AppStatus;
  progress: DeploymentProgress | undefined;
  queued: QueueEntry | undefined;
}

export interface AppDetail {
  appId: string;
  app: AppInfo | undefined;
  /** 404: the app is gone (destroyed, or never existed). */
  missing: boolean;
  error: string | undefined;
  versions: string[];
}

export interface PodDetail {
  podId: string;
  status: PodStatus | undefined;
  /** 404: the pod is gone (destroyed, or never existed). */
  missing: boolean;
  error: string | undefined;
}

/** What to refresh: the overview (apps, pods, deployments, queue) and/or one app's or pod's page. */
export type RefreshScope = { kind: 'overview' } | { kind: 'app'; appId: string } | { kind: 'pod'; podId: string };

export class Store {
  rows = new Map<string, AppRow>();
  /** Ids sorted, so the list keeps a stable order while statuses change. */
  order: string[] = [];
  listError: string | undefined;
  listLoaded = false;
  /** Epoch ms of the last successful overview fetch (for the queue's countdowns). */
  fetchedAt = 0;
  info: ServerInfo | undefined;
  detail: AppDetail | undefined;
  /** Every pod's status, sorted by id. */
  pods: PodStatus[] = [];
  /** Deployment progress by pod id. */
  podProgress = new Map<string, DeploymentProgress>();
  podsError: string | undefined;
  podDetail: PodDetail | undefined;
  /** Running deployments and the launch queue as last fetched with the overview. */
  deployments: Deployment[] = [];
  queue: QueueEntry[] = [];
  /** Every group id (sorted), so that groups without apps show as folders too. */
  groupIds: string[] = [];
  /** Whether `groupIds` holds an answer of /v2/groups (else a group without apps cannot be told from none). */
  groupsLoaded = false;

  private readonly listeners = new Set<() => void>();
  private readonly refresher: DebouncedRefresh<RefreshScope>;

  constructor(private readonly api: MarathonClient) {
    this.refresher = new DebouncedRefresh((scopes) => this.runRefresh(scopes));
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  request(scope: RefreshScope): void {
    this.refresher.request(scope);
  }

  /** Refreshes the overview and, if one is open, the app page, without waiting for the debounce. */
  async refreshNow(): Promise<void> {
    this.refresher.request({ kind: 'overview' });
    if (this.detail !== undefined) this.refresher.request({ kind: 'app', appId: this.detail.appId });
    if (this.podDetail !== undefined) this.refresher.request({ kind: 'pod', podId: this.podDetail.podId });
    await this.refresher.flush();
  }

  /** Switches the pod page to `podId` (or closes it) and loads it. */
  openPod(podId: string | undefined): void {
    if (podId === undefined) {
      this.podDetail = undefined;
      return;
    }
    if (this.podDetail?.podId !== podId) this.podDetail = { podId, status: undefined, missing: false, error: undefined };
    this.refresher.request({ kind: 'pod', podId });
    void this.refresher.flush();
  }

  /** Switches the app page to `appId` (or closes it) and loads it. */
  openApp(appId: string | undefined): void {
    if (appId === undefined) {
      this.detail = undefined;
      return;
    }
    if (this.detail?.appId !== appId) this.detail = { appId, app: undefined, missing: false, error: undefined, versions: [] };
    this.refresher.request({ kind: 'app', appId });
    void this.refresher.flush();
  }

  async loadInfo(): Promise<void> {
    try {
      this.info = await this.api.info();
      this.emit();
    } catch {
      // Info only adds links to the Mesos UI; the UI works without it.
    }
  }

  private async runRefresh(scopes: RefreshScope[]): Promise<void> {
    const overview = scopes.some((s) => s.kind === 'overview');
    const detailId = this.detail?.appId;
    const detailWanted = detailId !== undefined && scopes.some((s) => s.kind === 'app' && s.appId === detailId);
    const podId = this.podDetail?.podId;
    const podWanted = podId !== undefined && scopes.some((s) => s.kind === 'pod' && s.podId === podId);
    await Promise.all([
      overview ? this.refreshOverview() : undefined,
      overview ? this.refreshPods() : undefined,
      overview ? this.refreshGroups() : undefined,
      detailWanted ? this.refreshDetail(detailId) : undefined,
      podWanted ? this.refreshPod(podId) : undefined,
    ]);
    this.emit();
  }

  private async refreshOverview(): Promise<void> {
    try {
      const [apps, deployments, queue] = await Promise.all([this.api.listApps(), this.api.deployments(), this.api.queue()]);
      const progress = progressByApp(deployments);
      this.podProgress = progressByPod(deployments);
      const queued = queueByApp(queue);
      const rows = new Map<string, AppRow>();
      for (const app of apps) {
        const q = queued.get(app.id);
        rows.set(app.id, { app, status: appStatus(app, q), progress: progress.get(app.id), queued: q });
      }
      this.deployments = deployments;
      this.queue = queue;
      this.rows = rows;
      this.order = [...rows.keys()].sort();
      this.listError = undefined;
      this.listLoaded = true;
      this.fetchedAt = Date.now();
    } catch (err) {
      this.listError = describeError(err);
    }
  }

  /** Pods are read apart from apps, so a server without /v2/pods still shows its apps. */
  private async refreshPods(): Promise<void> {
    try {
      const pods = await this.api.listPodStatuses();
      this.pods = [...pods].sort((a, b) => a.id.localeCompare(b.id));
      this.podsError = undefined;
    } catch (err) {
      this.podsError = describeError(err);
    }
  }

  /** Group ids apart from apps: if /v2/groups fails, only groups without apps go missing. */
  private async refreshGroups(): Promise<void> {
    try {
      this.groupIds = groupIdsOf(await this.api.groupTree());
      this.groupsLoaded = true;
    } catch {
      // The folders derived from app ids still show; the next refresh tries again.
    }
  }

  private async refreshPod(podId: string): Promise<void> {
    try {
      const status = await this.api.podStatus(podId);
      if (this.podDetail?.podId !== podId) return;
      this.podDetail = { podId, status, missing: false, error: undefined };
    } catch (err) {
      if (this.podDetail?.podId !== podId) return;
      const missing = err instanceof ApiError && err.status === 404;
      this.podDetail = { ...this.podDetail, missing, error: missing ? undefined : describeError(err) };
    }
  }

  private async refreshDetail(appId: string): Promise<void> {
    try {
      const [app, versions] = await Promise.all([this.api.getApp(appId), this.api.versions(appId)]);
      if (this.detail?.appId !== appId) return;
      this.detail = { appId, app, missing: false, error: undefined, versions };
    } catch (err) {
      if (this.detail?.appId !== appId) return;
      const missing = err instanceof ApiError && err.status === 404;
      this.detail = { ...this.detail, missing, error: missing ? undefined : describeError(err) };
    }
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.status}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
