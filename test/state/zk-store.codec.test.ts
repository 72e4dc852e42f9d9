// Node naming and value framing of the ZooKeeper store, without a server.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_VALUE_BYTES } from '../../src/state/store.js';
import {
  BUCKET_COUNT,
  bucketOf,
  decodeNodeName,
  decodeNodeValue,
  encodeNodeName,
  encodeNodeValue,
  VALUE_TAG_GZIP_JSON,
  VALUE_TAG_JSON,
} from '../../src/state/zk-codec.js';
import { isValidPath } from '../../src/zk/session.js';

describe('node names', () => {
  it('escape any valid key into one valid znode segment and back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), (key) => {
        const name = encodeNodeName(key);
        expect(isValidPath(`/x/${name}`)).toBe(true);
        expect(name).not.toContain('/');
        expect(name).toMatch(/^[\x21-\x7e]+$/);
        expect(decodeNodeName(name)).toBe(key);
      }),
    );
    expect(encodeNodeName('/prod/web app')).toBe('%2Fprod%2Fweb%20app');
    expect(encodeNodeName('.')).toBe('%2E');
    expect(encodeNodeName('..')).toBe('%2E%2E');
    expect(encodeNodeName('100%')).toBe('100%25');
    expect(encodeNodeName('é')).toBe('%C3%A9');
  });

  it('refuse names they did not make', () => {
    for (const name of ['%2', '%zz', '%2e', 'a%2Fb%', '%C3', 'é', 'a b', '%41', '.', '..']) expect(decodeNodeName(name), name).toBeUndefined();
  });

  it('spread keys over all buckets, stably', () => {
    const buckets = new Set(Array.from({ length: 200 }, (_, i) => bucketOf(`/app-${i}`)));
    expect(buckets.size).toBe(BUCKET_COUNT);
    expect(bucketOf('/prod/web')).toBe(bucketOf('/prod/web'));
    expect(bucketOf('/prod/web')).toMatch(/^[0-9a-f]$/);
  });
});

describe('node values', () => {
  it('store small JSON plain and large compressible JSON gzipped, both readable', async () => {
    const small = await encodeNodeValue('{"a":1}', 64 * 1024);
    expect(small[0]).toBe(VALUE_TAG_JSON);
    expect(await decodeNodeValue(small, 'x')).toEqual({ a: 1 });

    const json = JSON.stringify({ cmd: 'x'.repeat(MAX_VALUE_BYTES - 20) });
    const large = await encodeNodeValue(json, 64 * 1024);
    expect(large[0]).toBe(VALUE_TAG_GZIP_JSON);
    expect(large.length).toBeLessThan(json.length / 100);
    expect(await decodeNodeValue(large, 'x')).toEqual(JSON.parse(json));
  });

  it('keep incompressible JSON plain, so a node never outgrows the value limit', async () => {
    const json = JSON.stringify(Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251)).toString('base64'));
    const framed = await encodeNodeValue(json, 1024);
    expect(framed.length).toBeLessThanOrEqual(Buffer.byteLength(json) + 1);
  });

  it('report damaged node data as PACER_STORE_CORRUPT', async () => {
    await expect(decodeNodeValue(Buffer.alloc(0), 'x')).rejects.toMatchObject({ code: 'PACER_STORE_CORRUPT' });
    await expect(decodeNodeValue(Buffer.from([9, 1]), 'x')).rejects.toMatchObject({ code: 'PACER_STORE_CORRUPT' });
    await expect(decodeNodeValue(Buffer.from([VALUE_TAG_GZIP_JSON, 1, 2]), 'x')).rejects.toMatchObject({ code: 'PACER_STORE_CORRUPT' });
    await expect(decodeNodeValue(Buffer.from([VALUE_TAG_JSON, 0x7b]), 'x')).rejects.toMatchObject({ code: 'PACER_STORE_CORRUPT' });
  });
});
