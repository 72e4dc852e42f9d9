/**
 * Task sandboxes through Pacer, for the embedded master and a real Mesos cluster alike.
 *
 * - `GET /pacer/tasks/{taskId}/files/{browse|read|download}?path=stderr[&offset=&length=]`: Pacer
 *   finds the task's agent and executor in the master's `/master/state` and asks that agent's
 *   files API (upstream's `/files/*`, answers relayed as they come) for `path` inside the task's
 *   sandbox, named by upstream's virtual path `/frameworks/<F>/executors/<E>/runs/latest`
 *   (plus `/tasks/<taskId>` for a task of a task group). A task the master no longer knows (the
 *   embedded master after a restart) is looked up in the embedded agents' work directory, whose
 *   sandboxes outlive tasks and restarts until `--gc_delay`.
 * - `GET /agent/{agentId}/files/{browse|read|download|debug}?…`: DC/OS's agent proxy for the
 *   files API, the query passed on unchanged.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Logger } from 'pino';
import { request, type Dispatcher } from 'undici';
import type { FrameworkStatus } from '../../scheduler/contracts.js';

const OPERATIONS = new Set(['browse', 'read', 'download', 'debug']);
const TASK_OPERATIONS = new Set(['browse', 'read', 'download']);
const REQUEST_TIMEOUT_MS = 10_000;

export interface TaskFilesOptions {
  framework: () => FrameworkStatus;
  /** Base URL of the embedded master (and its agents' files API), with `--master local`. */
  embeddedUrl?: string | undefined;
  /** `--mesos_authentication_principal`: sent to the master and agents as HTTP Basic. */
  credentials?: { principal: string; secret: string } | undefined;
  logger: Logger;
}

interface MasterTask {
  id: string;
  framework_id: string;
  executor_id?: string;
  slave_id: string;
}

interface MasterState {
  frameworks?: Array<{ id: string; tasks?: MasterTask[]; completed_tasks?: MasterTask[]; unreachable_tasks?: MasterTask[] }>;
  completed_frameworks?: Array<{ id: string; tasks?: MasterTask[]; completed_tasks?: MasterTask[] }>;
  slaves?: Array<{ id: string; pid?: string; hostname?: string; port?: number }>;
}

/** Where a task's sandbox is served: the agent's base URL and the sandbox's virtual path. */
export interface SandboxLocation {
  agentUrl: string;
  sandbox: string;
  agentId?: string;
}

class FilesRouteError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function taskFilesPlugin(app: FastifyInstance, opts: TaskFilesOptions): Promise<void> {
  const authorization = opts.credentials ? `Basic ${Buffer.from(`${opts.credentials.principal}:${opts.credentials.secret}`).toString('base64')}` : undefined;

  const get = async (url: string): Promise<Dispatcher.ResponseData> =>
    request(url, {
      method: 'GET',
      headers: authorization ? { authorization } : {},
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });

  const masterState = async (): Promise<MasterState | undefined> => {
    const base = masterBase(opts.framework().master) ?? opts.embeddedUrl;
    if (base === undefined) return undefined;
    try {
      const answer = await get(`${base}/master/state`);
      if (answer.statusCode !== 200) {
        await answer.body.dump();
        return undefined;
      }
      return (await answer.body.json()) as MasterState;
    } catch (err) {
      opts.logger.warn({ err, master: base }, 'cannot read the master state to find a sandbox');
      return undefined;
    }
  };

  const locate = async (taskId: string): Promise<SandboxLocation> => {
    const state = await masterState();
    const task = state === undefined ? undefined : findTask(state, taskId);
    if (task !== undefined && state !== undefined) {
      const agentUrl = agentBaseUrl(state, task.slave_id);
      if (agentUrl !== undefined) return { agentUrl, sandbox: sandboxPath(task.framework_id, task.executor_id, taskId), agentId: task.slave_id };
    }
    const frameworkId = task?.framework_id ?? opts.framework().frameworkId;
    if (opts.embeddedUrl !== undefined && frameworkId !== undefined) {
      // Gone from the master (or its agent is): the embedded agents' files API still finds
      // the sandbox on disk. Pacer's command tasks run under an executor named like the task.
      return { agentUrl: opts.embeddedUrl, sandbox: sandboxPath(frameworkId, task?.executor_id, taskId) };
    }
    throw new FilesRouteError(404, `Task '${taskId}' is not known to Mesos: its agent and sandbox cannot be found`);
  };

  const relay = async (reply: FastifyReply, url: string): Promise<FastifyReply> => {
    let answer: Dispatcher.ResponseData;
    try {
      answer = await get(url);
    } catch (err) {
      opts.logger.warn({ err, url }, 'agent files API unreachable');
      return reply.code(502).send({ message: `The agent's files API did not answer: ${(err as Error).message}` });
    }
    reply.code(answer.statusCode);
    for (const name of ['content-type', 'content-disposition', 'content-length']) {
      const value = answer.headers[name];
      if (typeof value === 'string') reply.header(name, value);
    }
    return reply.send(answer.body);
  };

  app.get<{ Params: { taskId: string; op: string }; Querystring: Record<string, string | undefined> }>('/pacer/tasks/:taskId/files/:op', async (req, reply) => {
    const { taskId, op } = req.params;
    if (!TASK_OPERATIONS.has(op)) return reply.code(404).send({ message: `Unknown files operation '${op}': use browse, read or download` });
    const relative = (req.query.path ?? '').replace(/^\/+/, '');
    try {
      const where = await locate(taskId);
      const query = new URLSearchParams();
      query.set('path', relative === '' ? where.sandbox : `${where.sandbox}/${relative}`);
      for (const name of ['offset', 'length']) {
        const value = req.query[name];
        if (value !== undefined) query.set(name, value);
      }
      reply.header('x-pacer-sandbox', where.sandbox);
      if (where.agentId !== undefined) reply.header('x-pacer-agent-id', where.agentId);
      return await relay(reply, `${where.agentUrl}/files/${op}?${query.toString()}`);
    } catch (err) {
      if (err instanceof FilesRouteError) return reply.code(err.status).send({ message: err.message });
      throw err;
    }
  });

  app.get<{ Params: { agentId: string; op: string } }>('/agent/:agentId/files/:op', async (req, reply) => {
    const { agentId, op } = req.params;
    if (!OPERATIONS.has(op)) return reply.code(404).send({ message: `Unknown files operation '${op}'` });
    const state = await masterState();
    const agentUrl = state === undefined ? undefined : agentBaseUrl(state, agentId);
    if (agentUrl === undefined) return reply.code(404).send({ message: `Agent '${agentId}' is not known to Mesos` });
    const search = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    return relay(reply, `${agentUrl}/files/${op}${search}`);
  });
}

/** The master's base URL from the scheduler endpoint Pacer is subscribed to. */
function masterBase(schedulerEndpoint: string | undefined): string | undefined {
  if (schedulerEndpoint === undefined) return undefined;
  return schedulerEndpoint.replace(/\/(master\/)?api\/v1\/scheduler\/?$/, '');
}

function findTask(state: MasterState, taskId: string): MasterTask | undefined {
  const frameworks: Array<{ tasks?: MasterTask[]; completed_tasks?: MasterTask[]; unreachable_tasks?: MasterTask[] }> = [
    ...(state.frameworks ?? []),
    ...(state.completed_frameworks ?? []),
  ];
  for (const fw of frameworks) {
    for (const list of [fw.tasks, fw.completed_tasks, fw.unreachable_tasks]) {
      const found = list?.find((t) => t.id === taskId);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** An agent's address from its libprocess pid (`slave(1)@10.0.0.5:5051`), as Mesos's own UI reads it. */
function agentBaseUrl(state: MasterState, agentId: string): string | undefined {
  const agent = state.slaves?.find((s) => s.id === agentId);
  if (agent === undefined) return undefined;
  const address = agent.pid?.split('@')[1] ?? (agent.hostname !== undefined && agent.port !== undefined ? `${agent.hostname}:${agent.port}` : undefined);
  return address === undefined ? undefined : `http://${address}`;
}

/** Upstream's virtual sandbox path; tasks of a task group live in `tasks/<taskId>` of their executor's sandbox. */
export function sandboxPath(frameworkId: string, executorId: string | undefined, taskId: string): string {
  const executor = executorId === undefined || executorId === '' ? taskId : executorId;
  const base = `/frameworks/${frameworkId}/executors/${executor}/runs/latest`;
  return executor === taskId ? base : `${base}/tasks/${taskId}`;
}

export const taskFilesRoutes = fastifyPlugin(taskFilesPlugin, { name: 'pacer-task-files', fastify: '5.x' });
