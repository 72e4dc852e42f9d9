/**
 * Makes sure the embedded store's data directory exists and can take writes before SQLite opens
 * anything in it. SQLite's own errors for an unusable directory ("unable to open database file",
 * "disk I/O error") hide the cause; the operating system's error number names it, so a start on a
 * read-only or full disk fails with one sentence saying which directory and why.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StoreError } from './errors.js';

/**
 * Bytes the probe writes: one SQLite page. A disk without room for that cannot hold a single
 * commit, and a zero-byte probe would succeed on a full disk (creating a file needs no data block).
 */
const PROBE_BYTES = 4096;

/**
 * Creates `dir` (and its parents) if needed and proves it writable by writing and fsyncing a probe
 * file; `files` that already exist in it (the database and its journal) must open for writing too,
 * which catches files made immutable or owned by someone else in a writable directory.
 */
export function prepareDataDir(dir: string, files: readonly string[] = []): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    // A recursive mkdir reports the failure of the deepest level, often a misleading ENOENT;
    // the first level that cannot be created carries the real reason.
    throw dataDirError(dir, 'cannot create data directory', firstCreateFailure(dir) ?? err);
  }
  const probe = join(dir, `.pacer-write-check-${process.pid}`);
  let fd: number | undefined;
  try {
    fd = openSync(probe, 'w');
    writeSync(fd, Buffer.alloc(PROBE_BYTES));
    fsyncSync(fd);
  } catch (err) {
    throw dataDirError(dir, 'cannot write to data directory', err);
  } finally {
    if (fd !== undefined) closeSync(fd);
    rmSync(probe, { force: true });
  }
  for (const name of files) {
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    try {
      closeSync(openSync(file, 'r+'));
    } catch (err) {
      throw dataDirError(file, 'cannot write to', err);
    }
  }
}

/**
 * A StoreError naming the directory (or file) and the OS's reason. Operators act differently on
 * each cause (free space, remount, fix ownership), so each gets its own code where there is one.
 */
export function dataDirError(target: string, what: string, err: unknown): StoreError {
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  const detail = err instanceof Error ? err.message : String(err);
  switch (errno) {
    case 'EROFS':
      return new StoreError('PACER_STORE_READ_ONLY', `${what} ${target}: read-only file system (EROFS)`, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new StoreError('PACER_STORE_READ_ONLY', `${what} ${target}: permission denied (${errno}); Pacer needs write access to it`, { cause: err });
    case 'ENOSPC':
    case 'EDQUOT':
      return new StoreError('PACER_STORE_FULL', `${what} ${target}: no space left on device (${errno})`, { cause: err });
    default:
      return new StoreError('PACER_STORE_IO', `${what} ${target}: ${detail}`, { cause: err });
  }
}

/** The error of creating the outermost missing directory on the way to `dir`, if that fails. */
function firstCreateFailure(dir: string): unknown {
  const missing: string[] = [];
  for (let current = dir; !existsSync(current); current = dirname(current)) {
    if (dirname(current) === current) break;
    missing.unshift(current);
  }
  if (missing.length === 0) return undefined;
  try {
    mkdirSync(missing[0]!);
  } catch (err) {
    return err;
  }
  return undefined;
}
