/**
 * The v1 operator API (`POST /api/v1`) of `pacer mesos-local` over real HTTP: a framework
 * subscribes through the scheduler API and launches two tasks on simulated agents, kills one,
 * and the operator calls then describe frameworks, tasks, agents and state with upstream's
 * field names; refusals carry upstream's status codes and messages.
 */
import path from 'node:path';
import { pino } from 'pino';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMesosLocal, type MesosLocalHandle } from '../../src/local/index.js';
import { PROTO_ROOT_DIR } from '../../src/mesos/codec.js';
import type { RawRecordReader } from '../helpers/raw-recordio.js';
import { postJson, rawRequest, subscribeJson, type OpenStream, type RawResponse } from './wire-client.js';

type Json = Record<string, any>;

const logger = pino({ level: 'silent' });
const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' };

let local: MesosLocalHandle;
let stream: OpenStream;
let frameworkId: string;
let agentIds: string[];

function operator(body: unknown, headers: Record<string, string> = JSON_HEADERS, path = '/api/v1'): Promise<RawResponse> {
  return rawRequest(local.url, { path, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

async function operatorJson(type: string): Promise<Json> {
  const res = await operator({ type });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('application/json');
  return JSON.parse(res.text) as Json;
}

/** master.proto read with protobufjs itself, so the server's own codec is not checking itself. */
function loadMasterProto(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_ROOT_DIR, target));
  root.loadSync('mesos/v1/master/master.proto', { keepCase: true });
  root.resolveAll();
  return root;
}

const masterProto = loadMasterProto();
const ProtoCall = masterProto.lookupType('mesos.v1.master.Call');
const ProtoResponse = masterProto.lookupType('mesos.v1.master.Response');
const PROTOBUF_HEADERS = { 'Content-Type': 'application/x-protobuf', Accept: 'application/x-protobuf' };

function protobufCall(call: Json): Buffer {
  const message = ProtoCall.fromObject(call);
  expect(ProtoCall.verify(message)).toBeNull();
  return Buffer.from(ProtoCall.encode(message).finish());
}

function operatorProtobuf(body: Buffer, headers: Record<string, string> = PROTOBUF_HEADERS): Promise<RawResponse> {
  return rawRequest(local.url, { path: '/api/v1', headers, body });
}

/** A protobuf Response in the JSON mapping: enum names, 64-bit integers as numbers, bytes as base64. */
function decodeResponse(bytes: Buffer): Json {
  return ProtoResponse.toObject(ProtoResponse.decode(bytes), { enums: String, longs: Number, bytes: String });
}

/** The JSON answer as protobuf carries it: an empty repeated field is simply absent on the wire. */
function withoutEmptyLists(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyLists);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, field]) => !(Array.isArray(field) && field.length === 0))
      .map(([name, field]) => [name, withoutEmptyLists(field)]),
  );
}

/** Reads (and acknowledges) status updates until every task in `states` reached its state. */
async function awaitStates(records: RawRecordReader, streamId: string, states: Record<string, string>): Promise<void> {
  const waiting = new Set(Object.keys(states));
  while (waiting.size > 0) {
    const status = ((await records.nextJsonWhere((e) => e.type === 'UPDATE')) as Json).update.status as Json;
    if (status.uuid !== undefined) await acknowledge(streamId, status);
    if (states[status.task_id.value] === status.state) waiting.delete(status.task_id.value);
  }
}

function task(taskId: string, agentId: string): Json {
  return {
    name: taskId,
    task_id: { value: taskId },
    agent_id: { value: agentId },
    command: { value: 'sleep 1000' },
    labels: { labels: [{ key: 'owner', value: 'operator-test' }] },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 64 } },
    ],
  };
}

async function schedulerCall(streamId: string, body: Json): Promise<void> {
  const res = await postJson(local.url, { framework_id: { value: frameworkId }, ...body }, { 'Mesos-Stream-Id': streamId });
  expect(res.status).toBe(202);
}

async function acknowledge(streamId: string, status: Json): Promise<void> {
  await schedulerCall(streamId, {
    type: 'ACKNOWLEDGE',
    acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid },
  });
}

beforeAll(async () => {
  local = await startMesosLocal(
    {
      ip: '127.0.0.1',
      port: 0,
      agents: 0,
      simulatedAgents: 2,
      agentResources: 'cpus:2;mem:1024;disk:1000;ports:[31000-31009]',
      allocationIntervalMs: 50,
    },
    logger,
  );
  agentIds = local.agents.map((a) => a.id);
  const subscribed = await subscribeJson(local.url, 'operator-api-test', { roles: ['ops'], capabilities: [{ type: 'MULTI_ROLE' }] });
  stream = subscribed.stream;
  frameworkId = subscribed.frameworkId;
  const offersEvent = (await stream.records.nextJsonWhere((e) => e.type === 'OFFERS')) as Json;
  const offer = offersEvent.offers.offers[0] as Json;
  await schedulerCall(subscribed.streamId, {
    type: 'ACCEPT',
    accept: {
      offer_ids: [offer.id],
      operations: [{ type: 'LAUNCH', launch: { task_infos: [task('keeps-running', offer.agent_id.value), task('gets-killed', offer.agent_id.value)] } }],
      filters: { refuse_seconds: 0 },
    },
  });
  await awaitStates(stream.records, subscribed.streamId, { 'keeps-running': 'TASK_RUNNING', 'gets-killed': 'TASK_RUNNING' });
  await schedulerCall(subscribed.streamId, { type: 'KILL', kill: { task_id: { value: 'gets-killed' } } });
  await awaitStates(stream.records, subscribed.streamId, { 'gets-killed': 'TASK_KILLED' });
  // The terminal acknowledgement moves the task to completed; a bounded wait for the master.
  for (let i = 0; i < 100 && local.master.task(frameworkId, 'gets-killed') !== undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
});

afterAll(async () => {
  stream?.close();
  await local?.close();
});

describe('operator API calls', () => {
  it('GET_HEALTH says healthy, on /api/v1 and /master/api/v1', async () => {
    expect(await operatorJson('GET_HEALTH')).toEqual({ type: 'GET_HEALTH', get_health: { healthy: true } });
    const res = await operator({ type: 'GET_HEALTH' }, JSON_HEADERS, '/master/api/v1');
    expect(JSON.parse(res.text)).toEqual({ type: 'GET_HEALTH', get_health: { healthy: true } });
  });

  it('GET_VERSION carries the /version data as version_info', async () => {
    const version = JSON.parse((await rawRequest(local.url, { method: 'GET', path: '/version' })).text) as Json;
    expect(await operatorJson('GET_VERSION')).toEqual({ type: 'GET_VERSION', get_version: { version_info: version } });
    expect(version.version).toBe(local.masterInfo.version);
  });

  it('GET_FLAGS lists the master flags as name/value pairs sorted by name', async () => {
    const body = await operatorJson('GET_FLAGS');
    expect(body.type).toBe('GET_FLAGS');
    const flags = body.get_flags.flags as { name: string; value: string }[];
    expect(flags.map((f) => f.name)).toEqual([...flags.map((f) => f.name)].sort());
    expect(flags).toContainEqual({ name: 'port', value: String(local.masterInfo.port) });
    expect(flags).toContainEqual({ name: 'allocation_interval', value: '0.05secs' });
  });

  it('GET_MASTER returns the MasterInfo with start and elected times in seconds', async () => {
    const body = await operatorJson('GET_MASTER');
    expect(body.type).toBe('GET_MASTER');
    expect(body.get_master.master_info).toEqual(local.masterInfo);
    expect(body.get_master.start_time).toBeGreaterThan(1e9);
    expect(body.get_master.start_time).toBeLessThan(1e11);
    expect(body.get_master.elected_time).toBe(body.get_master.start_time);
  });

  it('GET_FRAMEWORKS shows the subscribed framework with its info, state and resources', async () => {
    const body = await operatorJson('GET_FRAMEWORKS');
    expect(body.type).toBe('GET_FRAMEWORKS');
    expect(body.get_frameworks.completed_frameworks).toEqual([]);
    const [fw] = body.get_frameworks.frameworks as Json[];
    expect(body.get_frameworks.frameworks).toHaveLength(1);
    expect(fw!.framework_info).toMatchObject({
      id: { value: frameworkId },
      name: 'operator-api-test',
      user: 'tester',
      roles: ['ops'],
      failover_timeout: 0,
      checkpoint: false,
    });
    expect(fw).toMatchObject({ active: true, connected: true, recovered: false });
    expect(fw!.registered_time.nanoseconds).toBeGreaterThan(1e18);
    // The running task's cpus are allocated to the framework's role.
    const cpus = (fw!.allocated_resources as Json[]).find((r) => r.name === 'cpus');
    expect(cpus).toMatchObject({ type: 'SCALAR', scalar: { value: 0.5 }, allocation_info: { role: 'ops' } });
  });

  it('GET_TASKS lists the running task and the killed one as Task messages', async () => {
    const body = await operatorJson('GET_TASKS');
    expect(body.type).toBe('GET_TASKS');
    expect(Object.keys(body.get_tasks)).toEqual(['tasks', 'unreachable_tasks', 'completed_tasks']);
    const running = body.get_tasks.tasks as Json[];
    expect(running).toHaveLength(1);
    expect(running[0]).toMatchObject({
      name: 'keeps-running',
      task_id: { value: 'keeps-running' },
      framework_id: { value: frameworkId },
      state: 'TASK_RUNNING',
      labels: { labels: [{ key: 'owner', value: 'operator-test' }] },
    });
    expect(agentIds).toContain(running[0]!.agent_id.value);
    expect(running[0]!.statuses.map((s: Json) => s.state)).toContain('TASK_RUNNING');
    expect((running[0]!.resources as Json[]).map((r) => r.name).sort()).toEqual(['cpus', 'mem']);
    const completed = body.get_tasks.completed_tasks as Json[];
    expect(completed.map((t) => [t.task_id.value, t.state])).toEqual([['gets-killed', 'TASK_KILLED']]);
    expect(body.get_tasks.unreachable_tasks).toEqual([]);
  });

  it('GET_AGENTS lists every agent with its info and what is allocated on it', async () => {
    const body = await operatorJson('GET_AGENTS');
    expect(body.type).toBe('GET_AGENTS');
    expect(body.get_agents.recovered_agents).toEqual([]);
    const agents = body.get_agents.agents as Json[];
    expect(agents.map((a) => a.agent_info.id.value).sort()).toEqual([...agentIds].sort());
    for (const agent of agents) {
      expect(agent).toMatchObject({ active: true, deactivated: false, version: local.masterInfo.version });
      expect(agent.registered_time.nanoseconds).toBeGreaterThan(1e18);
      expect((agent.total_resources as Json[]).find((r) => r.name === 'cpus')?.scalar.value).toBe(2);
      expect(agent.capabilities).toContainEqual({ type: 'MULTI_ROLE' });
    }
    const running = (await operatorJson('GET_TASKS')).get_tasks.tasks[0] as Json;
    const host = agents.find((a) => a.agent_info.id.value === running.agent_id.value) as Json;
    const allocatedCpus = (host.allocated_resources as Json[]).find((r) => r.name === 'cpus');
    expect(allocatedCpus).toMatchObject({ scalar: { value: 0.5 }, allocation_info: { role: 'ops' } });
  });

  it('GET_STATE combines tasks, executors, frameworks and agents', async () => {
    const body = await operatorJson('GET_STATE');
    expect(body.type).toBe('GET_STATE');
    expect(Object.keys(body.get_state)).toEqual(['get_tasks', 'get_executors', 'get_frameworks', 'get_agents']);
    expect(body.get_state.get_tasks.tasks.map((t: Json) => t.task_id.value)).toEqual(['keeps-running']);
    expect(body.get_state.get_executors).toEqual({ executors: [] });
    expect(body.get_state.get_frameworks.frameworks[0].framework_info.id.value).toBe(frameworkId);
    expect(body.get_state.get_agents.agents).toHaveLength(2);
  });

  it('GET_ROLES reports the framework role with its allocation', async () => {
    const body = await operatorJson('GET_ROLES');
    const ops = (body.get_roles.roles as Json[]).find((r) => r.name === 'ops');
    expect(ops).toMatchObject({ name: 'ops', weight: 1, frameworks: [{ value: frameworkId }] });
    const cpus = (ops!.resources as Json[]).find((r) => r.name === 'cpus');
    expect(cpus?.scalar.value).toBeGreaterThanOrEqual(0.5);
  });
});

describe('operator API refusals', () => {
  it('answers 405 to other methods', async () => {
    const res = await rawRequest(local.url, { method: 'GET', path: '/api/v1' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.text).toBe("405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'.");
  });

  it('answers 400 without a Content-Type and 415 for an unsupported one', async () => {
    const missing = await operator({ type: 'GET_HEALTH' }, {});
    expect(missing.status).toBe(400);
    expect(missing.text).toBe("Expecting 'Content-Type' to be present");
    // Compared exactly, as upstream compares it.
    for (const contentType of ['text/plain', 'application/json; charset=utf-8', 'application/X-PROTOBUF']) {
      const res = await operator({ type: 'GET_HEALTH' }, { 'Content-Type': contentType });
      expect(res.status).toBe(415);
      expect(res.text).toBe("Expecting 'Content-Type' of application/json or application/x-protobuf");
    }
  });

  it('answers 400 for bodies that are not a master::Call', async () => {
    const notJson = await operator('{"type":');
    expect(notJson.status).toBe(400);
    expect(notJson.text).toMatch(/^Failed to parse body into JSON: /);

    // `type` is optional: stout drops a name it does not know, so the type is then missing.
    const badEnum = await operator({ type: 'LAUNCH_ROCKETS' });
    expect(badEnum.status).toBe(400);
    expect(badEnum.text).toBe("Failed to validate master::Call: Expecting 'type' to be present");

    const badKind = await operator({ type: 9 });
    expect(badKind.text).toBe("Failed to convert JSON into Call protobuf: Not expecting a JSON number for field 'type'");

    const noType = await operator({});
    expect(noType.status).toBe(400);
    expect(noType.text).toBe("Failed to validate master::Call: Expecting 'type' to be present");

    const noPayload = await operator({ type: 'TEARDOWN' });
    expect(noPayload.status).toBe(400);
    expect(noPayload.text).toBe("Failed to validate master::Call: Expecting 'teardown' to be present");
  });

  it('validates before it negotiates, and answers 406 when Accept refuses JSON and protobuf', async () => {
    const invalid = await operator({}, { 'Content-Type': 'application/json', Accept: 'text/html' });
    expect(invalid.status).toBe(400);
    for (const accept of ['text/html', 'application/json;q=0, application/x-protobuf;q=0']) {
      const refused = await operator({ type: 'GET_HEALTH' }, { 'Content-Type': 'application/json', Accept: accept });
      expect(refused.status).toBe(406);
      expect(refused.text).toBe("Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'");
    }
  });

  it('answers UNKNOWN with 501 as upstream, and names calls this master does not implement', async () => {
    const unknown = await operator({ type: 'UNKNOWN' });
    expect(unknown.status).toBe(501);
    expect(unknown.text).toBe('501 Not Implemented.');

    const teardown = await operator({ type: 'TEARDOWN', teardown: { framework_id: { value: frameworkId } } });
    expect(teardown.status).toBe(501);
    expect(teardown.text).toMatch(/^The operator API call TEARDOWN is not implemented by this master; it answers GET_HEALTH, /);
    // Nothing happened to the framework.
    expect(local.master.frameworkIds()).toEqual([frameworkId]);

    const subscribe = await operator({ type: 'SUBSCRIBE' });
    expect(subscribe.status).toBe(501);
    expect(subscribe.text).toContain('SUBSCRIBE');
  });
});

describe('operator API in protobuf', () => {
  it('answers a protobuf GET_STATE with the same Response the JSON call gets', async () => {
    // Offers come and go every allocation interval; compare only between two equal JSON answers.
    let compared = false;
    for (let attempt = 0; attempt < 10 && !compared; attempt++) {
      const before = await operatorJson('GET_STATE');
      const res = await operatorProtobuf(protobufCall({ type: 'GET_STATE' }));
      const after = await operatorJson('GET_STATE');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/x-protobuf');
      if (JSON.stringify(before) !== JSON.stringify(after)) continue;
      const decoded = decodeResponse(res.body);
      expect(decoded).toEqual(withoutEmptyLists(before));
      expect(decoded.get_state.get_tasks.tasks[0].task_id).toEqual({ value: 'keeps-running' });
      compared = true;
    }
    expect(compared).toBe(true);
  });

  it('answers each supported call in protobuf, matching its JSON answer', async () => {
    for (const type of ['GET_HEALTH', 'GET_VERSION', 'GET_FLAGS', 'GET_MASTER', 'GET_TASKS', 'GET_EXECUTORS']) {
      const res = await operatorProtobuf(protobufCall({ type }));
      expect(res.status).toBe(200);
      expect(decodeResponse(res.body)).toEqual(withoutEmptyLists(await operatorJson(type)));
    }
  });

  it('answers a JSON call in protobuf when Accept admits only protobuf', async () => {
    const res = await operator({ type: 'GET_HEALTH' }, { 'Content-Type': 'application/json', Accept: 'application/x-protobuf' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    expect(decodeResponse(res.body)).toEqual({ type: 'GET_HEALTH', get_health: { healthy: true } });
  });

  it('answers a protobuf call in JSON when Accept admits JSON, as upstream prefers it', async () => {
    const negotiations: Record<string, string>[] = [
      { 'Content-Type': 'application/x-protobuf' },
      { 'Content-Type': 'application/x-protobuf', Accept: 'application/x-protobuf, application/json' },
    ];
    for (const headers of negotiations) {
      const res = await operatorProtobuf(protobufCall({ type: 'GET_HEALTH' }), headers);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json');
      expect(JSON.parse(res.text)).toEqual({ type: 'GET_HEALTH', get_health: { healthy: true } });
    }
  });

  it('answers 400 with upstream message for a body that is not a Call protobuf', async () => {
    const malformed = [
      Buffer.from([0x08]), // a varint cut short
      Buffer.from([0x0a, 0x05, 0x01]), // a length past the end
      Buffer.from([0x0f]), // wire type 7 does not exist
      // TEARDOWN whose payload lacks its required framework_id: proto2 parsing fails.
      Buffer.from([0x08, 31, 0x82, 0x01, 0x00]),
    ];
    for (const body of malformed) {
      const res = await operatorProtobuf(body);
      expect(res.status).toBe(400);
      expect(res.text).toBe('Failed to parse body into Call protobuf');
    }
  });

  it('validates a protobuf Call as a JSON one', async () => {
    // A type number this version does not know is left out by a proto2 parser.
    const unknownType = await operatorProtobuf(Buffer.from([0x08, 99]));
    expect(unknownType.status).toBe(400);
    expect(unknownType.text).toBe("Failed to validate master::Call: Expecting 'type' to be present");

    const noPayload = await operatorProtobuf(protobufCall({ type: 'TEARDOWN' }));
    expect(noPayload.status).toBe(400);
    expect(noPayload.text).toBe("Failed to validate master::Call: Expecting 'teardown' to be present");

    const teardown = await operatorProtobuf(protobufCall({ type: 'TEARDOWN', teardown: { framework_id: { value: frameworkId } } }));
    expect(teardown.status).toBe(501);
    expect(local.master.frameworkIds()).toEqual([frameworkId]);

    const unknown = await operatorProtobuf(protobufCall({ type: 'UNKNOWN' }));
    expect(unknown.status).toBe(501);
    expect(unknown.text).toBe('501 Not Implemented.');
  });
});
