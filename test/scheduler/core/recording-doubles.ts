/**
 * Doubles for core tests that must see the order of persistence and Mesos calls: a store that
 * logs every committed batch and a driver that logs every call, both into the same journal.
 */
import type { DriverEvent } from '../../../src/mesos/driver-types.js';
import type { DriverPort } from '../../../src/scheduler/core/driver-port.js';
import type { Collection, Store, StoreEntry, StoreWrite } from '../../../src/state/store.js';

export type Entry = { kind: 'store'; writes: StoreWrite[] } | { kind: 'call'; type: string; args: unknown[] };

export const kinds = (journal: readonly Entry[]): string[] => journal.map((e) => (e.kind === 'store' ? 'store' : e.type));

export class JournalStore implements Store {
  readonly data = new Map<string, unknown>();
  failNext = false;
  applies = 0;
  constructor(readonly journal: Entry[]) {}
  get<T>(collection: Collection, key: string): Promise<T | undefined> {
    return Promise.resolve(this.data.get(`${collection}/${key}`) as T | undefined);
  }
  list<T>(collection: Collection): Promise<Array<StoreEntry<T>>> {
    const prefix = `${collection}/`;
    return Promise.resolve([...this.data].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => ({ key: k.slice(prefix.length), value: v as T })));
  }
  async apply(writes: readonly StoreWrite[]): Promise<void> {
    this.applies++;
    await new Promise((r) => setImmediate(r)); // durable "later", as a real store is
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    this.journal.push({ kind: 'store', writes: [...writes] });
    for (const w of writes) {
      if (w.op === 'put') this.data.set(`${w.collection}/${w.key}`, structuredClone(w.value));
      else this.data.delete(`${w.collection}/${w.key}`);
    }
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export interface RecordingDriverOptions {
  /** What events() yields; by default nothing, ever. */
  events?: AsyncIterable<DriverEvent>;
  /** Calls of these types are journaled at once but answered only by `release(type)`. */
  held?: ReadonlySet<string>;
}

export interface RecordingDriver extends DriverPort {
  /** Answers every held call of this type made so far. */
  release(type: string): void;
}

export function recordingDriver(journal: Entry[], opts: RecordingDriverOptions = {}): RecordingDriver {
  const waiting = new Map<string, Array<() => void>>();
  const record =
    (type: string) =>
    (...args: unknown[]) => {
      journal.push({ kind: 'call', type, args });
      if (!opts.held?.has(type)) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const list = waiting.get(type) ?? [];
        list.push(resolve);
        waiting.set(type, list);
      });
    };
  const never: AsyncIterable<DriverEvent> = { [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<DriverEvent>>(() => undefined) }) };
  return {
    frameworkId: 'fw-1',
    master: 'http://127.0.0.1:5050/api/v1/scheduler',
    state: 'subscribed',
    start: () => undefined,
    close: () => Promise.resolve(),
    events: () => opts.events ?? never,
    accept: record('ACCEPT'),
    decline: record('DECLINE'),
    suppress: record('SUPPRESS'),
    revive: record('REVIVE'),
    kill: record('KILL'),
    acknowledge: record('ACKNOWLEDGE'),
    reconcile: record('RECONCILE'),
    release(type: string) {
      for (const resolve of waiting.get(type) ?? []) resolve();
      waiting.delete(type);
    },
  };
}
