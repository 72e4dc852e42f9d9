/**
 * A deliberately small RecordIO reader for wire tests, written apart from src/mesos/recordio.ts
 * so that the server's framing is checked by code that shares nothing with the production
 * decoder. It reads `<decimal byte count>\n<bytes>` records from a byte stream and hands them
 * out one at a time.
 */
import type { Readable } from 'node:stream';

export class RawRecordIOError extends Error {
  readonly code = 'PACER_TEST_RAW_RECORDIO';
}

const NEWLINE = 0x0a;

/** Splits as many complete records as `buffer` holds; returns them and the unread rest. */
export function splitRecords(buffer: Buffer): { records: Buffer[]; rest: Buffer } {
  const records: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const newline = buffer.indexOf(NEWLINE, offset);
    if (newline < 0) break;
    const header = buffer.subarray(offset, newline).toString('latin1');
    if (!/^[0-9]{1,20}$/.test(header)) {
      throw new RawRecordIOError(`bad record length prefix ${JSON.stringify(header)}`);
    }
    const size = Number(header);
    if (size === 0) throw new RawRecordIOError('record length is zero');
    const start = newline + 1;
    if (buffer.length - start < size) break;
    records.push(Buffer.from(buffer.subarray(start, start + size)));
    offset = start + size;
  }
  return { records, rest: buffer.subarray(offset) };
}

interface Waiter {
  resolve(record: Buffer): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** Pulls records off a readable byte stream (an http.IncomingMessage, for instance). */
export class RawRecordReader {
  #pending: Buffer = Buffer.alloc(0);
  readonly #ready: Buffer[] = [];
  readonly #waiters: Waiter[] = [];
  #failure: Error | undefined;
  #ended = false;
  /** Every byte received, for assertions on the exact framing. */
  readonly raw: Buffer[] = [];

  constructor(source: Readable) {
    source.on('data', (chunk: Buffer) => this.#onData(chunk));
    source.on('end', () => this.#onEnd());
    source.on('error', (err: Error) => this.#fail(err));
    source.on('close', () => this.#onEnd());
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** The next record; rejects if none arrives within `timeoutMs` or the stream ends first. */
  next(timeoutMs = 10_000): Promise<Buffer> {
    const ready = this.#ready.shift();
    if (ready) return Promise.resolve(ready);
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#ended) return Promise.reject(new RawRecordIOError('stream ended'));
    return new Promise<Buffer>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          reject(new RawRecordIOError(`no record within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.#waiters.push(waiter);
    });
  }

  /** The next record parsed as JSON. */
  async nextJson(timeoutMs?: number): Promise<Record<string, unknown>> {
    const record = await this.next(timeoutMs);
    return JSON.parse(record.toString('utf8')) as Record<string, unknown>;
  }

  /** Reads JSON records until one satisfies `match`, skipping up to `maxSkipped` others. */
  async nextJsonWhere(
    match: (event: Record<string, unknown>) => boolean,
    opts: { timeoutMs?: number; maxSkipped?: number } = {},
  ): Promise<Record<string, unknown>> {
    const maxSkipped = opts.maxSkipped ?? 50;
    for (let i = 0; i <= maxSkipped; i++) {
      const event = await this.nextJson(opts.timeoutMs);
      if (match(event)) return event;
    }
    throw new RawRecordIOError(`no matching record among ${maxSkipped + 1}`);
  }

  #onData(chunk: Buffer): void {
    this.raw.push(chunk);
    if (this.#failure) return;
    try {
      const { records, rest } = splitRecords(Buffer.concat([this.#pending, chunk]));
      this.#pending = rest;
      for (const record of records) {
        const waiter = this.#waiters.shift();
        if (waiter) {
          clearTimeout(waiter.timer);
          waiter.resolve(record);
        } else {
          this.#ready.push(record);
        }
      }
    } catch (err) {
      this.#fail(err as Error);
    }
  }

  #onEnd(): void {
    if (this.#ended) return;
    this.#ended = true;
    const reason = this.#pending.length > 0 ? 'stream ended inside a record' : 'stream ended';
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new RawRecordIOError(reason));
    }
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(err);
    }
  }
}
