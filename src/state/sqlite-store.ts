/**
 * The embedded single-node Store: one SQLite file, `<data_dir>/pacer.db`, in WAL mode with
 * `synchronous = FULL`, held under an exclusive OS lock for as long as the store is open.
 * Concurrent `apply` calls made in the same event-loop turn are committed as one transaction
 * (group commit): each commit costs an fsync, so merging them multiplies write throughput.
 */
import { closeSync, fsyncSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { prepareDataDir } from './data-dir.js';
import { StoreError, StoreFormatError, StoreLockedError, type LockHolder } from './errors.js';
import { encodeBatch, validateCollection, validateKey, type Collection, type EncodedWrite, type Store, type StoreEntry, type StoreWrite } from './store.js';

// The subset of better-sqlite3 this module uses. The package ships no type declarations and
// @types/better-sqlite3 is not installed, so the surface is declared here, kept minimal.
interface SqliteStatement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
interface SqliteTransaction<A extends unknown[], R> {
  (...args: A): R;
  exclusive(...args: A): R;
}
interface SqliteDatabase {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  prepare(source: string): SqliteStatement;
  exec(source: string): void;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqliteTransaction<A, R>;
  close(): void;
}
type SqliteDatabaseConstructor = new (filename: string, options?: { timeout?: number }) => SqliteDatabase;
const Database = createRequire(import.meta.url)('better-sqlite3') as SqliteDatabaseConstructor;

export const DATABASE_FILE = 'pacer.db';
/** Advisory note naming the lock holder, for error messages. The lock itself is SQLite's. */
export const OWNER_FILE = 'pacer.db.owner';
export const DEFAULT_LOCK_TIMEOUT_MS = 2000;

/** What a migration step may do to the database, inside the open transaction. */
export interface MigrationContext {
  exec(sql: string): void;
  run(sql: string, ...params: unknown[]): void;
  all(sql: string, ...params: unknown[]): unknown[];
}

/** Step `migrations[i]` turns format version `i` into `i + 1`; version 0 is an empty file. */
export interface Migration {
  description: string;
  up(db: MigrationContext): void;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    description: 'entries table: one row per (collection, key), value as JSON text',
    up(db) {
      // A rowid table, not WITHOUT ROWID: app definitions run to kilobytes, and WITHOUT ROWID
      // rows over ~1 KB spill into overflow pages (5000 values of 1.5 KB: 23 MB against 10 MB).
      db.exec(`CREATE TABLE entries (
        collection TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (collection, key)
      )`);
    },
  },
];

/** The format this build writes; stores with a higher version are refused. */
export const SQLITE_FORMAT_VERSION = SQLITE_MIGRATIONS.length;

export interface SqliteStoreOptions {
  dataDir: string;
  logger: Logger;
  /** How long to wait for a previous holder still shutting down before PACER_STORE_LOCKED. */
  lockTimeoutMs?: number;
  /** The format chain. Production uses SQLITE_MIGRATIONS; tests inject longer chains. */
  migrations?: readonly Migration[];
}

interface PendingBatch {
  writes: EncodedWrite[];
  resolve: () => void;
  reject: (err: Error) => void;
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  const migrations = options.migrations ?? SQLITE_MIGRATIONS;
  const dir = resolve(options.dataDir);
  const file = join(dir, DATABASE_FILE);
  const created = !fileExists(file);
  prepareDataDir(dir, [DATABASE_FILE, `${DATABASE_FILE}-wal`]);

  let db: SqliteDatabase;
  try {
    db = new Database(file, { timeout: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS });
  } catch (err) {
    throw translate(err, dir);
  }
  let migratedFrom: number;
  try {
    // EXCLUSIVE before WAL: SQLite then keeps the WAL index in process memory instead of a
    // shared -shm file and holds an OS file lock from the first transaction until close. The
    // kernel drops that lock when the process dies, even by kill -9, so a crash never leaves a
    // stale lock, while a second opener (another process or another handle here) gets BUSY.
    db.pragma('locking_mode = EXCLUSIVE');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new StoreError('PACER_STORE_IO', `cannot switch ${file} to WAL mode (got '${String(mode)}')`);
    // kill -9 alone would be survived by NORMAL too: a WAL commit is a write() into the page
    // cache, which the kernel keeps when the process dies. FULL adds an fsync of the WAL on every
    // commit, so an acknowledged write also survives power loss or a kernel crash. That fsync is
    // the main cost of a commit, which is why concurrent applies are grouped into one.
    db.pragma('synchronous = FULL');
    migratedFrom = db.transaction(() => migrate(db, file, migrations)).exclusive();
    if (created) fsyncDirectory(dir);
  } catch (err) {
    safeClose(db);
    throw translate(err, dir);
  }
  writeOwner(dir, options.logger);

  const store = new SqliteStore(db, dir, file, options.logger);
  options.logger.info(
    { dataDir: dir, formatVersion: migrations.length, migratedFrom: migratedFrom === migrations.length ? undefined : migratedFrom },
    'state store opened',
  );
  return store;
}

export class SqliteStore implements Store {
  private readonly getStatement: SqliteStatement;
  private readonly listStatement: SqliteStatement;
  private readonly listPrefixStatement: SqliteStatement;
  private readonly putStatement: SqliteStatement;
  private readonly deleteStatement: SqliteStatement;
  private readonly commitGroup: SqliteTransaction<[PendingBatch[]], void>;
  private queue: PendingBatch[] = [];
  private flushTimer: NodeJS.Immediate | undefined;
  private closing: Promise<void> | undefined;

  /** Use openSqliteStore. */
  constructor(
    private readonly db: SqliteDatabase,
    readonly dataDir: string,
    readonly file: string,
    private readonly logger: Logger,
  ) {
    this.getStatement = db.prepare('SELECT value FROM entries WHERE collection = ? AND key = ?');
    this.listStatement = db.prepare('SELECT key, value FROM entries WHERE collection = ? ORDER BY key');
    // GLOB (not LIKE) because it is case-sensitive and can use the primary-key index.
    this.listPrefixStatement = db.prepare('SELECT key, value FROM entries WHERE collection = ? AND key GLOB ? ORDER BY key');
    this.putStatement = db.prepare(
      'INSERT INTO entries (collection, key, value) VALUES (?, ?, ?) ON CONFLICT (collection, key) DO UPDATE SET value = excluded.value',
    );
    this.deleteStatement = db.prepare('DELETE FROM entries WHERE collection = ? AND key = ?');
    this.commitGroup = db.transaction((group: PendingBatch[]) => {
      for (const batch of group) {
        for (const write of batch.writes) {
          if (write.op === 'put') this.putStatement.run(write.collection, write.key, write.json);
          else this.deleteStatement.run(write.collection, write.key);
        }
      }
    });
  }

  async get<T>(collection: Collection, key: string): Promise<T | undefined> {
    this.assertOpen();
    validateCollection(collection);
    validateKey(key);
    const row = this.read(() => this.getStatement.get(collection, key)) as { value: string } | undefined;
    return row === undefined ? undefined : (decode(row.value, collection, key) as T);
  }

  async list<T>(collection: Collection, prefix?: string): Promise<Array<StoreEntry<T>>> {
    this.assertOpen();
    validateCollection(collection);
    if (prefix !== undefined) validateKey(prefix, 'prefix');
    const rows = this.read(() =>
      prefix === undefined || prefix === '' ? this.listStatement.all(collection) : this.listPrefixStatement.all(collection, `${escapeGlob(prefix)}*`),
    ) as Array<{ key: string; value: string }>;
    return rows.map((row) => ({ key: row.key, value: decode(row.value, collection, row.key) as T }));
  }

  /** SQLite's full consistency check of the file: the problems it finds, none when healthy. */
  async checkIntegrity(): Promise<string[]> {
    this.assertOpen();
    const rows = this.read(() => this.db.prepare('PRAGMA integrity_check').all()) as Array<{ integrity_check: string }>;
    const problems = rows.map((row) => row.integrity_check);
    return problems.length === 1 && problems[0] === 'ok' ? [] : problems;
  }

  apply(writes: readonly StoreWrite[]): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(closedError());
    let encoded: EncodedWrite[];
    try {
      encoded = encodeBatch(writes);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ writes: encoded, resolve, reject });
      // setImmediate rather than a microtask: every apply issued during this turn, including
      // those from promise continuations, joins the same commit.
      this.flushTimer ??= setImmediate(() => this.flush());
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.flushTimer !== undefined) clearImmediate(this.flushTimer);
      this.flush();
      try {
        rmSync(join(this.dataDir, OWNER_FILE), { force: true });
      } catch (err) {
        this.logger.warn({ err, dataDir: this.dataDir }, 'cannot remove the state store owner note');
      }
      safeClose(this.db);
      this.logger.info({ dataDir: this.dataDir }, 'state store closed');
    })();
    return this.closing;
  }

  private flush(): void {
    this.flushTimer = undefined;
    const group = this.queue;
    this.queue = [];
    if (group.length === 0) return;
    try {
      this.commitGroup(group);
    } catch (err) {
      const error = translate(err, this.dataDir);
      this.logger.error({ err: error, batches: group.length, dataDir: this.dataDir }, 'state store commit failed');
      for (const batch of group) batch.reject(error);
      return;
    }
    for (const batch of group) batch.resolve();
  }

  private read<R>(query: () => R): R {
    try {
      return query();
    } catch (err) {
      throw translate(err, this.dataDir);
    }
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw closedError();
  }
}

/** Brings the file to the newest format; returns the version it had. Runs inside BEGIN EXCLUSIVE. */
function migrate(db: SqliteDatabase, file: string, migrations: readonly Migration[]): number {
  const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
  if (tables.length > 0 && !tables.includes('pacer_meta')) {
    throw new StoreError('PACER_STORE_CORRUPT', `${file} is an SQLite database but not a Pacer state store`);
  }
  db.exec('CREATE TABLE IF NOT EXISTS pacer_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
  const row = db.prepare("SELECT value FROM pacer_meta WHERE name = 'format_version'").get() as { value: string } | undefined;
  const found = row === undefined ? 0 : Number(row.value);
  if (!Number.isInteger(found) || found < 0) {
    throw new StoreError('PACER_STORE_CORRUPT', `${file} has an unreadable format version '${row?.value}'`);
  }
  if (found > migrations.length) throw new StoreFormatError(file, found, migrations.length);
  const context: MigrationContext = {
    exec: (sql) => db.exec(sql),
    run: (sql, ...params) => void db.prepare(sql).run(...params),
    all: (sql, ...params) => db.prepare(sql).all(...params),
  };
  for (let version = found; version < migrations.length; version++) {
    const step = migrations[version]!;
    try {
      step.up(context);
    } catch (err) {
      if (err instanceof StoreError) throw err;
      const message = `migrating ${file} to format ${version + 1} (${step.description}) failed: ${(err as Error).message}`;
      throw new StoreError('PACER_STORE_IO', message, { cause: err });
    }
  }
  db.prepare("INSERT INTO pacer_meta (name, value) VALUES ('format_version', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value").run(
    String(migrations.length),
  );
  return found;
}

function decode(json: string, collection: Collection, key: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch (err) {
    throw new StoreError('PACER_STORE_CORRUPT', `stored value of ${collection}/${key} is not valid JSON`, { cause: err });
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[]/g, (c) => `[${c}]`);
}

function translate(err: unknown, dir: string): StoreError {
  if (err instanceof StoreError) return err;
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const reason = typeof code === 'string' ? `${message} (${code})` : message;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return new StoreLockedError(dir, readOwner(dir), { cause: err });
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return new StoreError('PACER_STORE_CORRUPT', `state store in ${dir} is damaged: ${reason}`, { cause: err });
  }
  // SQLite rolls the whole transaction back on SQLITE_FULL, so the store stays as it was before
  // the failed commit and takes writes again once space is freed.
  if (code === 'SQLITE_FULL') {
    return new StoreError('PACER_STORE_FULL', `state store in ${dir} cannot save changes: no space left on its device (${code}); nothing was written`, {
      cause: err,
    });
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_READONLY')) {
    return new StoreError('PACER_STORE_READ_ONLY', `state store in ${dir} cannot save changes: it is read-only (${code})`, { cause: err });
  }
  return new StoreError('PACER_STORE_IO', `state store in ${dir} failed: ${reason}`, { cause: err });
}

function closedError(): StoreError {
  return new StoreError('PACER_STORE_CLOSED', 'the state store is closed');
}

function safeClose(db: SqliteDatabase): void {
  try {
    db.close();
  } catch {
    // Closing only fails on a handle already unusable; the OS releases its lock regardless.
  }
}

function fileExists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

/** A new file's directory entry is only durable once the directory itself is fsynced. */
function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeOwner(dir: string, logger: Logger): void {
  const holder: LockHolder = { pid: process.pid, hostname: hostname(), since: new Date().toISOString() };
  try {
    writeFileSync(join(dir, OWNER_FILE), `${JSON.stringify(holder)}\n`);
  } catch (err) {
    logger.warn({ err, dataDir: dir }, 'cannot write the state store owner note');
  }
}

function readOwner(dir: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid === 'number' && typeof parsed.hostname === 'string' && typeof parsed.since === 'string') {
      return { pid: parsed.pid, hostname: parsed.hostname, since: parsed.since };
    }
  } catch {
    // The note is advisory; a missing or torn one only makes the message less specific.
  }
  return undefined;
}
