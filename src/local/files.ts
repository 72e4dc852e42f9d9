/**
 * Upstream's agent files API (src/files/files.cpp, docs/endpoints/files/*.md) over the embedded
 * agents' sandboxes: `/files/browse`, `/files/read`, `/files/download` and `/files/debug`.
 *
 * Upstream attaches each executor's run directory under three names: its real path, the real
 * `…/runs/latest` path and the virtual `/frameworks/<F>/executors/<E>/runs/latest`. Here the
 * attachments are read from the work directory's layout instead of kept in a table, so sandboxes
 * of tasks that ended, and of earlier runs of this process, stay readable until `--gc_delay`
 * removes them. Nothing outside a run directory is reachable: `..` and symlinks are resolved
 * first, and a path that lands outside its run directory is refused as upstream refuses it (400).
 */
import { createReadStream } from 'node:fs';
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { userInfo } from 'node:os';
import path from 'node:path';
import { replyJsonp, replyMethodNotAllowed, replyText } from './http-replies.js';

/** Upstream caps one read at 16 pages. */
export const MAX_READ_BYTES = 16 * 4096;

const FILES_PATHS = new Map<string, FilesEndpoint>([
  ['/files/browse', 'browse'],
  ['/files/browse.json', 'browse'],
  ['/files/read', 'read'],
  ['/files/read.json', 'read'],
  ['/files/download', 'download'],
  ['/files/download.json', 'download'],
  ['/files/debug', 'debug'],
  ['/files/debug.json', 'debug'],
]);

type FilesEndpoint = 'browse' | 'read' | 'download' | 'debug';

export function isFilesPath(pathname: string): boolean {
  return FILES_PATHS.has(pathname);
}

/** A path resolved against the attached run directories. */
type Resolved = { kind: 'found'; path: string } | { kind: 'not-found' } | { kind: 'invalid'; message: string };

/** One executor run directory and the names it is attached under. */
interface Attachment {
  readonly virtualPaths: readonly string[];
  readonly directory: string;
}

export class SandboxFiles {
  readonly #workDir: string;

  constructor(workDir: string) {
    this.#workDir = path.resolve(workDir);
  }

  /** Serves a `/files/*` request; false when the path is not one of them. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    const endpoint = FILES_PATHS.get(pathname);
    if (endpoint === undefined) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      req.resume();
      replyMethodNotAllowed(res, ['GET'], req.method);
      return true;
    }
    const query = new URL(req.url ?? pathname, 'http://files').searchParams;
    void this.#serve(endpoint, query, res).catch((err: unknown) => {
      if (!res.headersSent) replyText(res, 500, `${(err as Error).message}.\n`);
      else res.destroy();
    });
    return true;
  }

  async #serve(endpoint: FilesEndpoint, query: URLSearchParams, res: ServerResponse): Promise<void> {
    if (endpoint === 'debug') {
      const attached = Object.fromEntries((await this.attachments()).flatMap((a) => a.virtualPaths.map((v) => [v, a.directory])));
      replyJsonp(res, attached, query.get('jsonp'));
      return;
    }
    const requested = query.get('path');
    if (requested === null || requested === '') {
      replyText(res, 400, "Expecting 'path=value' in query.\n");
      return;
    }
    switch (endpoint) {
      case 'browse':
        return this.#browse(requested, query.get('jsonp'), res);
      case 'read':
        return this.#read(requested, query, res);
      case 'download':
        return this.#download(requested, res);
    }
  }

  async #browse(requested: string, jsonp: string | null, res: ServerResponse): Promise<void> {
    const resolved = await this.resolve(requested);
    if (resolved.kind !== 'found') return replyUnresolved(res, resolved);
    const info = await stat(resolved.path);
    if (!info.isDirectory()) {
      // Upstream lists nothing for a file (`ls` of a file fails), and answers 200 with [].
      replyJsonp(res, [], jsonp);
      return;
    }
    const entries = (await readdir(resolved.path)).sort();
    const listing: unknown[] = [];
    for (const entry of entries) {
      const entryStat = await stat(path.join(resolved.path, entry)).catch(() => undefined);
      if (entryStat === undefined) continue;
      listing.push(fileInfo(path.posix.join(requested, entry), entryStat));
    }
    replyJsonp(res, listing, jsonp);
  }

  async #read(requested: string, query: URLSearchParams, res: ServerResponse): Promise<void> {
    let offset = -1;
    const rawOffset = query.get('offset');
    if (rawOffset !== null) {
      const parsed = parseInteger(rawOffset);
      if (parsed === undefined) return replyText(res, 400, `Failed to parse offset: Failed to convert '${rawOffset}' to number.\n`);
      if (parsed < -1) return replyText(res, 400, `Negative offset provided: ${parsed}.\n`);
      offset = parsed;
    }
    let length: number | undefined;
    const rawLength = query.get('length');
    if (rawLength !== null) {
      const parsed = parseInteger(rawLength);
      if (parsed === undefined) return replyText(res, 400, `Failed to parse length: Failed to convert '${rawLength}' to number.\n`);
      if (parsed < -1) return replyText(res, 400, `Negative length provided: ${parsed}.\n`);
      // The Mesos UI's pailer sends length=-1: the same as no length.
      if (parsed > -1) length = parsed;
    }
    const resolved = await this.resolve(requested);
    if (resolved.kind !== 'found') return replyUnresolved(res, resolved);
    if ((await stat(resolved.path)).isDirectory()) return replyText(res, 400, 'Cannot read a directory.\n');
    // offset=-1 asks for the size: read nothing from the start and answer the size as the offset.
    const from = offset === -1 ? 0 : offset;
    const wanted = offset === -1 ? 0 : length;
    const handle = await open(resolved.path, 'r');
    try {
      const size = (await handle.stat()).size;
      let data = '';
      if (from < size && wanted !== 0) {
        const count = Math.min(wanted ?? size - from, MAX_READ_BYTES, size - from);
        const buffer = Buffer.alloc(count);
        const { bytesRead } = await handle.read(buffer, 0, count, from);
        data = buffer.subarray(0, bytesRead).toString('utf8');
      }
      replyJsonp(res, { data, offset: offset === -1 ? size : offset }, query.get('jsonp'));
    } finally {
      await handle.close();
    }
  }

  async #download(requested: string, res: ServerResponse): Promise<void> {
    const resolved = await this.resolve(requested);
    if (resolved.kind !== 'found') return replyUnresolved(res, resolved);
    const info = await stat(resolved.path);
    if (info.isDirectory()) return replyText(res, 400, 'Cannot download a directory.\n');
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': `attachment; filename=${path.basename(resolved.path)}`,
      'Content-Length': info.size,
    });
    const stream = createReadStream(resolved.path, { end: Math.max(0, info.size - 1) });
    if (info.size === 0) {
      stream.destroy();
      res.end();
      return;
    }
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  /**
   * Upstream's resolve: the longest attached prefix, then the rest appended and canonicalized; a
   * canonical path outside the attached directory is an error (400), a missing one is 404.
   */
  async resolve(requested: string): Promise<Resolved> {
    if (requested.includes('\0')) return { kind: 'invalid', message: 'Path contains a NUL byte.\n' };
    const parts = requested.split('/').filter((p) => p !== '');
    const root = await this.#attachedRoot(parts);
    if (root === undefined) return { kind: 'not-found' };
    const base = await realpath(root.directory).catch(() => undefined);
    if (base === undefined) return { kind: 'not-found' };
    const joined = path.join(base, ...root.rest);
    const canonical = await realpath(joined).catch((err: NodeJS.ErrnoException) =>
      err.code === 'ENOENT' || err.code === 'ENOTDIR' ? undefined : Promise.reject(err),
    );
    if (canonical === undefined) return { kind: 'not-found' };
    if (canonical !== base && !canonical.startsWith(base + path.sep)) return { kind: 'invalid', message: `'${joined}' is inaccessible.\n` };
    return { kind: 'found', path: canonical };
  }

  /** The run directory a path starts with (virtual or real), and the rest of the path. */
  async #attachedRoot(parts: readonly string[]): Promise<{ directory: string; rest: readonly string[] } | undefined> {
    // Virtual: /frameworks/<F>/executors/<E>/runs/latest
    if (parts[0] === 'frameworks' && parts[2] === 'executors' && parts[4] === 'runs' && parts[5] === 'latest') {
      const frameworkId = parts[1]!;
      const executorId = parts[3]!;
      if (!isPlainComponent(frameworkId) || !isPlainComponent(executorId)) return undefined;
      const directory = await this.#latestRun(frameworkId, executorId);
      return directory === undefined ? undefined : { directory, rest: parts.slice(6) };
    }
    // Real: <work_dir>/slaves/<A>/frameworks/<F>/executors/<E>/runs/<C|latest>
    const workParts = this.#workDir.split('/').filter((p) => p !== '');
    const realWork = (await realpath(this.#workDir).catch(() => this.#workDir)).split('/').filter((p) => p !== '');
    for (const prefix of [workParts, realWork]) {
      if (parts.length < prefix.length + 8 || prefix.some((p, i) => parts[i] !== p)) continue;
      const run = parts.slice(prefix.length, prefix.length + 8);
      if (run[0] !== 'slaves' || run[2] !== 'frameworks' || run[4] !== 'executors' || run[6] !== 'runs') continue;
      if (![run[1], run[3], run[5], run[7]].every((p) => isPlainComponent(p!))) return undefined;
      const directory = path.join(this.#workDir, ...run);
      const info = await stat(directory).catch(() => undefined);
      if (info?.isDirectory() !== true) return undefined;
      return { directory, rest: parts.slice(prefix.length + 8) };
    }
    return undefined;
  }

  /** The newest `runs/latest` of an executor on any agent that ran it in this work directory. */
  async #latestRun(frameworkId: string, executorId: string): Promise<string | undefined> {
    let best: { directory: string; mtimeMs: number } | undefined;
    for (const agentId of await listDir(path.join(this.#workDir, 'slaves'))) {
      const latest = path.join(this.#workDir, 'slaves', agentId, 'frameworks', frameworkId, 'executors', executorId, 'runs', 'latest');
      const info = await stat(latest).catch(() => undefined);
      if (info?.isDirectory() === true && (best === undefined || info.mtimeMs > best.mtimeMs)) best = { directory: latest, mtimeMs: info.mtimeMs };
    }
    return best?.directory;
  }

  /** Every run directory, under the names upstream attaches it (`/files/debug`). */
  async attachments(): Promise<Attachment[]> {
    const found: Attachment[] = [];
    const slaves = path.join(this.#workDir, 'slaves');
    for (const agentId of await listDir(slaves)) {
      const frameworks = path.join(slaves, agentId, 'frameworks');
      for (const frameworkId of await listDir(frameworks)) {
        const executors = path.join(frameworks, frameworkId, 'executors');
        for (const executorId of await listDir(executors)) {
          const runs = path.join(executors, executorId, 'runs');
          const latest = await realpath(path.join(runs, 'latest')).catch(() => undefined);
          for (const run of await listDir(runs)) {
            const directory = path.join(runs, run);
            if (run === 'latest' || (await lstat(directory)).isSymbolicLink()) continue;
            const isLatest = latest === (await realpath(directory).catch(() => undefined));
            found.push({
              directory,
              virtualPaths: [directory, ...(isLatest ? [path.join(runs, 'latest'), `/frameworks/${frameworkId}/executors/${executorId}/runs/latest`] : [])],
            });
          }
        }
      }
    }
    return found;
  }
}

function replyUnresolved(res: ServerResponse, resolved: Exclude<Resolved, { kind: 'found' }>): void {
  if (resolved.kind === 'not-found') replyText(res, 404, '');
  else replyText(res, 400, resolved.message);
}

function isPlainComponent(part: string): boolean {
  return part !== '.' && part !== '..' && part !== '';
}

function parseInteger(raw: string): number | undefined {
  if (!/^-?\d+$/.test(raw.trim())) return undefined;
  const value = Number(raw.trim());
  return Number.isSafeInteger(value) ? value : undefined;
}

async function listDir(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

/** Upstream's FileInfo JSON (src/common/http.cpp `model(FileInfo)`). */
function fileInfo(virtualPath: string, s: import('node:fs').Stats): Record<string, unknown> {
  return {
    path: virtualPath,
    nlink: s.nlink,
    size: s.size,
    mtime: Math.floor(s.mtimeMs / 1000),
    mode: modeString(s),
    uid: s.uid === process.getuid?.() ? userInfo().username : String(s.uid),
    gid: String(s.gid),
  };
}

function modeString(s: import('node:fs').Stats): string {
  const type = s.isDirectory()
    ? 'd'
    : s.isCharacterDevice()
      ? 'c'
      : s.isBlockDevice()
        ? 'b'
        : s.isFIFO()
          ? 'p'
          : s.isSymbolicLink()
            ? 'l'
            : s.isSocket()
              ? 's'
              : '-';
  const bits = 'rwxrwxrwx';
  let perms = '';
  for (let i = 0; i < 9; i++) perms += s.mode & (1 << (8 - i)) ? bits[i] : '-';
  return type + perms;
}
