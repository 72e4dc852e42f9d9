/**
 * Converts a parsed JSON body into a scheduler Call the way a Mesos master does (stout's
 * JSON -> protobuf rules), so the master only ever sees Calls a real master would accept:
 * - unknown fields are dropped and `null` means "unset";
 * - a single value given for a repeated field counts as a one-element list;
 * - numbers may arrive as strings, doubles also as "Infinity"/"-Infinity", bools as "true"/"false";
 * - a value of the wrong JSON kind, an enum name the proto does not define, bad base64 in a
 *   `bytes` field or a missing `required` field makes the Call unconvertible (400 upstream).
 *
 * protobufjs' own fromObject/verify is more lenient (it drops unknown enum names and fills
 * required scalars with defaults), so the walk over the proto reflection is done here.
 */
import path from 'node:path';
import protobuf from 'protobufjs';
import { PROTO_ROOT_DIR } from '../mesos/codec.js';
import type { Call } from '../mesos/types.js';

const CALL_TYPE_NAME = 'mesos.v1.scheduler.Call';

const FLOATING_TYPES = new Set(['double', 'float']);
const INTEGER_TYPES = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

let callType: protobuf.Type | undefined;

function loadCallType(): protobuf.Type {
  if (callType === undefined) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_ROOT_DIR, target));
    root.loadSync(path.join('mesos', 'v1', 'scheduler', 'scheduler.proto'), { keepCase: true });
    root.resolveAll();
    callType = root.lookupType(CALL_TYPE_NAME);
  }
  return callType;
}

class ConversionError extends Error {}

type JsonObject = Record<string, unknown>;

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function notExpecting(value: unknown, field: protobuf.Field): ConversionError {
  return new ConversionError(`Not expecting a JSON ${jsonKind(value)} for field '${field.name}'`);
}

function convertNumber(field: protobuf.Field, value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') throw notExpecting(value, field);
  if (FLOATING_TYPES.has(field.type) && (value === 'Infinity' || value === '-Infinity')) {
    return value === 'Infinity' ? Infinity : -Infinity;
  }
  const parsed = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(parsed) || (INTEGER_TYPES.has(field.type) && !Number.isInteger(parsed))) {
    throw new ConversionError(`Failed to convert '${value}' to number for field '${field.name}'`);
  }
  return parsed;
}

function convertScalar(field: protobuf.Field, value: unknown): unknown {
  const type = field.type;
  if (type === 'string') {
    if (typeof value !== 'string') throw notExpecting(value, field);
    return value;
  }
  if (type === 'bytes') {
    if (typeof value !== 'string') throw notExpecting(value, field);
    if (!BASE64.test(value)) throw new ConversionError(`Failed to base64 decode bytes field '${field.name}'`);
    return value;
  }
  if (FLOATING_TYPES.has(type) || INTEGER_TYPES.has(type)) return convertNumber(field, value);
  if (type === 'bool') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    throw notExpecting(value, field);
  }
  throw new ConversionError(`Unsupported field type '${type}' for field '${field.name}'`);
}

/**
 * Where the walk is, for "Missing required fields" paths. The conversion first runs without
 * paths (`undefined`, the common case of a complete Call) and only when a required field is
 * missing runs again with them, so a well-formed Call never pays for building path strings.
 */
type Path = string | undefined;

function extend(path: Path, segment: string): Path {
  return path === undefined ? undefined : path + segment;
}

interface Missing {
  readonly paths: string[];
  found: boolean;
}

const requiredFieldsByType = new WeakMap<protobuf.Type, readonly protobuf.Field[]>();

function requiredFields(type: protobuf.Type): readonly protobuf.Field[] {
  let fields = requiredFieldsByType.get(type);
  if (fields === undefined) {
    fields = type.fieldsArray.filter((field) => field.required);
    requiredFieldsByType.set(type, fields);
  }
  return fields;
}

/**
 * Stands for an enum value the schema does not know in a field that is not required: stout
 * drops it, as proto2's binary parsing does, so the field stays unset (or the element is left
 * out of a repeated field).
 */
const DROPPED = Symbol('dropped enum value');

function convertElement(field: protobuf.Field, value: unknown, at: Path, missing: Missing): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    if (!isObject(value)) throw notExpecting(value, field);
    return convertMessage(resolved, value, at, missing);
  }
  if (resolved instanceof protobuf.Enum) {
    if (typeof value !== 'string') throw notExpecting(value, field);
    if (!Object.prototype.hasOwnProperty.call(resolved.values, value)) {
      if (field.required) throw new ConversionError(`Failed to find enum for '${value}'`);
      return DROPPED;
    }
    return value;
  }
  return convertScalar(field, value);
}

function convertMessage(type: protobuf.Type, object: JsonObject, prefix: Path, missing: Missing): JsonObject {
  const out: JsonObject = {};
  const fields = type.fields;
  // JSON.parse builds plain objects, so for-in visits exactly their own keys, in order.
  for (const name in object) {
    const value = object[name];
    const field = fields[name];
    if (field === undefined || value === null) continue;
    const at = extend(prefix, name);
    if (field instanceof protobuf.MapField) {
      if (!isObject(value)) throw notExpecting(value, field);
      const entries: JsonObject = {};
      for (const [key, entry] of Object.entries(value)) {
        if (entry === null) continue;
        const converted = convertElement(field, entry, extend(at, `[${key}].`), missing);
        if (converted !== DROPPED) entries[key] = converted;
      }
      out[name] = entries;
    } else if (field.repeated) {
      const list = (Array.isArray(value) ? value : [value]).filter((entry) => entry !== null);
      out[name] = list.map((entry, index) => convertElement(field, entry, extend(at, `[${index}].`), missing)).filter((entry) => entry !== DROPPED);
    } else if (Array.isArray(value)) {
      throw notExpecting(value, field);
    } else {
      const converted = convertElement(field, value, extend(at, '.'), missing);
      if (converted !== DROPPED) out[name] = converted;
    }
  }
  for (const field of requiredFields(type)) {
    if (out[field.name] === undefined) {
      missing.found = true;
      if (prefix !== undefined) missing.paths.push(prefix + field.name);
    }
  }
  return out;
}

export type JsonCallConversion = { ok: true; call: Call } | { ok: false; reason: string };

/**
 * Converts `value` into a Call; on failure the reason is worded as upstream words what follows
 * "Failed to convert JSON into Call protobuf: ".
 */
export function convertJsonCall(value: unknown): JsonCallConversion {
  if (!isObject(value)) return { ok: false, reason: 'Expecting a JSON object' };
  const missing: Missing = { paths: [], found: false };
  let call: JsonObject;
  try {
    call = convertMessage(loadCallType(), value, undefined, missing);
  } catch (err) {
    if (err instanceof ConversionError) return { ok: false, reason: err.message };
    throw err;
  }
  if (missing.found) {
    // Same walk again, now naming the paths; it cannot throw where the first one did not.
    convertMessage(loadCallType(), value, '', missing);
    return { ok: false, reason: `Missing required fields: ${missing.paths.join(', ')}` };
  }
  return { ok: true, call: call as unknown as Call };
}
