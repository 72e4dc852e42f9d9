// ZooKeeper-specific behaviour of ZkStore on a real ZooKeeper server: layout and framing of
// nodes, the format node, failures inside a multi, ZooKeeper's request-size limit, fencing,
// session expiry and a connection that goes away. The shared semantics are in the contract test.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StoreFormatError, StoreLimitError } from '../../src/state/errors.js';
import { bucketOf, encodeNodeName, VALUE_TAG_GZIP_JSON, VALUE_TAG_JSON } from '../../src/state/zk-codec.js';
import { storeLocationFromFlags, zkStorageFromFlags, zkTimeoutsFromFlags } from '../../src/cli/serve-command.js';
import { openStore } from '../../src/state/open-store.js';
import { ZK_FORMAT_VERSION, ZkStore, zkStoreOpener, type ZkStoreOptions } from '../../src/state/zk-store.js';
import { ZkSession } from '../../src/zk/session.js';
import { expireSession, startZooKeeper, zookeeperTestsEnabled, type ZooKeeperServer } from '../helpers/zookeeper.js';
import { del, put } from './store-contract.js';
import { PausableProxy, removeTree, waitFor } from './zk-store.helpers.js';

const logger = pino({ level: 'silent' });

describe.runIf(zookeeperTestsEnabled())('ZkStore specifics', () => {
  let server: ZooKeeperServer;
  let admin: ZkSession;
  let next = 0;
  const stores: ZkStore[] = [];
  const paths: string[] = [];
  const proxies: PausableProxy[] = [];

  beforeAll(async () => {
    server = await startZooKeeper();
    admin = await ZkSession.connect(server.connectString, logger, { sessionTimeoutMs: 4_000 });
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const proxy of proxies.splice(0)) await proxy.close();
    for (const path of paths.splice(0)) await removeTree(admin, path);
  });
  afterAll(async () => {
    await admin?.close();
    await server?.stop();
  });

  function freshPath(): string {
    const path = `/specific-${++next}`;
    paths.push(path);
    return path;
  }

  async function open(path: string, opts: ZkStoreOptions = {}, connectString = server.connectString): Promise<ZkStore> {
    const store = await ZkStore.open(`zk://${connectString}${path}`, logger, { sessionTimeoutMs: 4_000, ...opts });
    stores.push(store);
    return store;
  }

  const entryNode = (path: string, collection: string, key: string): string => `${path}/state/entries/${collection}/${bucketOf(key)}/${encodeNodeName(key)}`;

  it('lays entries out as escaped nodes in buckets, with framed values compressed past the threshold', async () => {
    const path = freshPath();
    const store = await open(path);
    expect((await admin.getData(`${path}/state/meta/format`)).data.toString()).toBe(String(ZK_FORMAT_VERSION));

    const big = { id: '/prod/web', cmd: 'sleep 1000 '.repeat(10_000) };
    await store.apply([put('apps', '/prod/web', { id: '/prod/web' }), put('apps', '/prod/big', big)]);
    expect(entryNode(path, 'apps', '/prod/web')).toMatch(/\/state\/entries\/apps\/[0-9a-f]\/%2Fprod%2Fweb$/);

    const small = (await admin.getData(entryNode(path, 'apps', '/prod/web'))).data;
    expect(small[0]).toBe(VALUE_TAG_JSON);
    expect(small.subarray(1).toString()).toBe('{"id":"/prod/web"}');

    const compressed = (await admin.getData(entryNode(path, 'apps', '/prod/big'))).data;
    expect(compressed[0]).toBe(VALUE_TAG_GZIP_JSON);
    expect(compressed.length).toBeLessThan(JSON.stringify(big).length / 10);
    expect(await store.get('apps', '/prod/big')).toEqual(big);
  });

  it('refuses a store in a newer format, and a format node it cannot read', async () => {
    const newer = freshPath();
    await admin.create(`${newer}/state/meta/format`, Buffer.from(String(ZK_FORMAT_VERSION + 1)), { createParents: true });
    const attempt = open(newer);
    await expect(attempt).rejects.toBeInstanceOf(StoreFormatError);
    await expect(attempt).rejects.toMatchObject({ code: 'PACER_STORE_FORMAT_TOO_NEW', found: ZK_FORMAT_VERSION + 1, supported: ZK_FORMAT_VERSION });

    const garbage = freshPath();
    await admin.create(`${garbage}/state/meta/format`, Buffer.from('v1?'), { createParents: true });
    await expect(open(garbage)).rejects.toMatchObject({ code: 'PACER_STORE_CORRUPT' });
  });

  it('reports corrupt node data as PACER_STORE_CORRUPT', async () => {
    const path = freshPath();
    const store = await open(path);
    await store.apply([put('apps', '/a', 1)]);
    await admin.setData(entryNode(path, 'apps', '/a'), Buffer.from([0x7f, 0x31]));
    await expect(store.get('apps', '/a')).rejects.toMatchObject({ code: 'PACER_STORE_CORRUPT' });
    await admin.setData(entryNode(path, 'apps', '/a'), Buffer.from([VALUE_TAG_GZIP_JSON, 1, 2, 3]));
    await expect(store.list('apps')).rejects.toMatchObject({ code: 'PACER_STORE_CORRUPT' });
  });

  it('writes nothing when ZooKeeper refuses the multi part-way', async () => {
    const path = freshPath();
    const store = await open(path);
    await store.apply([put('apps', '/keep', 'old'), put('apps', '/blocked', 'x')]);
    // A child under an entry node makes its removal fail with NOT_EMPTY inside the multi.
    await admin.create(`${entryNode(path, 'apps', '/blocked')}/child`);

    const attempt = store.apply([put('apps', '/keep', 'new'), put('apps', '/created', 1), del('apps', '/blocked'), put('apps', '/after', 2)]);
    await expect(attempt).rejects.toMatchObject({ code: 'PACER_STORE_IO' });
    await expect(attempt).rejects.toThrow(/PACER_ZK_NOT_EMPTY/);
    expect(await store.list('apps')).toEqual([
      { key: '/blocked', value: 'x' },
      { key: '/keep', value: 'old' },
    ]);
    // The store keeps working for batches ZooKeeper accepts.
    await store.apply([put('apps', '/keep', 'newer')]);
    expect(await store.get('apps', '/keep')).toBe('newer');
  });

  it('follows --disable_zk_compression, --zk_compression_threshold and --zk_max_node_size, and reads records written either way', async () => {
    const path = freshPath();
    const big = { id: '/prod/big', cmd: 'sleep 1000 '.repeat(10_000) };
    // Written compressed by a store with Marathon's defaults.
    const compressing = await open(path, zkStorageFromFlags({}));
    await compressing.apply([put('apps', '/prod/big', big)]);
    expect((await admin.getData(entryNode(path, 'apps', '/prod/big'))).data[0]).toBe(VALUE_TAG_GZIP_JSON);
    await compressing.close();

    const plain = await open(path, zkStorageFromFlags({ zk_compression: false, zk_max_node_size: 150_000 }));
    expect(await plain.get('apps', '/prod/big')).toEqual(big);
    await plain.apply([put('apps', '/prod/big2', big)]);
    expect((await admin.getData(entryNode(path, 'apps', '/prod/big2'))).data[0]).toBe(VALUE_TAG_JSON);
    // Over the node size: refused as a whole, nothing written.
    const tooBig = { id: '/prod/huge', cmd: 'x'.repeat(200_000) };
    const refused = plain.apply([put('apps', '/prod/small', 1), put('apps', '/prod/huge', tooBig)]);
    await expect(refused).rejects.toBeInstanceOf(StoreLimitError);
    await expect(refused).rejects.toThrow(/zk_max_node_size/);
    expect(await plain.get('apps', '/prod/small')).toBeUndefined();
    await plain.close();

    const lowThreshold = await open(path, zkStorageFromFlags({ zk_compression_threshold: 100 }));
    await lowThreshold.apply([put('apps', '/prod/mid', { cmd: 'sleep 1 '.repeat(50) })]);
    expect((await admin.getData(entryNode(path, 'apps', '/prod/mid'))).data[0]).toBe(VALUE_TAG_GZIP_JSON);
    expect(await lowThreshold.get('apps', '/prod/big2')).toEqual(big);
  });

  it('refuses, as a whole, a batch too large for one ZooKeeper request', async () => {
    const path = freshPath();
    const store = await open(path);
    // Random base64 compresses to about 3/4, so each value needs some 600 kB in the request.
    const noise = (): string => randomBytes(600_000).toString('base64');
    const attempt = store.apply([put('apps', '/small', 1), put('apps', '/one', noise()), put('apps', '/two', noise())]);
    await expect(attempt).rejects.toMatchObject({ code: 'PACER_STORE_INVALID_VALUE' });
    await expect(attempt).rejects.toThrow(/jute\.maxbuffer/);
    expect(await store.list('apps')).toEqual([]);
    // Each half fits on its own.
    await store.apply([put('apps', '/one', noise())]);
    await store.apply([put('apps', '/two', noise())]);
    expect((await store.list('apps')).map((e) => e.key)).toEqual(['/one', '/two']);
  });

  it('writes a batch of new and known entries without asking ZooKeeper about each node first', async () => {
    const path = freshPath();
    const store = await open(path);
    const session = store.currentSession()!;
    // Lookups of entry nodes, that is; their bucket nodes are ensured once each.
    let lookups = 0;
    const exists = session.exists.bind(session);
    session.exists = (...args: Parameters<ZkSession['exists']>) => {
      if (args[0].includes('instance-')) lookups++;
      return exists(...args);
    };
    const keys = Array.from({ length: 300 }, (_, i) => `/app.instance-${i}`);
    await store.apply(keys.map((key) => put('instances', key, { key, condition: 'Scheduled' })));
    await store.apply(keys.map((key) => put('instances', key, { key, condition: 'Provisioned' })));
    await store.apply([del('instances', keys[0]!)]);
    // Creates of new nodes, updates and deletes of nodes it wrote: one multi each, no lookups.
    expect(lookups).toBe(0);
    expect(await store.get('instances', keys[0]!)).toBeUndefined();
    expect(await store.get('instances', keys[1]!)).toEqual({ key: keys[1], condition: 'Provisioned' });
    expect((await store.list('instances')).length).toBe(299);
  });

  it('lists with a few multi-reads rather than a request per entry, and reads the same entries either way', async () => {
    const path = freshPath();
    const batched = await open(path, { multiReadBatch: 100 });
    const keys = Array.from({ length: 1_000 }, (_, i) => `/app.instance-${i}`);
    const value = (key: string): object => ({ key, condition: 'Running', note: 'é'.repeat(key.length) });
    for (let start = 0; start < keys.length; start += 250) await batched.apply(keys.slice(start, start + 250).map((key) => put('instances', key, value(key))));
    // One compressed value among them.
    await batched.apply([put('instances', '/big.instance-x', { cmd: 'sleep 1000 '.repeat(10_000) })]);

    const requestsOf = async (store: ZkStore): Promise<{ requests: number; entries: unknown }> => {
      const manager = (store.currentSession() as unknown as { client: { connectionManager: { xid: number } } }).client.connectionManager;
      const before = manager.xid;
      const entries = await store.list('instances');
      return { requests: manager.xid - before, entries };
    };
    const one = await open(path, { multiReadBatch: 0 });
    const viaMultiRead = await requestsOf(batched);
    const viaSingleReads = await requestsOf(one);
    // 16 bucket listings, then 1,001 values in batches of 100.
    expect(viaMultiRead.requests).toBe(16 + 11);
    expect(viaSingleReads.requests).toBe(16 + 1_001);
    expect(viaMultiRead.entries).toEqual(viaSingleReads.entries);
    expect((viaMultiRead.entries as unknown[]).length).toBe(1_001);
    expect(await batched.get('instances', keys[42]!)).toEqual(value(keys[42]!));
  });

  it('recovers when a node it believed absent or present was changed by another writer', async () => {
    const path = freshPath();
    const first = await open(path);
    const second = await open(path);
    await first.apply([put('apps', '/shared', 'first'), put('apps', '/gone', 'first')]);
    // `second` has never seen /shared: its create is refused with NODE_EXISTS, nothing of the
    // batch is written, and the retry looks the nodes up and updates.
    await second.apply([put('apps', '/shared', 'second'), put('apps', '/other', 1)]);
    expect(await first.get('apps', '/shared')).toBe('second');
    // `first` wrote /gone and believes it exists; `second` removes it behind its back.
    await second.apply([del('apps', '/gone')]);
    await first.apply([put('apps', '/gone', 'again')]);
    expect(await second.get('apps', '/gone')).toBe('again');
    expect((await first.list('apps')).map((e) => e.key)).toEqual(['/gone', '/other', '/shared']);
  });

  it('fences writes on a guard node: a deposed leader cannot commit', async () => {
    const path = freshPath();
    const guard = `${path}/leader/member-x_0000000001`;
    await admin.create(guard, Buffer.alloc(0), { createParents: true });
    let guardPath: string | undefined = guard;
    const store = await open(path, { writeGuard: () => guardPath });
    await store.apply([put('framework', 'id', 'f1')]);

    await admin.remove(guard);
    await expect(store.apply([put('framework', 'id', 'f2'), put('apps', '/x', 1)])).rejects.toThrow(/no longer holds leadership/);
    guardPath = undefined;
    await expect(store.apply([put('framework', 'id', 'f3')])).rejects.toMatchObject({ code: 'PACER_STORE_IO' });
    expect(await store.get('framework', 'id')).toBe('f1');
    expect(await store.get('apps', '/x')).toBeUndefined();
  });

  it('resumes reads and writes on a new session after its session expires', async () => {
    const path = freshPath();
    const store = await open(path);
    await store.apply([put('instances', 'before', 1)]);
    const expired = store.currentSession()!;
    await expireSession(server.connectString, expired.identity());

    // The store waits (bounded) for its replacement session, then carries on.
    await store.apply([put('instances', 'after', 2)]);
    expect(store.currentSession()).not.toBe(expired);
    expect(expired.state).toBe('closed');
    expect(await store.list('instances')).toEqual([
      { key: 'after', value: 2 },
      { key: 'before', value: 1 },
    ]);
  });

  it('fails reads and writes with PACER_STORE_IO after a bounded wait while ZooKeeper is unreachable, then resumes', async () => {
    const proxy = await PausableProxy.start(server.port);
    proxies.push(proxy);
    const path = freshPath();
    const store = await open(path, { sessionTimeoutMs: 20_000, operationTimeoutMs: 400 }, `127.0.0.1:${proxy.port}`);
    await store.apply([put('apps', '/a', 1)]);

    await proxy.pause();
    await expect(store.get('apps', '/a')).rejects.toMatchObject({ code: 'PACER_STORE_IO' });
    await expect(store.list('apps')).rejects.toMatchObject({ code: 'PACER_STORE_IO' });
    await expect(store.apply([put('apps', '/b', 2)])).rejects.toMatchObject({ code: 'PACER_STORE_IO' });

    proxy.resume();
    const session = store.currentSession()!;
    await waitFor(() => session.state === 'connected');
    await store.apply([put('apps', '/c', 3)]);
    expect(await store.list('apps')).toEqual([
      { key: '/a', value: 1 },
      { key: '/c', value: 3 },
    ]);
  });

  it('reports an unreachable ZooKeeper and a bad URL at open', async () => {
    const proxy = await PausableProxy.start(server.port);
    proxies.push(proxy);
    await proxy.pause();
    await expect(open('/unreachable', { connectTimeoutMs: 300 }, `127.0.0.1:${proxy.port}`)).rejects.toMatchObject({ code: 'PACER_STORE_IO' });
    await expect(ZkStore.open('zk://127.0.0.1:1', logger)).rejects.toMatchObject({ code: 'PACER_STORE_CONFIG' });
    await expect(ZkStore.open('http://x/y', logger)).rejects.toMatchObject({ code: 'PACER_STORE_CONFIG' });
  });

  it('opens through the --zk seam of openStore, with timeouts from Marathon-style flags', async () => {
    const path = freshPath();
    const flags = { zk: `zk://${server.connectString}${path}`, data_dir: './unused', zk_session_timeout: 4_000, zk_timeout: 2_000 };
    const store = await openStore(storeLocationFromFlags(flags), { logger, openZkStore: zkStoreOpener(zkTimeoutsFromFlags(flags)) });
    try {
      expect(store).toBeInstanceOf(ZkStore);
      await store.apply([put('framework', 'id', 'fw-1')]);
      expect((await admin.getData(`${path}/state/entries/framework/${bucketOf('id')}/id`)).data.subarray(1).toString()).toBe('"fw-1"');
      expect((store as ZkStore).currentSession()?.sessionTimeoutMs).toBe(4_000);
    } finally {
      await store.close();
    }
  });
});
