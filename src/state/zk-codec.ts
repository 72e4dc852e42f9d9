/**
 * How the ZooKeeper store turns (collection, key, JSON) into znodes: keys escaped into valid node
 * names, spread over a few bucket nodes, and values framed with a one-byte tag that says whether
 * the JSON is stored plain or gzip-compressed.
 *
 * Size budget: store.ts caps a value at MAX_VALUE_BYTES (1,000,000) bytes of JSON. Compressed
 * values only exist when they are smaller than the plain JSON, so node data never exceeds
 * 1,000,001 bytes, which leaves room for the request header and path within ZooKeeper's default
 * jute.maxbuffer (1,048,575 bytes). Values are therefore never chunked across nodes.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { StoreError } from './errors.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** First byte of every value node. New framings get new tags; unknown tags read as corrupt. */
export const VALUE_TAG_JSON = 0x01;
export const VALUE_TAG_GZIP_JSON = 0x02;

/** Marathon compresses values above 64 KiB; below that gzip saves little and costs CPU. */
export const DEFAULT_COMPRESSION_THRESHOLD_BYTES = 64 * 1024;

/** Bucket nodes per collection, as Marathon's 16: keeps every getChildren answer small. */
export const BUCKET_COUNT = 16;

/**
 * Printable ASCII except `/` (the path separator) and `%` (the escape character) stays as is,
 * so node names remain readable in zkCli; everything else becomes %XX of its UTF-8 bytes.
 */
function isPlainByte(byte: number): boolean {
  return byte > 0x20 && byte < 0x7f && byte !== 0x2f && byte !== 0x25;
}

/** A store key as a znode name; injective, and decodeNodeName inverts it. */
export function encodeNodeName(key: string): string {
  // `.` and `..` are the only printable names ZooKeeper refuses as path segments.
  if (key === '.') return '%2E';
  if (key === '..') return '%2E%2E';
  let name = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    name += isPlainByte(byte) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return name;
}

/** Names of plain bytes only (no escapes), `.` and `..` aside: the name is the key. */
const PLAIN_NAME = /^[\x21-\x24\x26-\x2e\x30-\x7e]+$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The key a node name stands for, or undefined when the name is not one encodeNodeName makes. */
export function decodeNodeName(name: string): string | undefined {
  if (PLAIN_NAME.test(name)) return name === '.' || name === '..' ? undefined : name;
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code === 0x25) {
      const hex = name.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (isPlainByte(code)) {
      bytes.push(code);
    } else {
      return undefined;
    }
  }
  let key: string;
  try {
    key = UTF8.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
  return encodeNodeName(key) === name ? key : undefined;
}

/** Bucket node name (`0`..`f`) for a key: FNV-1a over its UTF-8 bytes, so it is stable across versions. */
export function bucketOf(key: string): string {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % BUCKET_COUNT).toString(16);
}

export function bucketNames(): string[] {
  return Array.from({ length: BUCKET_COUNT }, (_, i) => i.toString(16));
}

/** Frames a JSON text for a node, gzip-compressing it when it is past the threshold and that helps. */
export async function encodeNodeValue(json: string, compressionThresholdBytes: number): Promise<Buffer> {
  const plain = Buffer.from(json, 'utf8');
  if (plain.length > compressionThresholdBytes) {
    const compressed = await gzipAsync(plain);
    if (compressed.length < plain.length) return Buffer.concat([Buffer.of(VALUE_TAG_GZIP_JSON), compressed]);
  }
  return Buffer.concat([Buffer.of(VALUE_TAG_JSON), plain]);
}

/** Reads a framed node value back into the stored JSON value. */
export async function decodeNodeValue(data: Buffer, where: string): Promise<unknown> {
  const plain = decodePlainNodeValue(data, where);
  if (plain !== undefined) return plain.value;
  let text: string;
  try {
    text = (await gunzipAsync(data.subarray(1))).toString('utf8');
  } catch (err) {
    throw new StoreError('PACER_STORE_CORRUPT', `stored value of ${where} does not decompress: ${(err as Error).message}`, { cause: err });
  }
  return parseStoredJson(text, where);
}

/**
 * The value of a node stored as plain JSON, decoded at once; undefined when it is compressed (use
 * decodeNodeValue). A listing decodes 100,000 values, and a promise each was a good part of it.
 */
export function decodePlainNodeValue(data: Buffer, where: string): { value: unknown } | undefined {
  if (data.length === 0) throw new StoreError('PACER_STORE_CORRUPT', `stored value of ${where} is empty`);
  switch (data[0]) {
    case VALUE_TAG_JSON:
      return { value: parseStoredJson(data.toString('utf8', 1), where) };
    case VALUE_TAG_GZIP_JSON:
      return undefined;
    default:
      throw new StoreError('PACER_STORE_CORRUPT', `stored value of ${where} has unknown framing tag 0x${data[0]!.toString(16)}`);
  }
}

function parseStoredJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new StoreError('PACER_STORE_CORRUPT', `stored value of ${where} is not valid JSON`, { cause: err });
  }
}
