/**
 * The `mesos.v1.master.Call` envelope as a master reads it from JSON or protobuf: the call type must be one
 * of upstream's enum names, and a call that needs a payload must carry it (upstream
 * `validation::master::call::validate`). Payload contents are not examined: every call that has
 * one is answered 501 by this master, and upstream examines them only to act on them.
 */
import type * as master from '../../mesos/wire/master.js';

/** A `Call.Type` of master.proto (generated from proto/mesos/v1/master/master.proto). */
export type MasterCallType = master.CallType;

/** Each call type once; the compiler rejects this table when master.proto gains or loses a type. */
const CALL_TYPE_TABLE: Readonly<Record<MasterCallType, true>> = {
  UNKNOWN: true,
  GET_HEALTH: true,
  GET_FLAGS: true,
  GET_VERSION: true,
  GET_METRICS: true,
  GET_LOGGING_LEVEL: true,
  SET_LOGGING_LEVEL: true,
  LIST_FILES: true,
  READ_FILE: true,
  GET_STATE: true,
  GET_AGENTS: true,
  GET_FRAMEWORKS: true,
  GET_EXECUTORS: true,
  GET_OPERATIONS: true,
  GET_TASKS: true,
  GET_ROLES: true,
  GET_WEIGHTS: true,
  UPDATE_WEIGHTS: true,
  GET_MASTER: true,
  SUBSCRIBE: true,
  RESERVE_RESOURCES: true,
  UNRESERVE_RESOURCES: true,
  CREATE_VOLUMES: true,
  DESTROY_VOLUMES: true,
  GROW_VOLUME: true,
  SHRINK_VOLUME: true,
  GET_MAINTENANCE_STATUS: true,
  GET_MAINTENANCE_SCHEDULE: true,
  UPDATE_MAINTENANCE_SCHEDULE: true,
  START_MAINTENANCE: true,
  STOP_MAINTENANCE: true,
  DRAIN_AGENT: true,
  DEACTIVATE_AGENT: true,
  REACTIVATE_AGENT: true,
  GET_QUOTA: true,
  UPDATE_QUOTA: true,
  SET_QUOTA: true,
  REMOVE_QUOTA: true,
  TEARDOWN: true,
  MARK_AGENT_GONE: true,
};

/** The payload field each call type requires, as upstream validation names it. */
const REQUIRED_PAYLOAD: Partial<Record<MasterCallType, keyof master.Call>> = {
  GET_METRICS: 'get_metrics',
  SET_LOGGING_LEVEL: 'set_logging_level',
  LIST_FILES: 'list_files',
  READ_FILE: 'read_file',
  UPDATE_WEIGHTS: 'update_weights',
  RESERVE_RESOURCES: 'reserve_resources',
  UNRESERVE_RESOURCES: 'unreserve_resources',
  CREATE_VOLUMES: 'create_volumes',
  DESTROY_VOLUMES: 'destroy_volumes',
  GROW_VOLUME: 'grow_volume',
  SHRINK_VOLUME: 'shrink_volume',
  UPDATE_MAINTENANCE_SCHEDULE: 'update_maintenance_schedule',
  START_MAINTENANCE: 'start_maintenance',
  STOP_MAINTENANCE: 'stop_maintenance',
  DRAIN_AGENT: 'drain_agent',
  DEACTIVATE_AGENT: 'deactivate_agent',
  REACTIVATE_AGENT: 'reactivate_agent',
  UPDATE_QUOTA: 'update_quota',
  SET_QUOTA: 'set_quota',
  REMOVE_QUOTA: 'remove_quota',
  TEARDOWN: 'teardown',
  MARK_AGENT_GONE: 'mark_agent_gone',
};

/** Every message-typed field of `Call` (upstream field names). */
const PAYLOAD_FIELDS: ReadonlySet<string> = new Set(Object.values(REQUIRED_PAYLOAD));

/** A call that passed conversion; `type` is absent when the body did not name one. */
export interface MasterCall {
  readonly type?: MasterCallType;
  /** Payload fields present in the body, by name. */
  readonly payloads: ReadonlySet<string>;
}

export type MasterCallParse = { ok: true; call: MasterCall } | { ok: false; reason: string };

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

const CALL_TYPE_NAMES: ReadonlySet<string> = new Set(Object.keys(CALL_TYPE_TABLE));

function isCallType(name: string): name is MasterCallType {
  return CALL_TYPE_NAMES.has(name);
}

/**
 * Converts a parsed JSON body into a call envelope by stout's rules (unknown fields dropped,
 * `null` = unset). On failure the reason is what follows "Failed to convert JSON into Call protobuf: ".
 */
export function convertJsonMasterCall(value: unknown): MasterCallParse {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'Expecting a JSON object' };
  }
  const body = value as Record<string, unknown>;
  let type: MasterCallType | undefined;
  const payloads = new Set<string>();
  for (const [name, field] of Object.entries(body)) {
    if (field === null) continue;
    if (name === 'type') {
      if (typeof field !== 'string') return { ok: false, reason: `Not expecting a JSON ${jsonKind(field)} for field 'type'` };
      // `type` is optional, so stout drops an unknown value as proto2 does; validation then
      // answers that the type is missing.
      if (isCallType(field)) type = field;
    } else if (PAYLOAD_FIELDS.has(name)) {
      if (typeof field !== 'object' || Array.isArray(field)) {
        return { ok: false, reason: `Not expecting a JSON ${jsonKind(field)} for field '${name}'` };
      }
      payloads.add(name);
    }
  }
  return { ok: true, call: type === undefined ? { payloads } : { type, payloads } };
}

/**
 * The envelope of a Call decoded from protobuf (src/mesos/master-codec.ts), whose decoder has
 * already checked field types and left out a `type` it does not know.
 */
export function masterCallFromProtobuf(decoded: Readonly<Record<string, unknown>>): MasterCall {
  const payloads = new Set(Object.keys(decoded).filter((name) => PAYLOAD_FIELDS.has(name)));
  const type = decoded.type;
  return typeof type === 'string' && isCallType(type) ? { type, payloads } : { payloads };
}

/** Upstream's master call validation; the message follows "Failed to validate master::Call: ". */
export function validateMasterCall(call: MasterCall): string | undefined {
  if (call.type === undefined) return "Expecting 'type' to be present";
  const payload = REQUIRED_PAYLOAD[call.type];
  if (payload !== undefined && !call.payloads.has(payload)) return `Expecting '${payload}' to be present`;
  return undefined;
}
