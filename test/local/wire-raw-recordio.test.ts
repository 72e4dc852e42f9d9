/** The test-side RecordIO reader has to be right for the wire tests to mean anything. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RawRecordIOError, RawRecordReader, splitRecords } from '../helpers/raw-recordio.js';

describe('raw RecordIO reader (test helper)', () => {
  it('splits whole records and keeps an incomplete tail', () => {
    const { records, rest } = splitRecords(Buffer.from('3\nabc2\nxy5\nhe'));
    expect(records.map((r) => r.toString())).toEqual(['abc', 'xy']);
    expect(rest.toString()).toBe('5\nhe');
  });

  it('counts bytes, not characters', () => {
    const payload = Buffer.from('{"m":"é"}');
    const { records } = splitRecords(Buffer.concat([Buffer.from(`${payload.length}\n`), payload]));
    expect(records[0]!.toString()).toBe('{"m":"é"}');
  });

  it('rejects a bad length prefix and a zero length', () => {
    expect(() => splitRecords(Buffer.from('x\nabc'))).toThrow(RawRecordIOError);
    expect(() => splitRecords(Buffer.from('0\n'))).toThrow(RawRecordIOError);
  });

  it('reassembles records split across chunks, one byte at a time', async () => {
    const source = new PassThrough();
    const reader = new RawRecordReader(source);
    for (const byte of Buffer.from('4\nabcd1\nz')) source.write(Buffer.from([byte]));
    expect((await reader.next(1000)).toString()).toBe('abcd');
    expect((await reader.next(1000)).toString()).toBe('z');
    source.end();
    await expect(reader.next(1000)).rejects.toThrow('stream ended');
  });

  it('reports a stream that ends inside a record', async () => {
    const source = new PassThrough();
    const reader = new RawRecordReader(source);
    source.end(Buffer.from('10\nabc'));
    await expect(reader.next(1000)).rejects.toThrow('stream ended inside a record');
  });
});
