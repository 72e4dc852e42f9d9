/** What every client command gets: parsed flags, the API, the streams it writes to. */
import type { MarathonApi } from './api.js';
import type { MarathonHttp } from './http.js';
import type { FlagValues } from '../flags.js';

export interface OutStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface ClientIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  /** Ends streaming commands (`events`); SIGINT/SIGTERM when not given. */
  signal?: AbortSignal;
  /** How often a waiting command polls `/v2/deployments` (default 500 ms). */
  pollIntervalMs?: number;
}

export interface CommandContext {
  io: ClientIo;
  http: MarathonHttp;
  api: MarathonApi;
  flags: FlagValues;
  positionals: string[];
  /** Values of the repeatable `--type` flag. */
  types: string[];
  json: boolean;
  signal: AbortSignal;
  /** Table width on a terminal; undefined when piped, so nothing is cut. */
  tableWidth: number | undefined;
  print(text: string): void;
  warn(text: string): void;
}

export function defaultIo(): ClientIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}
