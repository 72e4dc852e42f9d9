/**
 * Typed failures of the state layer. Every Store implementation (embedded SQLite, ZooKeeper)
 * throws these, so callers can branch on `code` without knowing which backend is in use.
 */
export type StoreErrorCode =
  /** Another process (or another handle in this process) has the store open. */
  | 'PACER_STORE_LOCKED'
  /** The store was written by a newer Pacer whose on-disk format this build cannot read. */
  | 'PACER_STORE_FORMAT_TOO_NEW'
  /** The stored bytes are not a Pacer store, or a stored value is not valid JSON. */
  | 'PACER_STORE_CORRUPT'
  /** A value cannot be stored: not JSON-serialisable (BigInt, cycle, undefined) or too large. */
  | 'PACER_STORE_INVALID_VALUE'
  /** A key or prefix breaks the key rules (empty, too long, NUL, lone surrogate). */
  | 'PACER_STORE_INVALID_KEY'
  /** A collection name that is not one of `COLLECTIONS`. */
  | 'PACER_STORE_INVALID_COLLECTION'
  /** The store was closed; no further reads or writes are possible. */
  | 'PACER_STORE_CLOSED'
  /** The backend failed to read or write (I/O error, lost connection). Not retryable. */
  | 'PACER_STORE_IO'
  /**
   * The disk holding the store has no space left. The failed write changed nothing, and writes
   * succeed again once space is freed; reads keep working meanwhile.
   */
  | 'PACER_STORE_FULL'
  /** The store cannot be written: its directory is on a read-only file system or not writable. */
  | 'PACER_STORE_READ_ONLY'
  /** The flags ask for a backend or setting that is missing or malformed. */
  | 'PACER_STORE_CONFIG'
  /** The flags ask for a backend this build does not provide. */
  | 'PACER_STORE_UNSUPPORTED';

export class StoreError extends Error {
  override name = 'StoreError';

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A key or value larger than a store limit (MAX_KEY_LENGTH, MAX_VALUE_BYTES, ZooKeeper's
 * jute.maxbuffer per batch): raised before anything is written. It is the request's fault, not
 * the store's, so the API answers it as a client mistake.
 */
export class StoreLimitError extends StoreError {
  override name = 'StoreLimitError';

  constructor(
    code: 'PACER_STORE_INVALID_VALUE' | 'PACER_STORE_INVALID_KEY',
    message: string,
    /** The limit exceeded, in the unit the message names. */
    readonly limit: number,
  ) {
    super(code, message);
  }
}

/** Who holds the lock, as far as the holder recorded it. Advisory: the lock itself is the OS's. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO-8601 time the holder opened the store. */
  since: string;
}

export class StoreLockedError extends StoreError {
  override name = 'StoreLockedError';

  constructor(
    /** What is locked: a data directory, or a ZooKeeper path. */
    readonly location: string,
    readonly holder: LockHolder | undefined,
    options?: { cause?: unknown },
  ) {
    const who = holder === undefined ? 'another process' : `pid ${holder.pid} on ${holder.hostname} (since ${holder.since})`;
    super('PACER_STORE_LOCKED', `state store ${location} is in use by ${who}; only one Pacer may use it at a time`, options);
  }
}

export class StoreFormatError extends StoreError {
  override name = 'StoreFormatError';

  constructor(
    readonly location: string,
    /** Format version found in the store. */
    readonly found: number,
    /** Newest format version this build reads and writes. */
    readonly supported: number,
  ) {
    super(
      'PACER_STORE_FORMAT_TOO_NEW',
      `state store ${location} has format version ${found}, but this Pacer supports up to ${supported}; ` +
        'run a Pacer at least as new as the one that wrote it',
    );
  }
}
