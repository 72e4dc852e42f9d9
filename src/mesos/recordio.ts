/**
 * RecordIO framing as used by the Mesos v1 streaming APIs: every record is
 * `<decimal byte count>\n<bytes>`, the count is never zero, and record
 * boundaries have nothing to do with HTTP chunk boundaries.
 *
 * The decoder works on bytes only. Decoding to text before framing would
 * break on multi-byte UTF-8 characters split across chunks, and the length
 * prefix counts bytes, not characters.
 */

export type RecordIOErrorCode = 'PACER_RECORDIO_BAD_LENGTH' | 'PACER_RECORDIO_ZERO_LENGTH' | 'PACER_RECORDIO_OVERSIZE' | 'PACER_RECORDIO_TRUNCATED';

export class RecordIOError extends Error {
  readonly code: RecordIOErrorCode;

  constructor(code: RecordIOErrorCode, message: string) {
    super(message);
    this.name = 'RecordIOError';
    this.code = code;
  }
}

/** Large enough for an OFFERS event from a very big cluster, small enough to stop a runaway prefix. */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** uint64 has at most 20 decimal digits; anything longer cannot be a record size. */
const MAX_LENGTH_DIGITS = 20;

const LF = 0x0a;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

export interface RecordIODecoderOptions {
  /** Records whose announced size exceeds this are rejected before any of their bytes are buffered. */
  maxRecordBytes?: number;
}

export function encodeRecord(payload: Uint8Array): Uint8Array {
  if (payload.byteLength === 0) {
    throw new RecordIOError('PACER_RECORDIO_ZERO_LENGTH', 'RecordIO records cannot be empty');
  }
  const header = Buffer.from(`${payload.byteLength}\n`, 'latin1');
  const out = Buffer.allocUnsafe(header.byteLength + payload.byteLength);
  out.set(header, 0);
  out.set(payload, header.byteLength);
  return out;
}

/**
 * Incremental decoder. Feed it chunks with `push`, which returns every record
 * completed by that chunk. Records that lie wholly inside one chunk are
 * returned as views of that chunk (no copy), so callers must not reuse chunk
 * buffers after pushing them; records spanning chunks are copied once.
 *
 * After an error the decoder stays failed: the stream position is unknown,
 * so the only sane recovery is a new stream.
 */
export class RecordIODecoder {
  readonly #maxRecordBytes: number;

  /** Length prefix being read: accumulated value and digit count. */
  #length = 0;
  #digits = 0;
  /** True while reading a record body of `#length` bytes. */
  #inBody = false;
  /** Pieces of the body collected so far, copied together once complete. */
  #parts: Uint8Array[] = [];
  #filled = 0;
  #failure: RecordIOError | undefined;

  constructor(opts: RecordIODecoderOptions = {}) {
    const max = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RangeError(`maxRecordBytes must be a positive integer, got ${max}`);
    }
    this.#maxRecordBytes = max;
  }

  /** True when a record (or its length prefix) has been started but not finished. */
  get pending(): boolean {
    return this.#inBody || this.#digits > 0;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#failure) throw this.#failure;
    const records: Uint8Array[] = [];
    const end = chunk.byteLength;
    let pos = 0;
    try {
      while (pos < end) {
        if (!this.#inBody) {
          pos = this.#readLength(chunk, pos, end);
          continue;
        }
        const need = this.#length - this.#filled;
        const available = end - pos;
        if (this.#filled === 0 && available >= need) {
          records.push(chunk.subarray(pos, pos + need));
          pos += need;
          this.#startLength();
        } else if (available >= need) {
          this.#parts.push(chunk.subarray(pos, pos + need));
          pos += need;
          records.push(this.#joinParts());
          this.#startLength();
        } else {
          this.#parts.push(chunk.subarray(pos, end));
          this.#filled += available;
          pos = end;
        }
      }
    } catch (err) {
      if (err instanceof RecordIOError) this.#fail(err);
      throw err;
    }
    return records;
  }

  /** Declares the end of the stream; throws if it stopped in the middle of a record. */
  end(): void {
    if (this.#failure) throw this.#failure;
    if (this.#inBody) {
      this.#fail(new RecordIOError('PACER_RECORDIO_TRUNCATED', `stream ended inside a record: got ${this.#filled} of ${this.#length} bytes`));
    } else if (this.#digits > 0) {
      this.#fail(new RecordIOError('PACER_RECORDIO_TRUNCATED', 'stream ended inside a record length prefix'));
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition, @typescript-eslint/only-throw-error -- #fail() above sets it
    if (this.#failure) throw this.#failure;
  }

  /** Consumes length-prefix bytes from `pos`; returns the next unread position. */
  #readLength(chunk: Uint8Array, pos: number, end: number): number {
    while (pos < end) {
      const byte = chunk[pos++]!;
      if (byte >= DIGIT_0 && byte <= DIGIT_9) {
        this.#digits += 1;
        if (this.#digits > MAX_LENGTH_DIGITS) {
          throw new RecordIOError('PACER_RECORDIO_BAD_LENGTH', `record length prefix longer than ${MAX_LENGTH_DIGITS} digits`);
        }
        this.#length = this.#length * 10 + (byte - DIGIT_0);
        // More digits only make it bigger, so reject before the prefix is even complete.
        if (this.#length > this.#maxRecordBytes) {
          throw new RecordIOError('PACER_RECORDIO_OVERSIZE', `record length exceeds the limit of ${this.#maxRecordBytes} bytes`);
        }
      } else if (byte === LF) {
        if (this.#digits === 0) {
          throw new RecordIOError('PACER_RECORDIO_BAD_LENGTH', 'empty record length prefix');
        }
        if (this.#length === 0) {
          throw new RecordIOError('PACER_RECORDIO_ZERO_LENGTH', 'record length is zero');
        }
        this.#inBody = true;
        this.#filled = 0;
        return pos;
      } else {
        throw new RecordIOError('PACER_RECORDIO_BAD_LENGTH', `unexpected byte 0x${byte.toString(16).padStart(2, '0')} in record length prefix`);
      }
    }
    return pos;
  }

  #joinParts(): Uint8Array {
    const out = Buffer.allocUnsafe(this.#length);
    let offset = 0;
    for (const part of this.#parts) {
      out.set(part, offset);
      offset += part.byteLength;
    }
    this.#parts = [];
    return out;
  }

  #startLength(): void {
    this.#inBody = false;
    this.#length = 0;
    this.#digits = 0;
    this.#filled = 0;
  }

  #fail(err: RecordIOError): void {
    this.#failure = err;
    this.#parts = [];
  }
}

/**
 * Frames an async byte stream into records. Throws `RecordIOError` on bad
 * framing, including a stream that ends in the middle of a record.
 */
export async function* decodeRecords(source: AsyncIterable<Uint8Array>, opts?: RecordIODecoderOptions): AsyncGenerator<Uint8Array> {
  const decoder = new RecordIODecoder(opts);
  for await (const chunk of source) {
    const records = decoder.push(chunk);
    for (const record of records) yield record;
  }
  decoder.end();
}
