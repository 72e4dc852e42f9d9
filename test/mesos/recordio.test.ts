import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_MAX_RECORD_BYTES, RecordIODecoder, RecordIOError, decodeRecords, encodeRecord, type RecordIOErrorCode } from '../../src/mesos/recordio.js';

const utf8 = new TextEncoder();
const text = new TextDecoder('utf-8', { fatal: true });

function concat(parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

function stream(records: string[]): Uint8Array {
  return concat(records.map((r) => encodeRecord(utf8.encode(r))));
}

function decodeAll(decoder: RecordIODecoder, chunks: Uint8Array[]): string[] {
  const out: string[] = [];
  for (const chunk of chunks) for (const rec of decoder.push(chunk)) out.push(text.decode(rec));
  decoder.end();
  return out;
}

function expectCode(fn: () => unknown, code: RecordIOErrorCode): RecordIOError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RecordIOError);
    expect((err as RecordIOError).code).toBe(code);
    return err as RecordIOError;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

async function* chunksOf(...chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}

// Multi-byte characters on purpose: lengths count bytes, and splits land inside characters.
const RECORDS = [
  '{"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"f-1"}}}',
  '{"type":"HEARTBEAT"}',
  'h\u00e9llo w\u00f6rld \u2603 \u{1F680}',
  'x',
  '{"type":"UPDATE","update":{"status":{"message":"\u65e5\u672c\u8a9e"}}}',
];

describe('encodeRecord', () => {
  it('prefixes the payload with its byte length and a newline', () => {
    const payload = utf8.encode('\u2603');
    expect(Buffer.from(encodeRecord(payload)).toString('latin1')).toBe('3\n' + Buffer.from(payload).toString('latin1'));
  });

  it('refuses empty records, which the format forbids', () => {
    expectCode(() => encodeRecord(new Uint8Array(0)), 'PACER_RECORDIO_ZERO_LENGTH');
  });
});

describe('RecordIODecoder', () => {
  it('decodes a stream split into two chunks at every byte offset', () => {
    const bytes = stream(RECORDS);
    for (let cut = 0; cut <= bytes.byteLength; cut++) {
      const got = decodeAll(new RecordIODecoder(), [bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(got, `split at ${cut}`).toEqual(RECORDS);
    }
  });

  it('decodes a stream fed one byte at a time', () => {
    const bytes = stream(RECORDS);
    const chunks = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(decodeAll(new RecordIODecoder(), chunks)).toEqual(RECORDS);
  });

  it('returns every record of a chunk that holds many', () => {
    const many = Array.from({ length: 500 }, (_, i) => `record-${i}-${'\u00e9'.repeat(i % 7)}`);
    const decoder = new RecordIODecoder();
    const records = decoder.push(stream(many));
    expect(records.map((r) => text.decode(r))).toEqual(many);
    expect(decoder.pending).toBe(false);
    decoder.end();
  });

  it('frames arbitrary payloads cut into arbitrary chunks (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 0, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (payloads, cutSeeds) => {
          const bytes = concat(payloads.map(encodeRecord));
          const cuts = [...new Set(cutSeeds.map((s) => (bytes.byteLength === 0 ? 0 : s % bytes.byteLength)))].sort((a, b) => a - b);
          const chunks: Uint8Array[] = [];
          let prev = 0;
          for (const cut of [...cuts, bytes.byteLength]) {
            chunks.push(bytes.subarray(prev, cut));
            prev = cut;
          }
          const decoder = new RecordIODecoder();
          const got = chunks.flatMap((c) => decoder.push(c));
          decoder.end();
          expect(got.map((r) => Buffer.from(r).toString('hex'))).toEqual(payloads.map((p) => Buffer.from(p).toString('hex')));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('accepts leading zeros in the length prefix', () => {
    expect(decodeAll(new RecordIODecoder(), [utf8.encode('003\nabc')])).toEqual(['abc']);
  });

  it('rejects a non-digit in the length prefix', () => {
    const err = expectCode(() => new RecordIODecoder().push(utf8.encode('1x\nab')), 'PACER_RECORDIO_BAD_LENGTH');
    expect(err.message).toContain('0x78');
  });

  it('rejects an empty length prefix', () => {
    expectCode(() => new RecordIODecoder().push(utf8.encode('\nabc')), 'PACER_RECORDIO_BAD_LENGTH');
  });

  it('rejects a carriage return before the newline', () => {
    expectCode(() => new RecordIODecoder().push(utf8.encode('3\r\nabc')), 'PACER_RECORDIO_BAD_LENGTH');
  });

  it('rejects a length prefix longer than a uint64 can be', () => {
    const decoder = new RecordIODecoder({ maxRecordBytes: Number.MAX_SAFE_INTEGER });
    expectCode(() => decoder.push(utf8.encode('0'.repeat(21) + '1\n')), 'PACER_RECORDIO_BAD_LENGTH');
  });

  it('rejects a zero length', () => {
    expectCode(() => new RecordIODecoder().push(utf8.encode('0\n')), 'PACER_RECORDIO_ZERO_LENGTH');
  });

  it('rejects an oversize record as soon as its length is known, before any body arrives', () => {
    const decoder = new RecordIODecoder({ maxRecordBytes: 100 });
    expect(decoder.push(utf8.encode('100\n'))).toEqual([]);
    expect(text.decode(decoder.push(new Uint8Array(100).fill(0x61))[0])).toBe('a'.repeat(100));
    // The third digit already exceeds the limit; no newline or body needed.
    expectCode(() => decoder.push(utf8.encode('101')), 'PACER_RECORDIO_OVERSIZE');
  });

  it('uses a 64 MiB limit by default', () => {
    expect(DEFAULT_MAX_RECORD_BYTES).toBe(64 * 1024 * 1024);
    expectCode(() => new RecordIODecoder().push(utf8.encode(`${DEFAULT_MAX_RECORD_BYTES + 1}\n`)), 'PACER_RECORDIO_OVERSIZE');
  });

  it('stays failed after an error', () => {
    const decoder = new RecordIODecoder();
    expectCode(() => decoder.push(utf8.encode('z')), 'PACER_RECORDIO_BAD_LENGTH');
    expectCode(() => decoder.push(utf8.encode('1\na')), 'PACER_RECORDIO_BAD_LENGTH');
  });

  it('end() reports a record cut short inside its body', () => {
    const decoder = new RecordIODecoder();
    decoder.push(utf8.encode('10\nabc'));
    expect(decoder.pending).toBe(true);
    const err = expectCode(() => decoder.end(), 'PACER_RECORDIO_TRUNCATED');
    expect(err.message).toContain('3 of 10');
  });

  it('end() reports a stream cut inside a length prefix', () => {
    const decoder = new RecordIODecoder();
    decoder.push(utf8.encode('1\na12'));
    expectCode(() => decoder.end(), 'PACER_RECORDIO_TRUNCATED');
  });

  it('end() is quiet on a clean boundary', () => {
    const decoder = new RecordIODecoder();
    decoder.push(stream(['abc']));
    expect(() => decoder.end()).not.toThrow();
  });

  it('validates maxRecordBytes', () => {
    expect(() => new RecordIODecoder({ maxRecordBytes: 0 })).toThrow(RangeError);
  });
});

describe('decodeRecords', () => {
  it('yields records from an async chunk source', async () => {
    const bytes = stream(RECORDS);
    const got: string[] = [];
    for await (const rec of decodeRecords(chunksOf(bytes.subarray(0, 7), bytes.subarray(7, 90), bytes.subarray(90)))) {
      got.push(text.decode(rec));
    }
    expect(got).toEqual(RECORDS);
  });

  it('throws TRUNCATED when the source ends mid-record, after yielding the complete ones', async () => {
    const bytes = stream(RECORDS);
    const got: string[] = [];
    const run = async (): Promise<void> => {
      for await (const rec of decodeRecords(chunksOf(bytes.subarray(0, bytes.byteLength - 2)))) {
        got.push(text.decode(rec));
      }
    };
    await expect(run()).rejects.toMatchObject({ code: 'PACER_RECORDIO_TRUNCATED' });
    expect(got).toEqual(RECORDS.slice(0, -1));
  });

  it('passes the size limit through', async () => {
    const run = async (): Promise<void> => {
      for await (const _ of decodeRecords(chunksOf(stream(['abcdef'])), { maxRecordBytes: 5 })) {
        // drain
      }
    };
    await expect(run()).rejects.toMatchObject({ code: 'PACER_RECORDIO_OVERSIZE' });
  });
});
