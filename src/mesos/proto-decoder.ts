/**
 * Decodes protobuf bytes straight into JSON-mapping objects (enum names, 64-bit integers as
 * numbers, bytes as base64, absent fields left out).
 *
 * protobufjs can do the same with decode() followed by toObject(), but that builds every
 * message twice; OFFERS events are large and frequent, so this module compiles one function
 * per message type (from the protobufjs reflection of proto/) that builds the final object in
 * a single pass. Encoding stays with protobufjs.
 */
import protobuf from 'protobufjs';

/** Malformed bytes: truncated, overlong, bad wire type or a missing proto2 required field. */
export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

const TWO_POW_32 = 4294967296;

/** Cursor over one buffer; every read is bounds-checked against the whole buffer. */
export class WireReader {
  pos = 0;
  readonly buf: Buffer;
  readonly len: number;

  constructor(buf: Buffer) {
    this.buf = buf;
    this.len = buf.length;
  }

  fail(what: string): never {
    throw new ProtobufDecodeError(`${what} at offset ${this.pos} of ${this.len}`);
  }

  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= this.len) this.fail('truncated varint');
      const b = buf[pos++]!;
      value += shift < 28 ? (b & 0x7f) << shift : (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    // Negative int32 values are sign-extended to ten bytes; the low 32 bits are already read.
    for (let i = 0; i < 5; i++) {
      if (pos >= this.len) this.fail('truncated varint');
      if (buf[pos++]! < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    return this.fail('varint longer than 10 bytes');
  }

  int32(): number {
    return this.uint32() | 0;
  }

  sint32(): number {
    const n = this.uint32();
    return (n >>> 1) ^ -(n & 1);
  }

  /** Low and high 32-bit halves of a varint64, left in lo/hi to avoid allocating. */
  private lo = 0;
  private hi = 0;

  private varint64(): void {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.len) this.fail('truncated varint');
      const b = buf[pos++]!;
      if (i < 4) lo |= (b & 0x7f) << (i * 7);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (i * 7 - 32);
      if (b < 0x80) {
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    this.fail('varint longer than 10 bytes');
  }

  uint64(): number {
    this.varint64();
    return this.hi * TWO_POW_32 + this.lo;
  }

  int64(): number {
    this.varint64();
    return signed64(this.lo, this.hi);
  }

  sint64(): number {
    this.varint64();
    const negative = this.lo & 1;
    const lo = ((this.lo >>> 1) | (this.hi << 31)) >>> 0;
    const hi = this.hi >>> 1;
    const magnitude = hi * TWO_POW_32 + lo;
    return negative ? -magnitude - 1 : magnitude;
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  private need(bytes: number): number {
    const start = this.pos;
    if (start + bytes > this.len) this.fail(`truncated ${bytes}-byte field`);
    this.pos = start + bytes;
    return start;
  }

  fixed32(): number {
    return this.buf.readUInt32LE(this.need(4));
  }

  sfixed32(): number {
    return this.buf.readInt32LE(this.need(4));
  }

  float(): number {
    return this.buf.readFloatLE(this.need(4));
  }

  double(): number {
    return this.buf.readDoubleLE(this.need(8));
  }

  fixed64(): number {
    const start = this.need(8);
    return this.buf.readUInt32LE(start + 4) * TWO_POW_32 + this.buf.readUInt32LE(start);
  }

  sfixed64(): number {
    const start = this.need(8);
    return signed64(this.buf.readUInt32LE(start), this.buf.readUInt32LE(start + 4));
  }

  /** End offset of a length-delimited field whose length prefix is next. */
  delimitedEnd(): number {
    const length = this.uint32();
    const end = this.pos + length;
    if (end > this.len) this.fail(`length ${length} runs past the end`);
    return end;
  }

  string(): string {
    const end = this.delimitedEnd();
    const start = this.pos;
    this.pos = end;
    return asciiOrUtf8(this.buf, start, end);
  }

  bytes(): string {
    const end = this.delimitedEnd();
    const start = this.pos;
    this.pos = end;
    return this.buf.toString('base64', start, end);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint64();
        return;
      case 1:
        this.need(8);
        return;
      case 2:
        this.pos = this.delimitedEnd();
        return;
      case 3:
        for (;;) {
          const tag = this.uint32();
          if ((tag & 7) === 4) return;
          this.skip(tag & 7);
        }
      case 5:
        this.need(4);
        return;
      default:
        this.fail(`invalid wire type ${wireType}`);
    }
  }

  /** Checks that a message ended exactly where its length prefix said. */
  endAt(end: number): void {
    if (this.pos !== end) this.fail('message overruns its length');
  }

  missing(typeName: string, field: string): never {
    throw new ProtobufDecodeError(`${typeName} is missing required field '${field}'`);
  }
}

function signed64(lo: number, hi: number): number {
  if (hi & 0x80000000) {
    const negLo = (~lo + 1) >>> 0;
    const negHi = (~hi + (negLo === 0 ? 1 : 0)) >>> 0;
    return -(negHi * TWO_POW_32 + negLo);
  }
  return hi * TWO_POW_32 + lo;
}

/** Node's Buffer has these natives behind toString(); calling them directly skips its argument checks. */
interface BufferSlices {
  utf8Slice(start: number, end: number): string;
}

/** Most wire strings are short ASCII ids and names; building those by hand beats a native call. */
function asciiOrUtf8(buf: Buffer, start: number, end: number): string {
  if (end - start <= 16) {
    let text = '';
    let i = start;
    for (; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80) break;
      text += String.fromCharCode(c);
    }
    if (i === end) return text;
  }
  return (buf as unknown as BufferSlices).utf8Slice(start, end);
}

/** Wire type each scalar uses when not packed. */
const SCALAR_WIRE_TYPE: Readonly<Record<string, number>> = {
  double: 1,
  float: 5,
  int32: 0,
  uint32: 0,
  sint32: 0,
  fixed32: 5,
  sfixed32: 5,
  int64: 0,
  uint64: 0,
  sint64: 0,
  fixed64: 1,
  sfixed64: 1,
  bool: 0,
  string: 2,
  bytes: 2,
};

export type MessageDecoder = (reader: WireReader, end: number) => Record<string, unknown>;

/**
 * Compiles decoders for every message type reachable from `root`, keyed by full name without
 * the leading dot ('mesos.v1.scheduler.Event').
 */
export function compileDecoders(root: protobuf.Root): ReadonlyMap<string, MessageDecoder> {
  const types: protobuf.Type[] = [];
  collectTypes(root, types);
  const indexOf = new Map<protobuf.Type, number>(types.map((type, i) => [type, i]));
  const enumTables: Array<Readonly<Record<number, string>>> = [];
  const enumIndex = new Map<protobuf.Enum, number>();
  const enumTableOf = (e: protobuf.Enum): number => {
    let index = enumIndex.get(e);
    if (index === undefined) {
      index = enumTables.length;
      enumTables.push({ ...e.valuesById });
      enumIndex.set(e, index);
    }
    return index;
  };

  const sources = types.map((type, i) => `D[${i}] = ${generate(type, indexOf, enumTableOf)};`);
  const decoders: MessageDecoder[] = new Array<MessageDecoder>(types.length);
  // The generated code only names fields of our own proto/ files, each quoted with JSON.stringify.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated decoders, see above
  const build = new Function('D', 'E', `'use strict';\n${sources.join('\n')}`) as (
    decoders: MessageDecoder[],
    enums: ReadonlyArray<Readonly<Record<number, string>>>,
  ) => void;
  build(decoders, enumTables);
  return new Map(types.map((type, i) => [type.fullName.slice(1), decoders[i]!]));
}

function collectTypes(namespace: protobuf.NamespaceBase, into: protobuf.Type[]): void {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) into.push(nested);
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) collectTypes(nested, into);
  }
}

/** Expression reading one value of `field` (not its tag) from reader `r`. */
function readValue(field: protobuf.FieldBase, indexOf: ReadonlyMap<protobuf.Type, number>, enumTableOf: (e: protobuf.Enum) => number): string {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    return `D[${indexOf.get(resolved)}](r, r.delimitedEnd())`;
  }
  if (resolved instanceof protobuf.Enum) {
    return `(n = r.int32(), E[${enumTableOf(resolved)}][n] ?? n)`;
  }
  if (!(field.type in SCALAR_WIRE_TYPE)) throw new Error(`unsupported field type ${field.type}`);
  return `r.${field.type}()`;
}

function wireTypeOf(field: protobuf.FieldBase): number {
  return field.resolvedType instanceof protobuf.Type ? 2 : field.resolvedType ? 0 : SCALAR_WIRE_TYPE[field.type]!;
}

function generate(type: protobuf.Type, indexOf: ReadonlyMap<protobuf.Type, number>, enumTableOf: (e: protobuf.Enum) => number): string {
  const cases: string[] = [];
  for (const field of type.fieldsArray) {
    const key = JSON.stringify(field.name);
    const wireType = wireTypeOf(field);
    let body: string;
    if (field instanceof protobuf.MapField) {
      body = mapCase(field, key, indexOf, enumTableOf);
    } else if (field.repeated) {
      const value = readValue(field, indexOf, enumTableOf);
      const packable = wireType !== 2;
      body =
        `{ const list = o[${key}] ?? (o[${key}] = []);` +
        (packable
          ? ` if (w === 2) { const e = r.delimitedEnd(); while (r.pos < e) list.push(${value}); r.endAt(e); }` +
            ` else if (w === ${wireType}) list.push(${value}); else r.skip(w); }`
          : ` if (w === 2) list.push(${value}); else r.skip(w); }`);
    } else {
      body = `if (w === ${wireType}) o[${key}] = ${readValue(field, indexOf, enumTableOf)}; else r.skip(w);`;
    }
    cases.push(`      case ${field.id}: ${body} break;`);
  }
  const typeName = JSON.stringify(type.fullName.slice(1));
  const required = type.fieldsArray
    .filter((field) => field.required)
    .map((field) => `  if (o[${JSON.stringify(field.name)}] === undefined) r.missing(${typeName}, ${JSON.stringify(field.name)});`);
  return [
    `function (r, end) {`,
    `  const o = {}; let n;`,
    `  while (r.pos < end) {`,
    `    const t = r.uint32(), w = t & 7;`,
    `    switch (t >>> 3) {`,
    ...cases,
    `      default: r.skip(w);`,
    `    }`,
    `  }`,
    `  r.endAt(end);`,
    ...required,
    `  return o;`,
    `}`,
  ].join('\n');
}

/** Map entries are messages of key = 1 and value = 2; the JSON mapping is a plain object. */
function mapCase(field: protobuf.MapField, key: string, indexOf: ReadonlyMap<protobuf.Type, number>, enumTableOf: (e: protobuf.Enum) => number): string {
  const keyRead = `r.${field.keyType}()`;
  const valueRead = readValue(field, indexOf, enumTableOf);
  const keyWire = SCALAR_WIRE_TYPE[field.keyType]!;
  const valueWire = wireTypeOf(field);
  const emptyValue = field.resolvedType instanceof protobuf.Type ? '{}' : 'undefined';
  return (
    `if (w !== 2) { r.skip(w); break; }` +
    ` { const map = o[${key}] ?? (o[${key}] = {}); const e = r.delimitedEnd(); let k = ${field.keyType === 'string' ? "''" : '0'}, v = ${emptyValue};` +
    ` while (r.pos < e) { const et = r.uint32(), ew = et & 7;` +
    ` if ((et >>> 3) === 1 && ew === ${keyWire}) k = ${keyRead};` +
    ` else if ((et >>> 3) === 2 && ew === ${valueWire}) v = ${valueRead};` +
    ` else r.skip(ew); }` +
    ` r.endAt(e); if (v !== undefined) map[k] = v; }`
  );
}
