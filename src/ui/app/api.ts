/// <reference lib="dom" />
/**
 * The UI's only way to the server: Marathon's public REST API, same origin. Credentials are
 * sent with every request so that a server configured for HTTP Basic (which answers 401 with
 * WWW-Authenticate) makes the browser prompt once and then reuse what the user typed.
 */
import type { GroupNode } from './group-tree.js';
import type { AppInfo, Deployment, DeploymentResult, ErrorBody, Pod, PodStatus, QueueEntry, ServerInfo, Task } from './marathon-types.js';

export class ApiError extends Error {
  readonly code = 'PACER_MARATHON_API';

  constructor(
    readonly status: number,
    readonly body: ErrorBody | undefined,
    readonly url: string,
  ) {
    super(body?.message ?? `HTTP ${status} from ${url}`);
    this.name = 'ApiError';
  }
}

export interface Mutation<T = DeploymentResult> {
  status: number;
  /** From the Marathon-Deployment-Id header, or the body's deploymentId. */
  deploymentId: string | undefined;
  body: T;
}

export interface WriteOptions {
  force?: boolean;
}

/** `/foo/bar` -> `/foo/bar` with each segment URL-encoded (ids are absolute paths). */
export function appPath(appId: string): string {
  const absolute = appId.startsWith('/') ? appId : `/${appId}`;
  return absolute.split('/').map(encodeURIComponent).join('/');
}

export class MarathonClient {
  constructor(private readonly base = '') {}

  async listApps(): Promise<AppInfo[]> {
    const body = await this.get<{ apps: AppInfo[] }>('/v2/apps?embed=apps.counts&embed=apps.deployments');
    return body.apps;
  }

  async getApp(appId: string): Promise<AppInfo> {
    const body = await this.get<{ app: AppInfo }>(`/v2/apps${appPath(appId)}?embed=app.tasks&embed=app.lastTaskFailure`);
    return body.app;
  }

  async appTasks(appId: string): Promise<Task[]> {
    return (await this.get<{ tasks: Task[] }>(`/v2/apps${appPath(appId)}/tasks`)).tasks;
  }

  async versions(appId: string): Promise<string[]> {
    return (await this.get<{ versions: string[] }>(`/v2/apps${appPath(appId)}/versions`)).versions;
  }

  async appVersion(appId: string, version: string): Promise<Record<string, unknown>> {
    return this.get<Record<string, unknown>>(`/v2/apps${appPath(appId)}/versions/${encodeURIComponent(version)}`);
  }

  async deployments(): Promise<Deployment[]> {
    return this.get<Deployment[]>('/v2/deployments');
  }

  async queue(): Promise<QueueEntry[]> {
    return (await this.get<{ queue: QueueEntry[] }>('/v2/queue?embed=lastUnusedOffers')).queue;
  }

  /**
   * DELETE /v2/deployments/{id}: without force Marathon starts a deployment that rolls the change
   * back (200 with its id); with force the deployment just stops where it is (202, no body).
   */
  async cancelDeployment(deploymentId: string, opts: WriteOptions = {}): Promise<Mutation<DeploymentResult | undefined>> {
    return this.send<DeploymentResult | undefined>('DELETE', `/v2/deployments/${encodeURIComponent(deploymentId)}${forceQuery(opts, '?')}`, undefined);
  }

  /** DELETE /v2/queue/{id}/delay: the app's or pod's launch backoff ends now (204). */
  async resetDelay(runSpecId: string): Promise<Mutation<undefined>> {
    return this.send<undefined>('DELETE', `/v2/queue${appPath(runSpecId)}/delay`, undefined);
  }

  /**
   * The last `bytes` of a file in a task's sandbox (Pacer's /pacer/tasks/{id}/files/read), also
   * after the task ended; undefined when the sandbox cannot be found.
   */
  async taskFileTail(taskId: string, file: 'stdout' | 'stderr', bytes: number): Promise<string | undefined> {
    const read = `/pacer/tasks/${encodeURIComponent(taskId)}/files/read?path=${file}`;
    try {
      const { offset: size } = await this.get<{ offset: number }>(`${read}&offset=-1`);
      const from = Math.max(0, size - bytes);
      const { data } = await this.get<{ data: string }>(`${read}&offset=${from}&length=${size - from}`);
      // A tail cut mid-line starts at the next whole line.
      return from > 0 && data.includes('\n') ? data.slice(data.indexOf('\n') + 1) : data;
    } catch {
      return undefined;
    }
  }

  /** One chunk of a sandbox file (upstream's files/read answer); `offset: -1` asks for the size only. */
  async readTaskFile(taskId: string, file: string, offset: number, length?: number): Promise<{ data: string; offset: number }> {
    const query = `path=${encodeURIComponent(file)}&offset=${offset}${length === undefined ? '' : `&length=${length}`}`;
    return this.get<{ data: string; offset: number }>(`/pacer/tasks/${encodeURIComponent(taskId)}/files/read?${query}`);
  }

  /**
   * POST /v2/tasks/delete: without flags the apps replace the killed tasks (the answer lists them,
   * no deployment); `scale` lowers the instance counts in a deployment; `wipe` forgets the
   * instances (and their reservations) as well.
   */
  async killTasks(
    taskIds: readonly string[],
    flags: { scale?: boolean; wipe?: boolean } & WriteOptions = {},
  ): Promise<Mutation<{ tasks?: Task[]; deploymentId?: string }>> {
    const query = new URLSearchParams();
    if (flags.scale === true) query.set('scale', 'true');
    if (flags.wipe === true) query.set('wipe', 'true');
    if (flags.force === true) query.set('force', 'true');
    const search = query.toString();
    return this.send('POST', `/v2/tasks/delete${search === '' ? '' : `?${search}`}`, JSON.stringify({ ids: taskIds }));
  }

  async info(): Promise<ServerInfo> {
    return this.get<ServerInfo>('/v2/info');
  }

  /** POST /v2/apps with the user's text as typed (the server validates it). */
  async createApp(bodyText: string, opts: WriteOptions = {}): Promise<Mutation<AppInfo>> {
    return this.send<AppInfo>('POST', `/v2/apps${forceQuery(opts, '?')}`, bodyText);
  }

  async updateApp(appId: string, bodyText: string, opts: WriteOptions = {}): Promise<Mutation> {
    return this.send('PUT', `/v2/apps${appPath(appId)}${forceQuery(opts, '?')}`, bodyText);
  }

  async scaleApp(appId: string, instances: number, opts: WriteOptions = {}): Promise<Mutation> {
    return this.updateApp(appId, JSON.stringify({ instances }), opts);
  }

  async restartApp(appId: string, opts: WriteOptions = {}): Promise<Mutation> {
    return this.send('POST', `/v2/apps${appPath(appId)}/restart${forceQuery(opts, '?')}`, undefined);
  }

  async destroyApp(appId: string, opts: WriteOptions = {}): Promise<Mutation> {
    return this.send('DELETE', `/v2/apps${appPath(appId)}${forceQuery(opts, '?')}`, undefined);
  }

  /** The group tree without apps or pods (the apps come from listApps). */
  async groupTree(): Promise<GroupNode> {
    return this.get<GroupNode>('/v2/groups?embed=group.groups');
  }

  /** PUT /v2/groups/{id} with `{"scaleBy": factor}`: every app below gets ceil(instances × factor). */
  async scaleGroup(groupId: string, factor: number, opts: WriteOptions = {}): Promise<Mutation> {
    return this.send('PUT', `/v2/groups${appPath(groupId)}${forceQuery(opts, '?')}`, JSON.stringify({ scaleBy: factor }));
  }

  /** DELETE /v2/groups/{id}: the group, its sub-groups and every app in them. */
  async destroyGroup(groupId: string, opts: WriteOptions = {}): Promise<Mutation> {
    return this.send('DELETE', `/v2/groups${appPath(groupId)}${forceQuery(opts, '?')}`, undefined);
  }

  /** Every pod with its instances (GET /v2/pods/::status). */
  async listPodStatuses(): Promise<PodStatus[]> {
    return this.get<PodStatus[]>('/v2/pods/::status');
  }

  async podStatus(podId: string): Promise<PodStatus> {
    return this.get<PodStatus>(`/v2/pods${appPath(podId)}::status`);
  }

  /** Marathon's PUT /v2/pods/{id} takes a whole pod: the stored one is sent back with the new count. */
  async scalePod(podId: string, instances: number, opts: WriteOptions = {}): Promise<Mutation<Pod>> {
    const pod = await this.get<Pod>(`/v2/pods${appPath(podId)}`);
    const { version: _version, ...definition } = pod;
    const changed = { ...definition, scaling: { ...(pod.scaling ?? {}), kind: pod.scaling?.kind ?? 'fixed', instances } };
    return this.send<Pod>('PUT', `/v2/pods${appPath(podId)}${forceQuery(opts, '?')}`, JSON.stringify(changed));
  }

  async destroyPod(podId: string, opts: WriteOptions = {}): Promise<Mutation<undefined>> {
    return this.send<undefined>('DELETE', `/v2/pods${appPath(podId)}${forceQuery(opts, '?')}`, undefined);
  }

  /** Kills one instance as a whole; the pod replaces it. */
  async killPodInstance(podId: string, instanceId: string): Promise<Mutation<unknown>> {
    return this.send<unknown>('DELETE', `/v2/pods${appPath(podId)}::instances/${encodeURIComponent(instanceId)}`, undefined);
  }

  private async get<T>(path: string): Promise<T> {
    const response = await fetch(this.base + path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    const body = await readJson(response);
    if (!response.ok) throw new ApiError(response.status, asErrorBody(body), path);
    return body as T;
  }

  private async send<T>(method: string, path: string, bodyText: string | undefined): Promise<Mutation<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (bodyText !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(this.base + path, { method, credentials: 'same-origin', headers, body: bodyText ?? null });
    const body = await readJson(response);
    if (!response.ok) throw new ApiError(response.status, asErrorBody(body), path);
    const fromBody = (body as DeploymentResult | undefined)?.deploymentId;
    const fromList = (body as AppInfo | undefined)?.deployments?.[0]?.id;
    return {
      status: response.status,
      deploymentId: response.headers.get('marathon-deployment-id') ?? fromBody ?? fromList,
      body: body as T,
    };
  }
}

function forceQuery(opts: WriteOptions, lead: string): string {
  return opts.force === true ? `${lead}force=true` : '';
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { message: text.slice(0, 500) };
  }
}

function asErrorBody(body: unknown): ErrorBody | undefined {
  return typeof body === 'object' && body !== null ? body : undefined;
}
