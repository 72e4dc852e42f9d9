/**
 * An in-memory Store with the contract's semantics (JSON snapshots, atomic batches, key order).
 * For unit tests of deployment logic; the resume test uses the real SQLite store.
 */
import { compareKeys, encodeBatch, type Collection, type Store, type StoreEntry, type StoreWrite } from '../../../src/state/store.js';

export class MemoryStore implements Store {
  readonly data = new Map<Collection, Map<string, string>>();
  batches = 0;
  /** When set, the next apply rejects with this error and writes nothing. */
  failNext: Error | undefined;

  async get<T>(collection: Collection, key: string): Promise<T | undefined> {
    const json = this.data.get(collection)?.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  async list<T>(collection: Collection, prefix = ''): Promise<Array<StoreEntry<T>>> {
    const entries = [...(this.data.get(collection) ?? new Map<string, string>())]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => compareKeys(a, b));
    return entries.map(([key, json]) => ({ key, value: JSON.parse(json) as T }));
  }

  async apply(writes: readonly StoreWrite[]): Promise<void> {
    const encoded = encodeBatch(writes);
    if (this.failNext !== undefined) {
      const err = this.failNext;
      this.failNext = undefined;
      throw err;
    }
    for (const write of encoded) {
      const collection = this.data.get(write.collection) ?? new Map<string, string>();
      this.data.set(write.collection, collection);
      if (write.op === 'put') collection.set(write.key, write.json);
      else collection.delete(write.key);
    }
    this.batches++;
  }

  async close(): Promise<void> {}

  keys(collection: Collection): string[] {
    return [...(this.data.get(collection)?.keys() ?? [])].sort(compareKeys);
  }
}
