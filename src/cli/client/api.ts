/**
 * Marathon's REST endpoints the client commands use, with the envelope of each answer checked.
 * Every call returns the server's text too, so `--json` prints exactly what the server sent.
 */
import { ResponseFormatError } from './errors.js';
import { appPath, type HttpResponse, type MarathonHttp } from './http.js';
import type { AppJson, DeploymentJson, DeploymentResultJson, InstanceJson, PodJson, PodStatusJson, QueueItemJson, TaskJson } from './types.js';

export interface Answer<T> {
  value: T;
  /** The server's body, verbatim. */
  text: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function field<T>(res: HttpResponse, what: string, name: string): T {
  if (!isObject(res.json) || !(name in res.json)) {
    throw new ResponseFormatError(`${what}: expected a JSON object with '${name}', got: ${res.text.slice(0, 200)}`);
  }
  return res.json[name] as T;
}

function list<T>(res: HttpResponse, what: string, name: string): T[] {
  const value = field<unknown>(res, what, name);
  if (!Array.isArray(value)) throw new ResponseFormatError(`${what}: '${name}' is not an array`);
  return value as T[];
}

function deploymentResult(res: HttpResponse, what: string): Answer<DeploymentResultJson> {
  const deploymentId = field<unknown>(res, what, 'deploymentId');
  if (typeof deploymentId !== 'string') throw new ResponseFormatError(`${what}: 'deploymentId' is not a string`);
  return { value: res.json as DeploymentResultJson, text: res.text };
}

function podBody(res: HttpResponse, what: string): PodJson {
  if (!isObject(res.json) || typeof res.json['id'] !== 'string') throw new ResponseFormatError(`${what}: expected a pod, got: ${res.text.slice(0, 200)}`);
  return res.json as unknown as PodJson;
}

function forceQuery(force: boolean): { force?: boolean } {
  // Left out unless asked, so the server's own default applies (DELETE of an app is forced by default in Marathon).
  return force ? { force: true } : {};
}

export interface KillOptions {
  scale: boolean;
  wipe: boolean;
  force: boolean;
}

export class MarathonApi {
  constructor(readonly http: MarathonHttp) {}

  /**
   * Pacer's task sandbox route: `{data, offset}` of `file` in the task's sandbox, as upstream's
   * `/files/read` answers (`offset` -1 asks for the size only).
   */
  async readTaskFile(taskId: string, file: string, offset: number, length?: number): Promise<Answer<{ data: string; offset: number }>> {
    const res = await this.http.request('GET', `/pacer/tasks/${encodeURIComponent(taskId)}/files/read`, {
      query: { path: file, offset, ...(length !== undefined ? { length } : {}) },
    });
    const data = field<unknown>(res, 'GET /pacer/tasks/{id}/files/read', 'data');
    const at = field<unknown>(res, 'GET /pacer/tasks/{id}/files/read', 'offset');
    if (typeof data !== 'string' || typeof at !== 'number')
      throw new ResponseFormatError(`GET /pacer/tasks/{id}/files/read: expected {data, offset}, got: ${res.text.slice(0, 200)}`);
    return { value: { data, offset: at }, text: res.text };
  }

  async listApps(): Promise<Answer<AppJson[]>> {
    const res = await this.http.request('GET', '/v2/apps');
    return { value: list<AppJson>(res, 'GET /v2/apps', 'apps'), text: res.text };
  }

  async getApp(id: string): Promise<Answer<AppJson>> {
    const res = await this.http.request('GET', appPath('/v2/apps', id));
    return { value: field<AppJson>(res, 'GET /v2/apps/{id}', 'app'), text: res.text };
  }

  /** POST /v2/apps with the body untouched; the deployment id comes from the header or the AppInfo. */
  async createApp(body: string, force: boolean): Promise<Answer<AppJson> & { deploymentId: string | undefined }> {
    const res = await this.http.request('POST', '/v2/apps', { body, query: forceQuery(force) });
    if (!isObject(res.json) || typeof res.json['id'] !== 'string') {
      throw new ResponseFormatError(`POST /v2/apps: expected the created app, got: ${res.text.slice(0, 200)}`);
    }
    const app = res.json as unknown as AppJson;
    const deploymentId = res.headers['marathon-deployment-id'] ?? app.deployments?.[0]?.id;
    return { value: app, text: res.text, deploymentId };
  }

  async updateApp(id: string, body: string, force: boolean): Promise<Answer<DeploymentResultJson>> {
    const res = await this.http.request('PUT', appPath('/v2/apps', id), { body, query: forceQuery(force) });
    return deploymentResult(res, 'PUT /v2/apps/{id}');
  }

  async restartApp(id: string, force: boolean): Promise<Answer<DeploymentResultJson>> {
    const res = await this.http.request('POST', `${appPath('/v2/apps', id)}/restart`, { query: forceQuery(force) });
    return deploymentResult(res, 'POST /v2/apps/{id}/restart');
  }

  async removeApp(id: string, force: boolean): Promise<Answer<DeploymentResultJson>> {
    const res = await this.http.request('DELETE', appPath('/v2/apps', id), { query: forceQuery(force) });
    return deploymentResult(res, 'DELETE /v2/apps/{id}');
  }

  async tasks(appId?: string): Promise<Answer<TaskJson[]>> {
    const path = appId === undefined ? '/v2/tasks' : `${appPath('/v2/apps', appId)}/tasks`;
    const res = await this.http.request('GET', path);
    return { value: list<TaskJson>(res, `GET ${path}`, 'tasks'), text: res.text };
  }

  /** POST /v2/tasks/delete: killed tasks, or a deployment when `scale` is set. */
  async killTasks(ids: readonly string[], opts: KillOptions): Promise<Answer<{ tasks: TaskJson[] } | DeploymentResultJson>> {
    const res = await this.http.request('POST', '/v2/tasks/delete', {
      body: JSON.stringify({ ids }),
      query: { ...(opts.scale ? { scale: true } : {}), ...(opts.wipe ? { wipe: true } : {}), ...forceQuery(opts.force) },
    });
    if (isObject(res.json) && typeof res.json['deploymentId'] === 'string') return deploymentResult(res, 'POST /v2/tasks/delete');
    return { value: { tasks: list<TaskJson>(res, 'POST /v2/tasks/delete', 'tasks') }, text: res.text };
  }

  async deployments(): Promise<Answer<DeploymentJson[]>> {
    const res = await this.http.request('GET', '/v2/deployments');
    if (!Array.isArray(res.json)) throw new ResponseFormatError(`GET /v2/deployments: expected a JSON array, got: ${res.text.slice(0, 200)}`);
    return { value: res.json as DeploymentJson[], text: res.text };
  }

  /** Without force Marathon starts a rollback deployment (its result is returned); with force, 202 and no body. */
  async cancelDeployment(id: string, force: boolean): Promise<Answer<DeploymentResultJson | undefined>> {
    const res = await this.http.request('DELETE', `/v2/deployments/${encodeURIComponent(id)}`, { query: forceQuery(force) });
    if (res.json === undefined) return { value: undefined, text: res.text };
    return deploymentResult(res, 'DELETE /v2/deployments/{id}');
  }

  /** GET /v2/pods/::status: every pod with its instances. */
  async listPodStatuses(): Promise<Answer<PodStatusJson[]>> {
    const res = await this.http.request('GET', '/v2/pods/::status');
    if (!Array.isArray(res.json)) throw new ResponseFormatError(`GET /v2/pods/::status: expected a JSON array, got: ${res.text.slice(0, 200)}`);
    return { value: res.json as PodStatusJson[], text: res.text };
  }

  async getPod(id: string): Promise<Answer<PodJson>> {
    const res = await this.http.request('GET', appPath('/v2/pods', id));
    return { value: podBody(res, 'GET /v2/pods/{id}'), text: res.text };
  }

  async getPodStatus(id: string): Promise<Answer<PodStatusJson>> {
    const res = await this.http.request('GET', `${appPath('/v2/pods', id)}::status`);
    if (!isObject(res.json) || typeof res.json['id'] !== 'string') {
      throw new ResponseFormatError(`GET /v2/pods/{id}::status: expected a pod status, got: ${res.text.slice(0, 200)}`);
    }
    return { value: res.json as unknown as PodStatusJson, text: res.text };
  }

  /** POST /v2/pods: 201 with the pod; the deployment id is in the `Marathon-Deployment-Id` header. */
  async createPod(body: string, force: boolean): Promise<Answer<PodJson> & { deploymentId: string | undefined }> {
    const res = await this.http.request('POST', '/v2/pods', { body, query: forceQuery(force) });
    return { value: podBody(res, 'POST /v2/pods'), text: res.text, deploymentId: res.headers['marathon-deployment-id'] };
  }

  /** PUT /v2/pods/{id}: a full pod definition; 200 with the pod and the deployment header. */
  async updatePod(id: string, body: string, force: boolean): Promise<Answer<PodJson> & { deploymentId: string | undefined }> {
    const res = await this.http.request('PUT', appPath('/v2/pods', id), { body, query: forceQuery(force) });
    return { value: podBody(res, 'PUT /v2/pods/{id}'), text: res.text, deploymentId: res.headers['marathon-deployment-id'] };
  }

  /** DELETE /v2/pods/{id}: 202 without a body; the deployment id is in the header. */
  async removePod(id: string, force: boolean): Promise<{ deploymentId: string | undefined; text: string }> {
    const res = await this.http.request('DELETE', appPath('/v2/pods', id), { query: forceQuery(force) });
    return { deploymentId: res.headers['marathon-deployment-id'], text: res.text };
  }

  /** DELETE /v2/pods/{id}::instances with the instance ids as a JSON array: the killed instances. */
  async killPodInstances(id: string, instanceIds: readonly string[], wipe: boolean): Promise<Answer<InstanceJson[]>> {
    const res = await this.http.request('DELETE', `${appPath('/v2/pods', id)}::instances`, {
      body: JSON.stringify(instanceIds),
      query: wipe ? { wipe: true } : {},
    });
    if (!Array.isArray(res.json)) throw new ResponseFormatError(`DELETE /v2/pods/{id}::instances: expected a JSON array, got: ${res.text.slice(0, 200)}`);
    return { value: res.json as InstanceJson[], text: res.text };
  }

  async queue(): Promise<Answer<QueueItemJson[]>> {
    const res = await this.http.request('GET', '/v2/queue');
    return { value: list<QueueItemJson>(res, 'GET /v2/queue', 'queue'), text: res.text };
  }
}
