/**
 * The state layer's contract: a small durable key-value store split into named collections.
 * The embedded SQLite store and the ZooKeeper store implement it with the same semantics, which
 * this file pins down; the validation helpers below are shared so both refuse the same input.
 *
 * Semantics every implementation keeps:
 * - Values are JSON. What `get`/`list` return is `JSON.parse(JSON.stringify(value))` of what was
 *   put: `Date`s come back as strings, `undefined` properties vanish. The type parameter of
 *   `get`/`list` is the caller's claim, not checked.
 * - `apply` is atomic (all writes of a batch or none) and durable once its promise resolves.
 *   Writes inside a batch take effect in order; a later write to the same key wins. Deleting a
 *   missing key is not an error. Batches commit in the order `apply` was called.
 * - Values are snapshotted when `apply` is called: mutating an object afterwards does not change
 *   what is stored.
 * - Reads see committed batches only. A read issued while an `apply` is still pending may or may
 *   not see that batch; await the `apply` first to read your own write.
 * - `list` returns entries ordered by key in Unicode code point order (`compareKeys`).
 * - A rejected `apply` wrote nothing. Errors are `StoreError`s (see errors.ts); `PACER_STORE_IO` means
 *   the backend is failing and the caller should stop rather than retry blindly. `PACER_STORE_FULL`
 *   and `PACER_STORE_READ_ONLY` mean the disk refused the write; the store is intact and takes writes
 *   again once an operator frees space or makes it writable.
 */
import { StoreError, StoreLimitError } from './errors.js';

/**
 * Every collection Pacer stores. Adding one is a one-line change here; implementations refuse
 * names not listed, so a typo cannot silently create a new collection.
 */
export const COLLECTIONS = [
  'apps',
  'appVersions',
  'pods',
  'podVersions',
  'groups',
  'groupVersions',
  'instances',
  'deployments',
  'launchDelays',
  'taskFailures',
  'framework',
  'meta',
] as const;

export type Collection = (typeof COLLECTIONS)[number];

export type StoreWrite = { op: 'put'; collection: Collection; key: string; value: unknown } | { op: 'delete'; collection: Collection; key: string };

export interface StoreEntry<T> {
  key: string;
  value: T;
}

export interface Store {
  get<T>(collection: Collection, key: string): Promise<T | undefined>;
  /** Entries whose key starts with `prefix` (all entries without one), ordered by key. */
  list<T>(collection: Collection, prefix?: string): Promise<Array<StoreEntry<T>>>;
  /** Atomic and durable when the promise resolves: after it resolves, kill -9 cannot lose it. */
  apply(writes: readonly StoreWrite[]): Promise<void>;
  /** Commits batches already passed to `apply`, then releases the store. Idempotent. */
  close(): Promise<void>;
}

/** Limits shared by every backend; ZooKeeper's 1 MiB node limit is the binding one. */
export const MAX_KEY_LENGTH = 1024;
export const MAX_VALUE_BYTES = 1_000_000;

const COLLECTION_SET: ReadonlySet<string> = new Set(COLLECTIONS);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isCollection(name: string): name is Collection {
  return COLLECTION_SET.has(name);
}

export function validateCollection(name: string): asserts name is Collection {
  if (!isCollection(name)) {
    throw new StoreError('PACER_STORE_INVALID_COLLECTION', `unknown collection '${name}' (known: ${COLLECTIONS.join(', ')})`);
  }
}

/**
 * Keys are non-empty strings of at most MAX_KEY_LENGTH UTF-16 units, without NUL and without
 * lone surrogates (which no backend can store faithfully). Slashes are allowed: app ids are
 * paths; a ZooKeeper backend escapes them into node names.
 */
export function validateKey(key: string, what: 'key' | 'prefix' = 'key'): void {
  if (typeof key !== 'string') throw new StoreError('PACER_STORE_INVALID_KEY', `${what} must be a string`);
  if (what === 'key' && key.length === 0) throw new StoreError('PACER_STORE_INVALID_KEY', 'key must not be empty');
  if (key.length > MAX_KEY_LENGTH) {
    throw new StoreLimitError(
      'PACER_STORE_INVALID_KEY',
      `${what} is ${key.length} characters long; the store's limit is ${MAX_KEY_LENGTH} characters`,
      MAX_KEY_LENGTH,
    );
  }
  if (key.includes('\u0000')) throw new StoreError('PACER_STORE_INVALID_KEY', `${what} must not contain NUL`);
  if (LONE_SURROGATE.test(key)) throw new StoreError('PACER_STORE_INVALID_KEY', `${what} contains a lone UTF-16 surrogate`);
}

/** Serialises a value for storage, refusing what JSON cannot represent or what is too large. */
export function encodeValue(value: unknown, where: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new StoreError('PACER_STORE_INVALID_VALUE', `value of ${where} is not JSON-serialisable: ${(err as Error).message}`, { cause: err });
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify returns undefined for undefined, functions, symbols
  if (text === undefined) {
    throw new StoreError('PACER_STORE_INVALID_VALUE', `value of ${where} is not JSON-serialisable (${typeof value})`);
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_VALUE_BYTES) {
    throw new StoreLimitError(
      'PACER_STORE_INVALID_VALUE',
      `value of ${where} is ${bytes} bytes as JSON; the store's limit is ${MAX_VALUE_BYTES} bytes per value`,
      MAX_VALUE_BYTES,
    );
  }
  return text;
}

export type EncodedWrite = { op: 'put'; collection: Collection; key: string; json: string } | { op: 'delete'; collection: Collection; key: string };

/** Array.isArray without widening a typed array to `any[]`. */
const isArray = (value: unknown): value is readonly unknown[] => Array.isArray(value);

/**
 * Validates and serialises a whole batch up front, so a bad write rejects the batch before
 * anything reaches the backend, and later mutation of the caller's objects changes nothing.
 */

export function encodeBatch(writes: readonly StoreWrite[]): EncodedWrite[] {
  if (!isArray(writes)) throw new StoreError('PACER_STORE_INVALID_VALUE', 'apply expects an array of writes');
  return writes.map((write, index) => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- apply() also gets writes from plain JS; each is checked, not trusted
    const where = `write #${index} (${String(write?.collection)}/${String(write?.key)})`;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- as above
    if (write === null || typeof write !== 'object') throw new StoreError('PACER_STORE_INVALID_VALUE', `${where} is not a write`);
    validateCollection(write.collection);
    validateKey(write.key);
    switch (write.op) {
      case 'put':
        return { op: 'put', collection: write.collection, key: write.key, json: encodeValue(write.value, where) };
      case 'delete':
        return { op: 'delete', collection: write.collection, key: write.key };
      default:
        throw new StoreError('PACER_STORE_INVALID_VALUE', `${where} has unknown op '${String((write as { op: unknown }).op)}'`);
    }
  });
}

/**
 * Sorts entries into `list` order in place. Without surrogate pairs, UTF-16 code unit order (the
 * engine's own string comparison) is code point order, and far cheaper than compareKeys over
 * 100,000 keys.
 */
export function sortByKey<T extends { key: string }>(entries: T[]): T[] {
  const exact = entries.some((entry) => SURROGATE.test(entry.key));
  return entries.sort(exact ? (a, b) => compareKeys(a.key, b.key) : (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
const SURROGATE = /[\uD800-\uDFFF]/;

/** Unicode code point order, which is also UTF-8 byte order: the order `list` returns. */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
