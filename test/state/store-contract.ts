// The semantics store.ts promises, as one suite every Store implementation runs: call
// `storeContract(name, newLocation)` inside a test file. Backend-specific behaviour (locking,
// migrations, sessions) stays in the backend's own tests.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/state/errors.js';
import { compareKeys, MAX_KEY_LENGTH, MAX_VALUE_BYTES, type Collection, type Store, type StoreWrite } from '../../src/state/store.js';

/** A fresh, empty place to keep state; `open` may be called again after `close` to reopen it. */
export interface StoreLocation {
  open(): Promise<Store>;
  /** Removes what the location holds; called after each test. */
  dispose(): Promise<void>;
}

export const put = (collection: Collection, key: string, value: unknown): StoreWrite => ({ op: 'put', collection, key, value });
export const del = (collection: Collection, key: string): StoreWrite => ({ op: 'delete', collection, key });

export function storeContract(name: string, newLocation: () => Promise<StoreLocation>): void {
  describe(`${name} keeps the Store contract`, () => {
    const stores: Store[] = [];
    const locations: StoreLocation[] = [];

    async function fresh(): Promise<{ location: StoreLocation; store: Store }> {
      const location = await newLocation();
      locations.push(location);
      return { location, store: await openAt(location) };
    }

    async function openAt(location: StoreLocation): Promise<Store> {
      const store = await location.open();
      stores.push(store);
      return store;
    }

    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close();
      for (const location of locations.splice(0)) await location.dispose();
    });

    it('puts, gets, overwrites and deletes values as JSON', async () => {
      const { store } = await fresh();
      expect(await store.get('apps', '/web')).toBeUndefined();
      await store.apply([put('apps', '/web', { id: '/web', instances: 2, at: new Date('2024-01-02T03:04:05.000Z'), gone: undefined })]);
      expect(await store.get('apps', '/web')).toEqual({ id: '/web', instances: 2, at: '2024-01-02T03:04:05.000Z' });
      await store.apply([put('apps', '/web', { id: '/web', instances: 5 })]);
      expect(await store.get('apps', '/web')).toEqual({ id: '/web', instances: 5 });
      await store.apply([put('framework', 'id', 'a-b-c'), put('meta', 'n', 0), put('meta', 'null', null), put('meta', 'unicode', 'é😀\u2028')]);
      expect(await store.get('framework', 'id')).toBe('a-b-c');
      expect(await store.get('meta', 'n')).toBe(0);
      expect(await store.get('meta', 'null')).toBeNull();
      expect(await store.get('meta', 'unicode')).toBe('é😀\u2028');
      await store.apply([del('apps', '/web'), del('apps', '/never-existed')]);
      expect(await store.get('apps', '/web')).toBeUndefined();
    });

    it('stores keys with slashes, dots, percent signs, spaces and non-ASCII apart from each other', async () => {
      const { store } = await fresh();
      const keys = ['/', '.', '..', '/a/b', 'a/b', '/a%2Fb', '%', 'a b', '/prod/web.instance-1._app.1', 'é', '\uffff', '😀', 'k'.repeat(MAX_KEY_LENGTH)];
      await store.apply(keys.map((key, i) => put('instances', key, i)));
      for (const [i, key] of keys.entries()) expect(await store.get('instances', key)).toBe(i);
      expect((await store.list('instances')).map((e) => e.key)).toEqual([...keys].sort(compareKeys));
    });

    it('keeps collections apart and lists by prefix in code point order', async () => {
      const { store } = await fresh();
      const keys = ['/prod/web', '/prod/api', '/prod2/x', '/dev/web', 'a*b', 'a?c', 'a[1]', 'aXb', 'A', 'é', '\uffff', '😀', '/prod'];
      await store.apply(keys.map((key, i) => put('instances', key, i)));
      await store.apply([put('apps', '/prod/other-collection', true)]);

      const all = await store.list<number>('instances');
      expect(all.map((e) => e.key)).toEqual([...keys].sort(compareKeys));
      // Code point order, not UTF-16 order: U+FFFF sorts before U+1F600 although its code unit is higher.
      expect(all.map((e) => e.key).slice(-2)).toEqual(['\uffff', '😀']);
      expect(await store.list('instances', '')).toEqual(all);
      expect(await store.list<number>('instances', '/prod/')).toEqual([
        { key: '/prod/api', value: 1 },
        { key: '/prod/web', value: 0 },
      ]);
      expect((await store.list('instances', '/prod')).map((e) => e.key)).toEqual(['/prod', '/prod/api', '/prod/web', '/prod2/x']);
      expect((await store.list('instances', 'a*')).map((e) => e.key)).toEqual(['a*b']);
      expect((await store.list('instances', 'a[')).map((e) => e.key)).toEqual(['a[1]']);
      expect((await store.list('instances', 'a')).map((e) => e.key)).toEqual(['a*b', 'a?c', 'aXb', 'a[1]']);
      expect(await store.list('instances', 'zzz')).toEqual([]);
      expect(await store.list('apps')).toEqual([{ key: '/prod/other-collection', value: true }]);
      expect(await store.list('groups')).toEqual([]);
    });

    it('applies the writes of a batch in order; the last write to a key wins', async () => {
      const { store } = await fresh();
      await store.apply([
        put('deployments', 'd1', 1),
        del('deployments', 'd1'),
        del('deployments', 'd2'),
        put('deployments', 'd2', 2),
        put('deployments', 'd2', 3),
      ]);
      expect(await store.list('deployments')).toEqual([{ key: 'd2', value: 3 }]);
      await store.apply([put('deployments', 'd3', 1), del('deployments', 'd2'), del('deployments', 'd3')]);
      expect(await store.list('deployments')).toEqual([]);
      await store.apply([]);
    });

    it('stores a snapshot of the value taken when apply is called', async () => {
      const { store } = await fresh();
      const app = { id: '/snap', instances: 1 };
      const done = store.apply([put('apps', app.id, app)]);
      app.instances = 99;
      await done;
      expect(await store.get('apps', '/snap')).toEqual({ id: '/snap', instances: 1 });
    });

    it('round-trips large values, up to the size limit', async () => {
      const { store } = await fresh();
      // Compressible (repetitive) and incompressible (random-looking) values past 64 KiB.
      const repetitive = { id: '/big', labels: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`label-${i}`, 'value '.repeat(10)])) };
      const noise = randomBytes(450_000).toString('base64');
      const atLimit = 'y'.repeat(MAX_VALUE_BYTES - 2); // JSON adds the two quotes
      await store.apply([put('apps', '/big', repetitive)]);
      await store.apply([put('apps', '/noise', noise)]);
      await store.apply([put('apps', '/limit', atLimit)]);
      expect(await store.get('apps', '/big')).toEqual(repetitive);
      expect(await store.get('apps', '/noise')).toBe(noise);
      expect(await store.get('apps', '/limit')).toBe(atLimit);
      expect((await store.list('apps')).map((e) => e.key)).toEqual(['/big', '/limit', '/noise']);
    });

    describe('atomic batches', () => {
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic.self = cyclic;
      const unserialisable: Array<[string, unknown]> = [
        ['a BigInt', { n: 10n }],
        ['a cycle', cyclic],
        ['undefined', undefined],
        ['a function', () => 1],
        ['a value over the size limit', 'x'.repeat(MAX_VALUE_BYTES)],
      ];
      for (const [what, value] of unserialisable) {
        it(`rejects a batch holding ${what} and writes none of it`, async () => {
          const { store } = await fresh();
          await store.apply([put('apps', '/keep', 'old')]);
          const attempt = store.apply([put('apps', '/keep', 'new'), put('apps', '/first', 1), put('apps', '/bad', value), put('apps', '/last', 2)]);
          await expect(attempt).rejects.toBeInstanceOf(StoreError);
          await expect(attempt).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_VALUE' });
          expect(await store.list('apps')).toEqual([{ key: '/keep', value: 'old' }]);
        });
      }

      it('rejects bad keys, collections and ops with typed errors and writes nothing', async () => {
        const { store } = await fresh();
        for (const key of ['', 'a\u0000b', 'lone\ud800', '\udc00x', 'k'.repeat(MAX_KEY_LENGTH + 1)]) {
          await expect(store.apply([put('apps', 'ok', 1), put('apps', key, 1)])).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_KEY' });
          await expect(store.get('apps', key)).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_KEY' });
        }
        await expect(store.list('apps', 'p\u0000')).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_KEY' });
        const wrongCollection = { op: 'put', collection: 'appz', key: 'k', value: 1 } as unknown as StoreWrite;
        await expect(store.apply([put('apps', 'ok', 1), wrongCollection])).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_COLLECTION' });
        await expect(store.get('appz' as Collection, 'k')).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_COLLECTION' });
        await expect(store.list('appz' as Collection)).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_COLLECTION' });
        const wrongOp = { op: 'upsert', collection: 'apps', key: 'k', value: 1 } as unknown as StoreWrite;
        await expect(store.apply([put('apps', 'ok', 1), wrongOp])).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_VALUE' });
        await expect(store.apply([put('apps', 'ok', 1), null as unknown as StoreWrite])).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_VALUE' });
        expect(await store.list('apps')).toEqual([]);
      });

      it('commits concurrent batches in call order, each atomically', async () => {
        const { store } = await fresh();
        const results = await Promise.allSettled(
          Array.from({ length: 200 }, (_, i) =>
            store.apply(
              i === 100
                ? [put('launchDelays', 'bad-batch', 1), put('launchDelays', 'last', { n: 10n })]
                : [put('launchDelays', `n${String(i).padStart(3, '0')}`, i), put('launchDelays', 'last', i)],
            ),
          ),
        );
        expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
        expect(results[100]).toMatchObject({ status: 'rejected', reason: { code: 'PACER_STORE_INVALID_VALUE' } });
        expect(await store.get('launchDelays', 'last')).toBe(199);
        expect(await store.get('launchDelays', 'bad-batch')).toBeUndefined();
        expect(await store.list('launchDelays', 'n')).toHaveLength(199);
      });

      it('never lets a listing see part of a batch', async () => {
        const { store } = await fresh();
        await store.apply([put('instances', 'counter', -1)]);
        // Batch i moves the counter to i and adds marker i: a listing that shows counter i must
        // show exactly the markers 0..i. Each round races one listing against one batch.
        for (let i = 0; i < 40; i++) {
          const [listing] = await Promise.all([
            store.list('instances'),
            store.apply([put('instances', 'counter', i), put('instances', `marker/${String(i).padStart(2, '0')}`, i)]),
          ]);
          const counter = listing.find((e) => e.key === 'counter')?.value as number;
          const markers = listing.filter((e) => e.key.startsWith('marker/')).map((e) => e.value);
          expect(markers).toEqual(Array.from({ length: counter + 1 }, (_, j) => j));
        }
      });
    });

    describe('lifecycle', () => {
      it('keeps everything across close and reopen, committing batches passed before close', async () => {
        const { location, store: first } = await fresh();
        await first.apply([put('groups', 'root', { id: '/', apps: ['/a'] }), put('instances', 'a.instance-1', { state: 'Running' })]);
        const pending = first.apply([put('instances', 'a.instance-2', { state: 'Staging' })]);
        await first.close();
        await pending;

        const second = await openAt(location);
        expect(await second.get('groups', 'root')).toEqual({ id: '/', apps: ['/a'] });
        expect((await second.list('instances')).map((e) => e.key)).toEqual(['a.instance-1', 'a.instance-2']);
      });

      it('refuses every call after close with PACER_STORE_CLOSED; close is idempotent', async () => {
        const { store } = await fresh();
        await store.close();
        await store.close();
        await expect(store.get('apps', 'a')).rejects.toMatchObject({ code: 'PACER_STORE_CLOSED' });
        await expect(store.list('apps')).rejects.toMatchObject({ code: 'PACER_STORE_CLOSED' });
        await expect(store.apply([put('apps', 'a', 1)])).rejects.toMatchObject({ code: 'PACER_STORE_CLOSED' });
      });
    });
  });
}
