/**
 * The two encodings of the Mesos v1 scheduler API, behind one interface.
 *
 * Both codecs speak in the JSON-mapping objects of ./types.ts: the JSON codec is that mapping
 * serialized as UTF-8, and the protobuf codec converts to and from proto/ messages (loaded once
 * with protobufjs) so that a decoded protobuf Event is the same object a JSON Event would be.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { compileDecoders, WireReader, type MessageDecoder } from './proto-decoder.js';
import type { Call, Event } from './types.js';

export type MediaType = 'application/json' | 'application/x-protobuf';

export interface WireCodec {
  readonly mediaType: MediaType;
  encodeCall(call: Call): Uint8Array;
  /** Throws CodecError on malformed input. A Call of a type this version does not know still decodes. */
  decodeCall(bytes: Uint8Array): Call;
  encodeEvent(event: Event): Uint8Array;
  /** Throws CodecError on malformed input. An Event of a type this version does not know still decodes. */
  decodeEvent(bytes: Uint8Array): Event;
}

export class CodecError extends Error {
  readonly code = 'PACER_CODEC' as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CodecError';
  }
}

const SCHEDULER_PROTO = path.join('mesos', 'v1', 'scheduler', 'scheduler.proto');

/**
 * Walks up from this module to the directory holding proto/: the same code runs as
 * src/mesos/codec.ts under vitest and as dist/src/mesos/codec.js when compiled or installed.
 */
function findProtoRootDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'proto');
    if (existsSync(path.join(candidate, SCHEDULER_PROTO))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`cannot find proto/${SCHEDULER_PROTO} above ${fileURLToPath(import.meta.url)}`);
    }
    dir = parent;
  }
}

/** Absolute path of the proto/ directory (imports inside the .proto files are relative to it). */
export const PROTO_ROOT_DIR: string = findProtoRootDir();

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_ROOT_DIR, target));
  root.loadSync(SCHEDULER_PROTO, { keepCase: true });
  root.resolveAll();
  return root;
}

const root = loadRoot();

const decoders = compileDecoders(root);

interface MessageCodec {
  readonly type: protobuf.Type;
  readonly decode: MessageDecoder;
  /** Full name without the leading dot, as used in error messages. */
  readonly name: string;
}

const codecCache = new Map<string, MessageCodec>();

function lookupMessage(typeName: string): MessageCodec {
  let entry = codecCache.get(typeName);
  if (entry === undefined) {
    let type: protobuf.Type;
    try {
      type = root.lookupType(typeName);
    } catch (err) {
      throw new CodecError(`unknown protobuf message type '${typeName}'`, { cause: err });
    }
    const name = type.fullName.slice(1);
    entry = { type, decode: decoders.get(name)!, name };
    codecCache.set(typeName, entry);
  }
  return entry;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Converts a JSON-mapping object to a protobufjs message and checks it, including proto2
 * `required` fields (which protobufjs' encoder would otherwise silently leave out).
 */
function toMessage(codec: MessageCodec, value: object): protobuf.Message {
  let message: protobuf.Message;
  try {
    message = codec.type.fromObject(value);
  } catch (err) {
    throw new CodecError(`cannot convert ${codec.name}: ${describe(err)}`, { cause: err });
  }
  const problem = codec.type.verify(message);
  if (problem !== null) throw new CodecError(`invalid ${codec.name}: ${problem}`);
  return message;
}

function encodeWith(codec: MessageCodec, value: object): Uint8Array {
  const message = toMessage(codec, value);
  try {
    return codec.type.encode(message).finish();
  } catch (err) {
    throw new CodecError(`cannot encode ${codec.name}: ${describe(err)}`, { cause: err });
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function decodeWith<T>(codec: MessageCodec, bytes: Uint8Array): T {
  try {
    const reader = new WireReader(asBuffer(bytes));
    return codec.decode(reader, reader.len) as T;
  } catch (err) {
    // ProtobufDecodeError for malformed bytes; RangeError if hostile nesting exhausts the stack.
    throw new CodecError(`malformed ${codec.name} (${bytes.length} bytes): ${describe(err)}`, { cause: err });
  }
}

/** Encodes any message of proto/ given by its full name, e.g. 'mesos.v1.MasterInfo'. */
export function encodeMessage(typeName: string, value: object): Uint8Array {
  return encodeWith(lookupMessage(typeName), value);
}

/** Decodes any message of proto/ given by its full name into its JSON-mapping object. */
export function decodeMessage<T>(typeName: string, bytes: Uint8Array): T {
  return decodeWith<T>(lookupMessage(typeName), bytes);
}

/**
 * Checks a JSON-mapping object against its proto/ message (field types, enum names, proto2
 * `required` fields). Returns a description of the first problem, or undefined when valid.
 * The JSON codec does not run this on decode (a master answers 400 for such Calls; the caller
 * decides), so servers call it themselves.
 */
export function validateMessage(typeName: string, value: object): string | undefined {
  try {
    toMessage(lookupMessage(typeName), value);
    return undefined;
  } catch (err) {
    return describe(err);
  }
}

const CALL_TYPE_NAME = 'mesos.v1.scheduler.Call';
const EVENT_TYPE_NAME = 'mesos.v1.scheduler.Event';
const callType = lookupMessage(CALL_TYPE_NAME);
const eventType = lookupMessage(EVENT_TYPE_NAME);

/** Every Call and Event must say what it is; the proto field is optional only for forward compatibility. */
function requireType<T extends { type: string }>(value: object, what: string): T {
  const type: unknown = (value as { type?: unknown }).type;
  if (typeof type !== 'string') {
    throw new CodecError(type === undefined ? `${what} has no 'type'` : `${what} 'type' must be a string`);
  }
  return value as T;
}

/**
 * proto2 parsers drop enum numbers they do not know, so upstream reads a Call or Event of a newer
 * type as UNKNOWN; protobufjs hands the number through instead, so map it the same way.
 */
function requireDecodedType<T extends { type: string }>(decoded: object, what: string): T {
  const record = decoded as { type?: unknown };
  if (typeof record.type === 'number') record.type = 'UNKNOWN';
  return requireType<T>(decoded, what);
}

class ProtobufCodec implements WireCodec {
  readonly mediaType = 'application/x-protobuf' as const;

  encodeCall(call: Call): Uint8Array {
    requireType<Call>(call, 'Call');
    return encodeWith(callType, call);
  }

  decodeCall(bytes: Uint8Array): Call {
    return requireDecodedType<Call>(decodeWith<object>(callType, bytes), 'Call');
  }

  encodeEvent(event: Event): Uint8Array {
    requireType<Event>(event, 'Event');
    return encodeWith(eventType, event);
  }

  decodeEvent(bytes: Uint8Array): Event {
    return requireDecodedType<Event>(decodeWith<object>(eventType, bytes), 'Event');
  }
}

function parseJsonObject(bytes: Uint8Array, what: string): object {
  let value: unknown;
  try {
    value = JSON.parse(asBuffer(bytes).toString('utf8'));
  } catch (err) {
    throw new CodecError(`malformed JSON ${what} (${bytes.length} bytes): ${describe(err)}`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CodecError(`JSON ${what} must be an object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value;
}

function stringifyJson(value: object, what: string): Uint8Array {
  try {
    return Buffer.from(JSON.stringify(value), 'utf8');
  } catch (err) {
    throw new CodecError(`cannot serialize ${what} as JSON: ${describe(err)}`, { cause: err });
  }
}

class JsonCodec implements WireCodec {
  readonly mediaType = 'application/json' as const;

  encodeCall(call: Call): Uint8Array {
    requireType<Call>(call, 'Call');
    return stringifyJson(call, 'Call');
  }

  decodeCall(bytes: Uint8Array): Call {
    return requireType<Call>(parseJsonObject(bytes, 'Call'), 'Call');
  }

  encodeEvent(event: Event): Uint8Array {
    requireType<Event>(event, 'Event');
    return stringifyJson(event, 'Event');
  }

  decodeEvent(bytes: Uint8Array): Event {
    return requireType<Event>(parseJsonObject(bytes, 'Event'), 'Event');
  }
}

const codecs: Readonly<Record<MediaType, WireCodec>> = {
  'application/json': new JsonCodec(),
  'application/x-protobuf': new ProtobufCodec(),
};

/** The codec for a media type; the same instance every time. */
export function codecFor(mediaType: MediaType): WireCodec {
  const codec = codecs[mediaType];
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a media type from an untyped caller (JS, JSON) may be none of the known ones
  if (codec === undefined) throw new CodecError(`unsupported media type '${String(mediaType)}'`);
  return codec;
}

/**
 * The media type named by a Content-Type or single Accept value, ignoring parameters, case and
 * whitespace ('application/JSON; charset=utf-8' -> 'application/json'); undefined for anything
 * else, including a missing header.
 */
export function parseMediaType(header: string | undefined): MediaType | undefined {
  if (header === undefined) return undefined;
  const semicolon = header.indexOf(';');
  const essence = (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  if (essence === 'application/json' || essence === 'application/x-protobuf') return essence;
  return undefined;
}
