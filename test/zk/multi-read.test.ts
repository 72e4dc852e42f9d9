// The multi-read request and reply encoding (jute, big-endian), checked byte by byte against the
// layout ZooKeeper's MultiOperationRecord and MultiResponse use; the round trip against a real
// server is in session.test.ts and zk-store.test.ts.
import { describe, expect, it } from 'vitest';
import { decodeMultiReadReply, encodeMultiReadBody, MultiReadFormatError } from '../../src/zk/multi-read.js';

const STAT = Buffer.alloc(68);

function header(type: number, done: boolean, err: number): Buffer {
  const buffer = Buffer.alloc(9);
  buffer.writeInt32BE(type, 0);
  buffer.writeUInt8(done ? 1 : 0, 4);
  buffer.writeInt32BE(err, 5);
  return buffer;
}
const int = (value: number): Buffer => {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
};
const dataResult = (data: Buffer | null): Buffer => Buffer.concat([header(4, false, 0), int(data === null ? -1 : data.length), data ?? Buffer.alloc(0), STAT]);
const errorResult = (code: number): Buffer => Buffer.concat([header(-1, false, code), int(code)]);
const end = header(-1, true, -1);

describe('multi-read encoding', () => {
  it('writes one getData op per path, unwatched, then the closing header', () => {
    const body = encodeMultiReadBody(['/a', '/bé']);
    const expected = Buffer.concat([
      header(4, false, -1),
      int(2),
      Buffer.from('/a'),
      Buffer.of(0),
      header(4, false, -1),
      int(Buffer.byteLength('/bé')),
      Buffer.from('/bé'),
      Buffer.of(0),
      end,
    ]);
    expect(body.equals(expected)).toBe(true);
  });

  it('reads data and per-node errors in request order, empty and null data included', () => {
    const reply = Buffer.concat([dataResult(Buffer.from('one')), errorResult(-101), dataResult(Buffer.alloc(0)), dataResult(null), end]);
    const results = decodeMultiReadReply(reply, 4);
    expect(results.map((r) => ('data' in r ? r.data.toString() : r.error))).toEqual(['one', -101, '', '']);
  });

  it('refuses a reply cut short, with the wrong count, with an unknown entry type, or a negative length', () => {
    const good = Buffer.concat([dataResult(Buffer.from('abc')), end]);
    for (let cut = 0; cut < good.length; cut++) expect(() => decodeMultiReadReply(good.subarray(0, cut), 1)).toThrow(MultiReadFormatError);
    expect(() => decodeMultiReadReply(good, 2)).toThrow(/1 results for 2 reads/);
    expect(() => decodeMultiReadReply(Buffer.concat([header(8, false, 0), end]), 1)).toThrow(/type 8/);
    expect(() => decodeMultiReadReply(Buffer.concat([header(4, false, 0), int(-5), STAT, end]), 1)).toThrow(/data length of -5/);
  });
});
