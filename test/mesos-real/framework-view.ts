/**
 * What a framework sees of a master, gathered with a raw v1 scheduler client (test/local/
 * wire-client.ts: plain node:http and an independent RecordIO reader, nothing from src/mesos),
 * and normalised so that two masters — `pacer mesos-local` and a real Mesos — can be compared:
 * ids, timestamps, uuids, hostnames, ports and numbers become placeholders; keys, states,
 * reasons, sources, messages, status codes and shapes stay.
 */
import { openStream, postJson, rawRequest, type OpenStream, type RawResponse } from '../local/wire-client.js';

type Json = Record<string, any>;

const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' };

/** A subscribed raw framework: its stream, ids, and every UPDATE it received (acknowledged). */
export class RawFramework {
  readonly updates: Json[] = [];
  readonly offers: Json[] = [];
  private readonly waiters: Array<() => void> = [];
  private closed = false;

  private constructor(
    readonly base: string,
    readonly stream: OpenStream,
    readonly frameworkId: string,
    readonly streamId: string,
    readonly subscribed: Json,
    readonly headers: Record<string, unknown>,
  ) {}

  /** SUBSCRIBE with JSON; `capabilities` e.g. ['PARTITION_AWARE', 'TASK_KILLING_STATE']. */
  static async subscribe(
    base: string,
    name: string,
    options: { capabilities?: string[]; authorization?: string; roles?: string[] } = {},
  ): Promise<RawFramework> {
    const info: Json = {
      user: 'root',
      name,
      failover_timeout: 0,
      capabilities: (options.capabilities ?? ['PARTITION_AWARE', 'TASK_KILLING_STATE']).map((type) => ({ type })),
    };
    const headers: Record<string, string> = { ...JSON_HEADERS };
    if (options.authorization !== undefined) headers.Authorization = options.authorization;
    const stream = await openStream(base, {
      headers,
      body: JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: info } }),
    });
    if (stream.status !== 200) throw new Error(`SUBSCRIBE answered ${stream.status}: ${await stream.text()}`);
    const subscribed = (await stream.records.nextJson(30_000)) as Json;
    if (subscribed.type !== 'SUBSCRIBED') throw new Error(`first event was ${String(subscribed.type)}`);
    const framework = new RawFramework(base, stream, subscribed.subscribed.framework_id.value, String(stream.headers['mesos-stream-id']), subscribed, {
      ...stream.headers,
    });
    void framework.pump();
    return framework;
  }

  /** Every event after SUBSCRIBED, in order (HEARTBEATs included). */
  readonly events: Json[] = [];

  private async pump(): Promise<void> {
    while (!this.closed) {
      let event: Json;
      try {
        event = await this.stream.records.nextJson(3_600_000);
      } catch {
        return;
      }
      this.events.push(event);
      if (event.type === 'OFFERS') this.offers.push(...(event.offers.offers as Json[]));
      if (event.type === 'RESCIND') {
        const id = event.rescind.offer_id.value;
        const index = this.offers.findIndex((o) => o.id.value === id);
        if (index >= 0) this.offers.splice(index, 1);
      }
      if (event.type === 'UPDATE') {
        const status = event.update.status as Json;
        this.updates.push(status);
        if (status.uuid !== undefined) {
          await this.call({
            type: 'ACKNOWLEDGE',
            acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid },
          }).catch(() => undefined);
        }
      }
      for (const wake of this.waiters.splice(0)) wake();
    }
  }

  /** Waits (bounded) until `probe` holds over what has arrived. */
  async until<T>(what: string, probe: () => T | undefined, timeoutMs = 120_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; updates: ${JSON.stringify(this.updates.map((u) => [u.task_id.value, u.state]))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 500);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /**
   * A call on this framework's stream: framework_id and Mesos-Stream-Id added. `timeoutMs` for
   * calls a busy unoptimised master answers slowly (one actor serves HTTP and works the ACCEPT).
   */
  call(body: Json, headers: Record<string, string> = {}, timeoutMs?: number): Promise<RawResponse> {
    return postJson(this.base, { framework_id: { value: this.frameworkId }, ...body }, { 'Mesos-Stream-Id': this.streamId, ...headers }, timeoutMs);
  }

  /** Takes (removes) one outstanding offer per distinct agent, waiting for `agents` of them. */
  async takeOffers(agents: number): Promise<Json[]> {
    const byAgent = await this.until(`offers from ${agents} agents`, () => {
      const seen = new Map<string, Json>();
      for (const offer of this.offers) if (!seen.has(offer.agent_id.value)) seen.set(offer.agent_id.value, offer);
      return seen.size >= agents ? [...seen.values()].slice(0, agents) : undefined;
    });
    for (const offer of byAgent) this.offers.splice(this.offers.indexOf(offer), 1);
    return byAgent;
  }

  updatesOf(taskId: string): Json[] {
    return this.updates.filter((u) => u.task_id.value === taskId);
  }

  async teardown(): Promise<void> {
    await this.call({ type: 'TEARDOWN' }, {}, 60_000).catch(() => undefined);
    this.close();
  }

  close(): void {
    this.closed = true;
    this.stream.close();
  }
}

/** cpus/mem/disk resources of role '*' (what both masters accept in a LAUNCH). */
export function scalarResources(cpus: number, mem: number, disk?: number): Json[] {
  const scalar = (name: string, value: number): Json => ({ name, type: 'SCALAR', scalar: { value } });
  return [scalar('cpus', cpus), scalar('mem', mem), ...(disk === undefined ? [] : [scalar('disk', disk)])];
}

/** A command TaskInfo for the offer's agent. */
export function commandTask(id: string, offer: Json, command: string, resources = scalarResources(0.1, 32)): Json {
  return { name: id, task_id: { value: id }, agent_id: offer.agent_id, resources, command: { value: command, shell: true } };
}

export function launchCall(offers: Json[], tasks: Json[]): Json {
  return {
    type: 'ACCEPT',
    accept: {
      offer_ids: offers.map((o) => o.id),
      operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }],
      filters: { refuse_seconds: 1 },
    },
  };
}

// ---- Normalisation -------------------------------------------------------------------------

/** The shape of a JSON value: objects keep their (sorted) keys, leaves become their type. */
export function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) {
    // Every element's shape, merged: an array's shape is the union of its elements' keys.
    return value.length === 0 ? [] : [mergeShapes(value.map(shapeOf))];
  }
  if (value !== null && typeof value === 'object') {
    const out: Json = {};
    for (const key of Object.keys(value).sort()) out[key] = shapeOf((value as Json)[key]);
    return out;
  }
  return typeof value;
}

function mergeShapes(shapes: unknown[]): unknown {
  const objects = shapes.filter((s): s is Json => s !== null && typeof s === 'object' && !Array.isArray(s));
  if (objects.length !== shapes.length) return shapes[0];
  const merged: Json = {};
  for (const shape of objects) for (const key of Object.keys(shape)) merged[key] = key in merged ? mergeShapes([merged[key], shape[key]]) : shape[key];
  return Object.fromEntries(
    Object.keys(merged)
      .sort()
      .map((k) => [k, merged[k]]),
  );
}

/** Sorted keys of an object (what a UI or tool can read from it). */
export function keysOf(value: unknown): string[] {
  return value !== null && typeof value === 'object' ? Object.keys(value).sort() : [];
}

/** A status update as compared: state, source, reason, whether it has a message, and its keys. */
export function statusView(status: Json): Json {
  return {
    state: status.state,
    source: status.source,
    reason: status.reason,
    message: status.message === undefined ? undefined : normaliseText(String(status.message)),
    keys: keysOf(status),
  };
}

const RESOURCE_TEXT = String.raw`\w+\([^)]*\):(?:\[[^\]]*\]|[^;\s]+)`;
const RESOURCE_LIST = new RegExp(`${RESOURCE_TEXT}(?:; ${RESOURCE_TEXT})+`, 'g');

/**
 * Replaces ids, numbers, paths and addresses in a message with placeholders, and sorts resource
 * lists such as `cpus(allocated: *):1; mem(allocated: *):32`: upstream's order is an artefact of
 * its resource arithmetic (a removed entry is swapped with the last one), not part of the API.
 */
export function normaliseText(text: string): string {
  return text
    .replace(RESOURCE_LIST, (list) => list.split('; ').sort().join('; '))
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(-[SO]?\d+)?/gi, '<id>')
    .replace(/127\.0\.0\.1:\d+/g, '<address>')
    .replace(/(?<![\w>])(\/[\w.@-]+)+/g, '<path>')
    .replace(/\d+(\.\d+)?/g, '<n>');
}

/** The answer to a bad call as compared: status, and the body text normalised. */
export function answerView(answer: RawResponse): { status: number; body: string } {
  return { status: answer.status, body: normaliseText(answer.text.trim()) };
}

/** Sends a raw request to /api/v1/scheduler. */
export function rawCall(base: string, body: string | undefined, headers: Record<string, string>, method = 'POST'): Promise<RawResponse> {
  return rawRequest(base, { method, headers, ...(body === undefined ? {} : { body }) });
}

/**
 * Where two normalised values differ, as readable lines `path: local=… real=…`; empty when equal.
 * Arrays compare element by element; objects key by key (a missing key shows as undefined).
 */
export function differences(local: unknown, real: unknown, at = ''): string[] {
  if (JSON.stringify(local) === JSON.stringify(real)) return [];
  const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object';
  const isKeyList = (v: unknown): v is string[] => Array.isArray(v) && v.every((k) => typeof k === 'string');
  if (isKeyList(local) && isKeyList(real) && local.length + real.length > 0) {
    // Key lists: say which keys one side lacks, not which index differs.
    const lacking = real.filter((k) => !local.includes(k));
    const extra = local.filter((k) => !real.includes(k));
    return [
      `${at}: ${lacking.length > 0 ? `local lacks ${lacking.join(',')}` : ''}${lacking.length > 0 && extra.length > 0 ? '; ' : ''}${extra.length > 0 ? `local adds ${extra.join(',')}` : ''}`,
    ];
  }
  if (isObject(local) && isObject(real) && Array.isArray(local) === Array.isArray(real)) {
    const keys = Array.isArray(local)
      ? [...Array(Math.max(local.length, (real as unknown[]).length)).keys()].map(String)
      : [...new Set([...Object.keys(local), ...Object.keys(real)])].sort();
    return keys.flatMap((key) => differences(local[key], real[key], at === '' ? key : `${at}.${key}`));
  }
  return [`${at}: local=${JSON.stringify(local)} real=${JSON.stringify(real)}`];
}
