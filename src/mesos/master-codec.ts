/**
 * Protobuf encoding of the Mesos v1 operator API (`mesos.v1.master.Call` and `Response`,
 * proto/mesos/v1/master/master.proto), in the same JSON-mapping objects the JSON encoding uses:
 * a decoded protobuf Call is the object a JSON Call would parse to, and a Response is encoded
 * from the object the JSON answer serializes. Kept apart from ./codec.ts so the scheduler API
 * does not load the operator protocol.
 */
import path from 'node:path';
import protobuf from 'protobufjs';
import { CodecError, PROTO_ROOT_DIR } from './codec.js';
import { compileDecoders, WireReader, type MessageDecoder } from './proto-decoder.js';

const MASTER_PROTO = path.join('mesos', 'v1', 'master', 'master.proto');

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_ROOT_DIR, target));
  root.loadSync(MASTER_PROTO, { keepCase: true });
  root.resolveAll();
  return root;
}

interface MessageCodec {
  readonly type: protobuf.Type;
  readonly decode: MessageDecoder;
  readonly name: string;
}

const root = loadRoot();
const decoders = compileDecoders(root);

function codecOf(name: string): MessageCodec {
  return { type: root.lookupType(name), decode: decoders.get(name)!, name };
}

const callCodec = codecOf('mesos.v1.master.Call');
const responseCodec = codecOf('mesos.v1.master.Response');

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function encodeWith(codec: MessageCodec, value: object): Uint8Array {
  let message: protobuf.Message;
  try {
    message = codec.type.fromObject(value);
  } catch (err) {
    throw new CodecError(`cannot convert ${codec.name}: ${describe(err)}`, { cause: err });
  }
  // protobufjs' encoder would silently leave out a missing proto2 required field.
  const problem = codec.type.verify(message);
  if (problem !== null) throw new CodecError(`invalid ${codec.name}: ${problem}`);
  try {
    return codec.type.encode(message).finish();
  } catch (err) {
    throw new CodecError(`cannot encode ${codec.name}: ${describe(err)}`, { cause: err });
  }
}

function decodeWith(codec: MessageCodec, bytes: Uint8Array): Record<string, unknown> {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    const reader = new WireReader(buffer);
    return codec.decode(reader, reader.len);
  } catch (err) {
    // ProtobufDecodeError for malformed bytes; RangeError if hostile nesting exhausts the stack.
    throw new CodecError(`malformed ${codec.name} (${bytes.length} bytes): ${describe(err)}`, { cause: err });
  }
}

/**
 * Decodes a `mesos.v1.master.Call`. A proto2 parser keeps an enum number it does not know out of
 * the field, so a `type` this version does not know is left out, as upstream's master sees it.
 * Throws CodecError on malformed bytes, including a missing required field.
 */
export function decodeMasterCall(bytes: Uint8Array): Record<string, unknown> {
  const call = decodeWith(callCodec, bytes);
  if (typeof call.type === 'number') delete call.type;
  return call;
}

/** Encodes a `mesos.v1.master.Call` from its JSON mapping (operator clients and tests). */
export function encodeMasterCall(call: object): Uint8Array {
  return encodeWith(callCodec, call);
}

/** Encodes a `mesos.v1.master.Response` from its JSON mapping; throws CodecError if it does not fit. */
export function encodeMasterResponse(response: object): Uint8Array {
  return encodeWith(responseCodec, response);
}

/** Decodes a `mesos.v1.master.Response` into its JSON mapping (operator clients and tests). */
export function decodeMasterResponse(bytes: Uint8Array): Record<string, unknown> {
  return decodeWith(responseCodec, bytes);
}
