import { existsSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { CodecError, codecFor, decodeMessage, encodeMessage, parseMediaType, PROTO_ROOT_DIR, validateMessage, type MediaType } from '../../src/mesos/codec.js';
import type { Call, Event, MasterInfo, Offer, Resource, TaskInfo } from '../../src/mesos/types.js';

const json = codecFor('application/json');
const proto = codecFor('application/x-protobuf');

const TWO_POW_40 = 2 ** 40;
const UUID_BASE64 = Buffer.from('8d3f5c1e9a7b4e2f8c6d1a0b3e5f7a9c', 'hex').toString('base64');

const frameworkId = { value: '5a1f6b0e-3c2d-4e8f-9a7b-1c2d3e4f5a6b-0001' };
const agentId = { value: '9f8e7d6c-5b4a-3210-fedc-ba9876543210-S3' };

const subscribe: Call = {
  type: 'SUBSCRIBE',
  subscribe: {
    framework_info: {
      user: 'pacer',
      name: 'pacer',
      id: frameworkId,
      failover_timeout: 604800,
      checkpoint: true,
      roles: ['pacer', 'slave_public'],
      hostname: 'pacer-1.example.internal',
      principal: 'pacer-principal',
      webui_url: 'http://pacer-1.example.internal:8080',
      capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }, { type: 'REGION_AWARE' }],
      labels: { labels: [{ key: 'team', value: 'infra' }, { key: 'flag' }] },
    },
    suppressed_roles: ['slave_public'],
  },
};

const ports: Resource = {
  name: 'ports',
  type: 'RANGES',
  ranges: {
    range: [
      { begin: 31000, end: 31000 },
      { begin: TWO_POW_40, end: TWO_POW_40 + 7 },
    ],
  },
  allocation_info: { role: 'pacer' },
  reservations: [{ type: 'DYNAMIC', role: 'pacer', principal: 'pacer-principal', labels: { labels: [{ key: 'k', value: 'v' }] } }],
};

const task: TaskInfo = {
  name: 'web.instance-1',
  task_id: { value: 'web.instance-1f9c.1' },
  agent_id: agentId,
  resources: [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.25 }, allocation_info: { role: 'pacer' } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 128 }, role: '*', allocation_info: { role: 'pacer' } },
    ports,
  ],
  command: {
    shell: false,
    value: '/bin/server',
    arguments: ['/bin/server', '--port', '8080'],
    environment: { variables: [{ name: 'PORT0', type: 'VALUE', value: '31000' }] },
    uris: [{ value: 'https://example.com/app.tgz', extract: true, cache: false }],
  },
  container: {
    type: 'DOCKER',
    docker: {
      image: 'nginx:1.27',
      network: 'BRIDGE',
      port_mappings: [{ host_port: 31000, container_port: 80, protocol: 'tcp' }],
      privileged: false,
      parameters: [{ key: 'label', value: 'a=b' }],
      force_pull_image: true,
    },
    volumes: [{ mode: 'RW', container_path: '/data', host_path: '/var/data' }],
  },
  health_check: {
    type: 'HTTP',
    http: { protocol: 'IPv4', scheme: 'http', port: 31000, path: '/health', statuses: [200, 204] },
    delay_seconds: 15,
    interval_seconds: 10,
    timeout_seconds: 20,
    consecutive_failures: 3,
    grace_period_seconds: 300,
  },
  kill_policy: { grace_period: { nanoseconds: 5 * 10 ** 12 } },
  labels: { labels: [{ key: 'MARATHON_APP_ID', value: '/web' }] },
  discovery: { visibility: 'FRAMEWORK', name: 'web', ports: { ports: [{ number: 31000, name: 'http', protocol: 'tcp' }] } },
  limits: { cpus: { value: 1 }, mem: { value: 256 } },
};

const accept: Call = {
  framework_id: frameworkId,
  type: 'ACCEPT',
  accept: {
    offer_ids: [{ value: 'offer-1' }, { value: 'offer-2' }],
    operations: [{ type: 'LAUNCH', launch: { task_infos: [task] } }],
    filters: { refuse_seconds: 1 },
  },
};

const otherCalls: Call[] = [
  { framework_id: frameworkId, type: 'DECLINE', decline: { offer_ids: [{ value: 'offer-3' }], filters: { refuse_seconds: 5 } } },
  { framework_id: frameworkId, type: 'ACKNOWLEDGE', acknowledge: { agent_id: agentId, task_id: task.task_id, uuid: UUID_BASE64 } },
  { framework_id: frameworkId, type: 'RECONCILE', reconcile: { tasks: [{ task_id: task.task_id, agent_id: agentId }] } },
  { framework_id: frameworkId, type: 'REVIVE', revive: { roles: ['pacer'] } },
  { framework_id: frameworkId, type: 'SUPPRESS', suppress: { roles: ['pacer'] } },
  { framework_id: frameworkId, type: 'KILL', kill: { task_id: task.task_id, agent_id: agentId, kill_policy: { grace_period: { nanoseconds: 3e9 } } } },
  { framework_id: frameworkId, type: 'TEARDOWN' },
];

const masterInfo: MasterInfo = {
  id: 'master-7c1d',
  ip: 16777343,
  port: 5050,
  pid: 'master@127.0.0.1:5050',
  hostname: 'localhost',
  version: '1.11.0',
  address: { hostname: 'localhost', ip: '127.0.0.1', port: 5050 },
  domain: { fault_domain: { region: { name: 'eu-west-1' }, zone: { name: 'eu-west-1b' } } },
  capabilities: [{ type: 'AGENT_UPDATE' }],
};

const subscribed: Event = {
  type: 'SUBSCRIBED',
  subscribed: { framework_id: frameworkId, heartbeat_interval_seconds: 15, master_info: masterInfo },
};

function offer(index: number): Offer {
  return {
    id: { value: `offer-${index}` },
    framework_id: frameworkId,
    agent_id: { value: `agent-${index}` },
    hostname: `agent-${index}.example.internal`,
    url: {
      scheme: 'http',
      address: { hostname: `agent-${index}.example.internal`, ip: '10.0.0.7', port: 5051 },
      path: '/slave(1)',
      query: [{ key: 'x', value: 'y' }],
    },
    domain: { fault_domain: { region: { name: 'us-east-1' }, zone: { name: `us-east-1${'abc'[index % 3]}` } } },
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 7.5 }, role: '*' }, ports],
    attributes: [
      { name: 'rack', type: 'TEXT', text: { value: `r${index}` } },
      { name: 'generation', type: 'SCALAR', scalar: { value: 3 } },
      { name: 'tags', type: 'SET', set: { item: ['ssd', 'gpu'] } },
      { name: 'slots', type: 'RANGES', ranges: { range: [{ begin: 1, end: 4 }] } },
    ],
    executor_ids: [{ value: 'exec-1' }],
    allocation_info: { role: 'pacer' },
  };
}

const offers: Event = { type: 'OFFERS', offers: { offers: [offer(0), offer(1), offer(2)] } };

const update: Event = {
  type: 'UPDATE',
  update: {
    status: {
      task_id: task.task_id,
      state: 'TASK_FAILED',
      message: 'Container exited with status 137 — killed (OOM)',
      source: 'SOURCE_EXECUTOR',
      reason: 'REASON_CONTAINER_LIMITATION_MEMORY',
      agent_id: agentId,
      executor_id: { value: 'web.instance-1f9c.1' },
      timestamp: 1732694400.123456,
      uuid: UUID_BASE64,
      healthy: false,
      data: Buffer.from([0, 255, 1, 254]).toString('base64'),
      container_status: {
        container_id: { value: 'child', parent: { value: 'parent' } },
        network_infos: [{ ip_addresses: [{ protocol: 'IPv4', ip_address: '10.0.0.7' }] }],
        executor_pid: 4242,
      },
    },
  },
};

const error: Event = { type: 'ERROR', error: { message: 'Framework has been removed' } };
const heartbeat: Event = { type: 'HEARTBEAT' };

const MEDIA_TYPES: MediaType[] = ['application/json', 'application/x-protobuf'];

/** protobufjs' own decode + toObject, as an independent reference for Pacer's one-pass decoder. */
const referenceRoot = new protobuf.Root();
referenceRoot.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_ROOT_DIR, target));
referenceRoot.loadSync('mesos/v1/scheduler/scheduler.proto', { keepCase: true });

function referenceDecode(typeName: string, bytes: Uint8Array): unknown {
  const type = referenceRoot.lookupType(typeName);
  return type.toObject(type.decode(bytes), { enums: String, longs: Number, bytes: String, defaults: false });
}

function expectCodecError(action: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    action();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(CodecError);
  expect((thrown as CodecError).code).toBe('PACER_CODEC');
  expect((thrown as CodecError).message).toMatch(message);
}

describe.each(MEDIA_TYPES)('%s codec round trips', (mediaType) => {
  const codec = codecFor(mediaType);

  it('reports its media type', () => {
    expect(codec.mediaType).toBe(mediaType);
  });

  const calls: Array<readonly [string, Call]> = [
    ['SUBSCRIBE', subscribe],
    ['ACCEPT with LAUNCH', accept],
    ...otherCalls.map((call) => [call.type, call] as const),
  ];
  it.each(calls)('Call %s', (_name, call) => {
    const bytes = codec.encodeCall(call);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(codec.decodeCall(bytes)).toEqual(call);
  });

  const events: Array<readonly [string, Event]> = [
    ['SUBSCRIBED', subscribed],
    ['OFFERS', offers],
    ['UPDATE', update],
    ['ERROR', error],
    ['HEARTBEAT', heartbeat],
  ];
  it.each(events)('Event %s', (_name, event) => {
    expect(codec.decodeEvent(codec.encodeEvent(event))).toEqual(event);
  });

  it('keeps 64-bit values above 2^32 exact', () => {
    const decoded = codec.decodeEvent(codec.encodeEvent(offers));
    expect(decoded.offers?.offers?.[0]?.resources?.[1]?.ranges?.range?.[1]).toEqual({
      begin: TWO_POW_40,
      end: TWO_POW_40 + 7,
    });
    const call = codec.decodeCall(codec.encodeCall(accept));
    expect(call.accept?.operations?.[0]?.launch?.task_infos?.[0]?.kill_policy?.grace_period?.nanoseconds).toBe(5e12);
  });

  it('decodes a Call or Event of a type it does not know, so servers can answer it', () => {
    const unknownCall =
      mediaType === 'application/json'
        ? Buffer.from('{"type":"FROBNICATE","framework_id":{"value":"f"}}')
        : Uint8Array.from([0x0a, 0x03, 0x0a, 0x01, 0x66, 0x10, 0x63]); // framework_id "f", type = 99
    const decoded = codec.decodeCall(unknownCall);
    expect(decoded.framework_id).toEqual({ value: 'f' });
    expect(decoded.type).toBe(mediaType === 'application/json' ? 'FROBNICATE' : 'UNKNOWN');
  });

  it('rejects a Call or Event without a type, both ways', () => {
    expectCodecError(() => codec.encodeCall({ framework_id: frameworkId } as Call), /no 'type'/);
    expectCodecError(() => codec.encodeEvent({} as Event), /no 'type'/);
    const noType = mediaType === 'application/json' ? Buffer.from('{"heartbeat":{}}') : Uint8Array.from([]);
    expectCodecError(() => codec.decodeEvent(noType), /no 'type'/);
  });
});

describe('protobuf encoding', () => {
  it('decodes the same objects protobufjs decode + toObject would', () => {
    for (const call of [subscribe, accept, ...otherCalls]) {
      expect(proto.decodeCall(proto.encodeCall(call))).toEqual(referenceDecode('mesos.v1.scheduler.Call', proto.encodeCall(call)));
    }
    for (const event of [subscribed, offers, update, error, heartbeat]) {
      const bytes = proto.encodeEvent(event);
      expect(proto.decodeEvent(bytes)).toEqual(referenceDecode('mesos.v1.scheduler.Event', bytes));
    }
  });

  it('decodes hand-written bytes of an UPDATE event', () => {
    // Event { type = UPDATE(4); update(5) { status(1) { task_id(1) { value(1) = "t1" },
    //   state(2) = TASK_RUNNING(1), timestamp(6) = 1.5, uuid(11) = 0x01 0x02 0x03, healthy(8) = true } } }
    const status = [
      0x0a,
      0x04,
      0x0a,
      0x02,
      0x74,
      0x31, // task_id
      0x10,
      0x01, // state
      0x31,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0xf8,
      0x3f, // timestamp, little-endian double 1.5
      0x5a,
      0x03,
      0x01,
      0x02,
      0x03, // uuid
      0x40,
      0x01, // healthy
    ];
    const bytes = Uint8Array.from([0x08, 0x04, 0x2a, status.length + 2, 0x0a, status.length, ...status]);
    expect(proto.decodeEvent(bytes)).toEqual({
      type: 'UPDATE',
      update: {
        status: { task_id: { value: 't1' }, state: 'TASK_RUNNING', timestamp: 1.5, uuid: 'AQID', healthy: true },
      },
    });
  });

  it('decodes hand-written bytes of HEARTBEAT and of a FAILURE with a negative int32', () => {
    expect(proto.decodeEvent(Uint8Array.from([0x08, 0x08]))).toEqual({ type: 'HEARTBEAT' });
    // Event { type = FAILURE(6); failure(7) { status(3) = -1 } }: negative int32 is a ten-byte varint.
    const failure = [0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    expect(proto.decodeEvent(Uint8Array.from([0x08, 0x06, 0x3a, failure.length, ...failure]))).toEqual({
      type: 'FAILURE',
      failure: { status: -1 },
    });
  });

  it('decodes hand-written 64-bit varints: uint64 2^40 and int64 -1', () => {
    // Value.Range { begin(1) = 2^40, end(2) = 2^40 + 1 }
    const range = Uint8Array.from([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x10, 0x81, 0x80, 0x80, 0x80, 0x80, 0x20]);
    expect(decodeMessage('mesos.v1.Value.Range', range)).toEqual({ begin: TWO_POW_40, end: TWO_POW_40 + 1 });
    const minusOne = Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(decodeMessage('mesos.v1.DurationInfo', minusOne)).toEqual({ nanoseconds: -1 });
  });

  it('accepts repeated scalars packed or unpacked, and skips unknown fields', () => {
    // HealthCheck.HTTPCheckInfo { port(1) = 80, statuses(4) = [200, 204] } in both encodings,
    // plus an unknown field 99 (varint) that must be ignored.
    const unpacked = Uint8Array.from([0x08, 0x50, 0x20, 0xc8, 0x01, 0x20, 0xcc, 0x01, 0x98, 0x06, 0x07]);
    const packed = Uint8Array.from([0x08, 0x50, 0x22, 0x04, 0xc8, 0x01, 0xcc, 0x01]);
    const expected = { port: 80, statuses: [200, 204] };
    expect(decodeMessage('mesos.v1.HealthCheck.HTTPCheckInfo', unpacked)).toEqual(expected);
    expect(decodeMessage('mesos.v1.HealthCheck.HTTPCheckInfo', packed)).toEqual(expected);
  });

  it('keeps an enum number it does not know instead of failing', () => {
    // TaskStatus { task_id { value "t" }, state = 99 }
    const bytes = Uint8Array.from([0x0a, 0x03, 0x0a, 0x01, 0x74, 0x10, 0x63]);
    expect(decodeMessage('mesos.v1.TaskStatus', bytes)).toEqual({ task_id: { value: 't' }, state: 99 });
  });

  it('encodes and decodes any message by name', () => {
    const bytes = encodeMessage('mesos.v1.MasterInfo', masterInfo);
    expect(decodeMessage<MasterInfo>('mesos.v1.MasterInfo', bytes)).toEqual(masterInfo);
    expectCodecError(() => encodeMessage('mesos.v1.NoSuchThing', {}), /unknown protobuf message type/);
  });

  it('throws CodecError for truncated bytes', () => {
    const bytes = proto.encodeEvent(offers);
    for (const cut of [1, 7, bytes.length >> 1, bytes.length - 1]) {
      expectCodecError(() => proto.decodeEvent(bytes.subarray(0, cut)), /malformed mesos\.v1\.scheduler\.Event/);
    }
  });

  it('throws CodecError for a missing required field', () => {
    // Event { type = UPDATE; update { status { state = TASK_RUNNING } } }: no task_id.
    expectCodecError(
      () => proto.decodeEvent(Uint8Array.from([0x08, 0x04, 0x2a, 0x04, 0x0a, 0x02, 0x10, 0x01])),
      /TaskStatus is missing required field 'task_id'/,
    );
    // Call { type = ACKNOWLEDGE; acknowledge(8) { agent_id { value "a" } } }: no task_id, no uuid.
    expectCodecError(() => proto.decodeCall(Uint8Array.from([0x10, 0x08, 0x42, 0x05, 0x0a, 0x03, 0x0a, 0x01, 0x61])), /Acknowledge is missing required field/);
  });

  it('throws CodecError for an invalid wire type and for an overlong varint', () => {
    expectCodecError(() => proto.decodeEvent(Uint8Array.from([0x08, 0x08, 0x0f])), /invalid wire type 7/);
    expectCodecError(() => proto.decodeEvent(Uint8Array.from([0x08, ...new Array<number>(11).fill(0xff)])), /varint/);
  });

  it('throws CodecError, not a crash, for hostile nesting that exhausts the stack', () => {
    // ContainerID { value = "c"; parent(2) = ContainerID { ... } } nested 200,000 deep, built inside out.
    const chunks: Buffer[] = [Buffer.from([0x0a, 0x01, 0x63])];
    let length = 3;
    for (let depth = 0; depth < 200_000; depth++) {
      const prefix = [0x0a, 0x01, 0x63, 0x12];
      for (let n = length; ; n >>>= 7) {
        if (n < 0x80) {
          prefix.push(n);
          break;
        }
        prefix.push((n & 0x7f) | 0x80);
      }
      chunks.push(Buffer.from(prefix));
      length += prefix.length;
    }
    const bytes = Buffer.concat(chunks.reverse());
    expectCodecError(() => decodeMessage('mesos.v1.ContainerID', bytes), /malformed mesos\.v1\.ContainerID/);
  });

  it('refuses to encode a message missing a required field', () => {
    const incomplete = { type: 'ACKNOWLEDGE', acknowledge: { agent_id: agentId } } as unknown as Call;
    expectCodecError(() => proto.encodeCall(incomplete), /invalid mesos\.v1\.scheduler\.Call: acknowledge\.task_id/);
  });
});

describe('JSON encoding', () => {
  it('is the JSON mapping itself, as UTF-8', () => {
    const bytes = json.encodeEvent(update);
    expect(JSON.parse(Buffer.from(bytes).toString('utf8'))).toEqual(update);
    expect(Buffer.from(bytes).toString('utf8')).toContain('"state":"TASK_FAILED"');
  });

  it('throws CodecError for invalid JSON, non-objects and non-string types', () => {
    expectCodecError(() => json.decodeEvent(Buffer.from('{"type":')), /malformed JSON Event/);
    expectCodecError(() => json.decodeEvent(Buffer.from('[{"type":"HEARTBEAT"}]')), /must be an object, got an array/);
    expectCodecError(() => json.decodeCall(Buffer.from('null')), /must be an object/);
    expectCodecError(() => json.decodeCall(Buffer.from('"SUBSCRIBE"')), /must be an object, got string/);
    expectCodecError(() => json.decodeCall(Buffer.from('{"type":3}')), /'type' must be a string/);
    expectCodecError(() => json.decodeEvent(Uint8Array.from([0xff, 0xfe, 0x00])), /malformed JSON Event/);
  });
});

describe('validateMessage', () => {
  it('names the first missing required field and accepts complete messages', () => {
    expect(validateMessage('mesos.v1.scheduler.Call', accept)).toBeUndefined();
    expect(validateMessage('mesos.v1.scheduler.Call', { type: 'KILL', kill: {} })).toMatch(/kill\.task_id/);
  });
});

describe('codecFor and parseMediaType', () => {
  it('returns one instance per media type', () => {
    expect(codecFor('application/json')).toBe(json);
    expect(codecFor('application/x-protobuf')).toBe(proto);
    expectCodecError(() => codecFor('text/plain' as MediaType), /unsupported media type/);
  });

  it.each([
    ['application/json', 'application/json'],
    ['application/json; charset=utf-8', 'application/json'],
    ['  Application/JSON ;charset=UTF-8', 'application/json'],
    ['application/x-protobuf', 'application/x-protobuf'],
    ['APPLICATION/X-PROTOBUF; proto=mesos.v1.scheduler.Event', 'application/x-protobuf'],
    ['text/plain', undefined],
    ['application/jsonx', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j -> %j', (header, expected) => {
    expect(parseMediaType(header)).toBe(expected);
  });
});

describe('PROTO_ROOT_DIR', () => {
  it('is the absolute proto/ directory of the repository', () => {
    expect(path.isAbsolute(PROTO_ROOT_DIR)).toBe(true);
    expect(existsSync(path.join(PROTO_ROOT_DIR, 'mesos', 'v1', 'mesos.proto'))).toBe(true);
    expect(existsSync(path.join(PROTO_ROOT_DIR, '..', 'package.json'))).toBe(true);
  });
});
