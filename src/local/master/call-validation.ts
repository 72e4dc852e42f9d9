import type { Call } from '../../mesos/types.js';
import { isValidUuidBytes } from './ids.js';

/**
 * Validation of a decoded scheduler Call, as upstream's `validation::scheduler::call::validate`
 * does it: required proto fields first ("Not initialized: <paths>"), then the per-type
 * "Expecting '<field>' to be present" rules. Returns the message without the
 * "Failed to validate scheduler::Call: " prefix the master adds.
 */

/** Required fields per message, and which fields hold nested messages (by message name). */
interface MessageSchema {
  readonly required?: readonly string[];
  readonly nested?: Readonly<Record<string, string>>;
}

const SCHEMAS: Readonly<Record<string, MessageSchema>> = {
  Call: {
    nested: {
      framework_id: 'Id',
      subscribe: 'Subscribe',
      accept: 'Accept',
      decline: 'Decline',
      accept_inverse_offers: 'Decline',
      decline_inverse_offers: 'Decline',
      kill: 'Kill',
      shutdown: 'Shutdown',
      acknowledge: 'Acknowledge',
      acknowledge_operation_status: 'AckOperation',
      reconcile: 'Reconcile',
      reconcile_operations: 'ReconcileOperations',
      message: 'Message',
      request: 'RequestCall',
      update_framework: 'Subscribe',
    },
  },
  Id: { required: ['value'] },
  Subscribe: { required: ['framework_info'], nested: { framework_info: 'FrameworkInfo' } },
  FrameworkInfo: { required: ['user', 'name'], nested: { id: 'Id', labels: 'Labels' } },
  Labels: { nested: { labels: 'Label' } },
  Label: { required: ['key'] },
  Accept: { nested: { offer_ids: 'Id', operations: 'Operation' } },
  Decline: { nested: { offer_ids: 'Id', inverse_offer_ids: 'Id' } },
  Operation: { nested: { id: 'Id', launch: 'Launch', launch_group: 'LaunchGroup' } },
  Launch: { nested: { task_infos: 'TaskInfo' } },
  LaunchGroup: { required: ['executor', 'task_group'], nested: { executor: 'ExecutorInfo', task_group: 'TaskGroup' } },
  TaskGroup: { nested: { tasks: 'TaskInfo' } },
  TaskInfo: {
    required: ['name', 'task_id', 'agent_id'],
    nested: { task_id: 'Id', agent_id: 'Id', resources: 'Resource', executor: 'ExecutorInfo', command: 'Command', labels: 'Labels' },
  },
  ExecutorInfo: {
    required: ['executor_id'],
    nested: { executor_id: 'Id', framework_id: 'Id', resources: 'Resource', command: 'Command', labels: 'Labels' },
  },
  Command: { nested: { uris: 'Uri' } },
  Uri: { required: ['value'] },
  Resource: { required: ['name', 'type'], nested: { scalar: 'Scalar', ranges: 'Ranges' } },
  Scalar: { required: ['value'] },
  Ranges: { nested: { range: 'Range' } },
  Range: { required: ['begin', 'end'] },
  Kill: { required: ['task_id'], nested: { task_id: 'Id', agent_id: 'Id' } },
  Shutdown: { required: ['executor_id', 'agent_id'], nested: { executor_id: 'Id', agent_id: 'Id' } },
  Acknowledge: { required: ['agent_id', 'task_id', 'uuid'], nested: { agent_id: 'Id', task_id: 'Id' } },
  AckOperation: { required: ['uuid', 'operation_id'], nested: { agent_id: 'Id', operation_id: 'Id' } },
  Reconcile: { nested: { tasks: 'ReconcileTask' } },
  ReconcileTask: { required: ['task_id'], nested: { task_id: 'Id', agent_id: 'Id' } },
  ReconcileOperations: { nested: { operations: 'ReconcileOperation' } },
  ReconcileOperation: { required: ['operation_id'], nested: { operation_id: 'Id', agent_id: 'Id' } },
  Message: { required: ['agent_id', 'executor_id', 'data'], nested: { agent_id: 'Id', executor_id: 'Id' } },
  RequestCall: { nested: { requests: 'Request' } },
  Request: { nested: { agent_id: 'Id', resources: 'Resource' } },
};

interface CompiledSchema {
  readonly required: readonly string[];
  readonly nested: readonly (readonly [field: string, schemaName: string])[];
}

/** SCHEMAS with the nested maps turned into arrays once, not on every call. */
const COMPILED: ReadonlyMap<string, CompiledSchema> = new Map(
  Object.entries(SCHEMAS).map(([name, schema]) => [name, { required: schema.required ?? [], nested: Object.entries(schema.nested ?? {}) }]),
);

/**
 * Walks `value` for missing required fields. With `path` undefined it only answers whether any
 * is missing (the common case costs no strings); with a path it also names them.
 */
function collectMissing(value: unknown, schemaName: string, path: string | undefined, missing: string[]): boolean {
  if (value === null || typeof value !== 'object') return false;
  const schema = COMPILED.get(schemaName)!;
  const record = value as Record<string, unknown>;
  let found = false;
  for (const field of schema.required) {
    if (record[field] === undefined || record[field] === null) {
      found = true;
      if (path !== undefined) missing.push(path + field);
    }
  }
  for (const [field, nestedName] of schema.nested) {
    const child = record[field];
    if (child === undefined || child === null) continue;
    if (Array.isArray(child)) {
      for (let i = 0; i < child.length; i += 1) {
        const at = path === undefined ? undefined : `${path}${field}[${i}].`;
        if (collectMissing(child[i], nestedName, at, missing)) found = true;
      }
    } else if (collectMissing(child, nestedName, path === undefined ? undefined : `${path}${field}.`, missing)) {
      found = true;
    }
  }
  return found;
}

const EXPECTED_FIELD: Partial<Record<NonNullable<Call['type']>, keyof Call>> = {
  ACCEPT: 'accept',
  DECLINE: 'decline',
  ACCEPT_INVERSE_OFFERS: 'accept_inverse_offers',
  DECLINE_INVERSE_OFFERS: 'decline_inverse_offers',
  KILL: 'kill',
  SHUTDOWN: 'shutdown',
  ACKNOWLEDGE: 'acknowledge',
  ACKNOWLEDGE_OPERATION_STATUS: 'acknowledge_operation_status',
  RECONCILE: 'reconcile',
  RECONCILE_OPERATIONS: 'reconcile_operations',
  MESSAGE: 'message',
  REQUEST: 'request',
  UPDATE_FRAMEWORK: 'update_framework',
};

export function validateCall(call: Call): string | undefined {
  if (collectMissing(call, 'Call', undefined, [])) {
    const missing: string[] = [];
    collectMissing(call, 'Call', '', missing);
    return `Not initialized: ${missing.join(', ')}`;
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the call was decoded from a client's body, which may omit it
  if (call.type === undefined) return "Expecting 'type' to be present";

  if (call.type === 'SUBSCRIBE') {
    if (call.subscribe === undefined) return "Expecting 'subscribe' to be present";
    if ((call.subscribe.framework_info.id?.value ?? undefined) !== (call.framework_id?.value ?? undefined)) {
      return "'framework_id' differs from 'subscribe.framework_info.id'";
    }
    return undefined;
  }

  if (call.framework_id === undefined) return "Expecting 'framework_id' to be present";

  const field = EXPECTED_FIELD[call.type];
  if (field !== undefined && call[field] === undefined) return `Expecting '${field}' to be present`;

  switch (call.type) {
    case 'ACKNOWLEDGE':
      if (!isValidUuidBytes(call.acknowledge!.uuid)) return 'Not a valid UUID';
      break;
    case 'ACKNOWLEDGE_OPERATION_STATUS':
      if (!isValidUuidBytes(call.acknowledge_operation_status!.uuid)) return 'Not a valid UUID';
      if (call.acknowledge_operation_status!.agent_id === undefined) return "Expecting 'agent_id' to be present";
      break;
    case 'UPDATE_FRAMEWORK':
      if (call.update_framework!.framework_info.id?.value !== call.framework_id.value) {
        return "'framework_id' differs from 'update_framework.framework_info.id'";
      }
      break;
    default:
      break;
  }
  return undefined;
}
