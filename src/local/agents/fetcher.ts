import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';

import type { CommandInfoURI } from '../../mesos/types.js';

/**
 * The local agent's fetcher: CommandInfo.uris that name files on this machine (absolute paths or
 * file:// URLs) are copied into the sandbox, made executable or extracted as upstream's fetcher
 * does. Anything that needs the network is refused: `pacer mesos-local` runs without it.
 */

export type FetchErrorCode = 'PACER_FETCH_NETWORK_URI_UNSUPPORTED' | 'PACER_FETCH_URI_INVALID' | 'PACER_FETCH_FAILED';

export class FetchError extends Error {
  constructor(
    readonly code: FetchErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

type ArchiveKind = 'tar' | 'zip' | 'gzip';

const ARCHIVE_SUFFIXES: ReadonlyArray<readonly [string, ArchiveKind]> = [
  ['.tar.gz', 'tar'],
  ['.tar.bz2', 'tar'],
  ['.tar.xz', 'tar'],
  ['.tgz', 'tar'],
  ['.tbz2', 'tar'],
  ['.txz', 'tar'],
  ['.tar', 'tar'],
  ['.zip', 'zip'],
  ['.gz', 'gzip'],
];

export async function fetchUris(uris: readonly CommandInfoURI[], sandbox: string): Promise<void> {
  for (const uri of uris) await fetchUri(uri, sandbox);
}

async function fetchUri(uri: CommandInfoURI, sandbox: string): Promise<void> {
  const source = localPathOf(uri.value);
  const target = targetPathOf(uri, source, sandbox);
  try {
    const info = await stat(source);
    if (!info.isFile()) throw new FetchError('PACER_FETCH_FAILED', `Failed to fetch '${uri.value}': not a regular file`);
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(source, target);
  } catch (error) {
    if (error instanceof FetchError) throw error;
    throw new FetchError('PACER_FETCH_FAILED', `Failed to fetch '${uri.value}': ${(error as Error).message}`);
  }

  if (uri.executable === true) {
    await chmod(target, 0o755);
    return;
  }
  const archive = archiveKindOf(target);
  if (uri.extract !== false && archive !== undefined) await extract(archive, target, path.dirname(target), uri.value);
}

function localPathOf(value: string): string {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (!path.isAbsolute(value)) {
      throw new FetchError('PACER_FETCH_URI_INVALID', `Failed to fetch '${value}': relative paths are not supported; use an absolute path or a file:// URI`);
    }
    return value;
  }
  if (scheme === 'file') {
    try {
      return fileURLToPath(value);
    } catch (error) {
      throw new FetchError('PACER_FETCH_URI_INVALID', `Failed to fetch '${value}': ${(error as Error).message}`);
    }
  }
  throw new FetchError(
    'PACER_FETCH_NETWORK_URI_UNSUPPORTED',
    `Failed to fetch '${value}': ${scheme}:// URIs need the network, which pacer mesos-local agents do not use; ` + 'use an absolute path or a file:// URI',
  );
}

function targetPathOf(uri: CommandInfoURI, source: string, sandbox: string): string {
  const relative = uri.output_file ?? path.basename(source);
  const target = path.resolve(sandbox, relative);
  if (path.isAbsolute(uri.output_file ?? '') || !target.startsWith(path.resolve(sandbox) + path.sep)) {
    throw new FetchError('PACER_FETCH_URI_INVALID', `Failed to fetch '${uri.value}': output_file must be a relative path inside the sandbox`);
  }
  return target;
}

function archiveKindOf(file: string): ArchiveKind | undefined {
  const lower = file.toLowerCase();
  return ARCHIVE_SUFFIXES.find(([suffix]) => lower.endsWith(suffix))?.[1];
}

async function extract(kind: ArchiveKind, archive: string, directory: string, uri: string): Promise<void> {
  try {
    if (kind === 'tar') await run('tar', ['-C', directory, '-xf', archive]);
    else if (kind === 'zip') await run('unzip', ['-o', '-q', '-d', directory, archive]);
    else await pipeline(createReadStream(archive), createGunzip(), createWriteStream(archive.slice(0, -'.gz'.length)));
  } catch (error) {
    throw new FetchError('PACER_FETCH_FAILED', `Failed to extract '${uri}': ${(error as Error).message}`);
  }
}

function run(file: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 60_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${file} failed: ${stderr.trim() || error.message}`));
      else resolve();
    });
  });
}
