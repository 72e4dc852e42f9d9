/**
 * The server the UI tests drive: a real `node bin/pacer.js --master local` child process (embedded
 * master, local agents, the real orchestrator, store, REST facade, event stream and UI plugin),
 * started through test/helpers/pacer-process.ts. The browser and the test talk to it only over
 * HTTP on 127.0.0.1, exactly as an operator would.
 *
 * Each target gets its own random host-port range for its process agents, so that several Pacers
 * started at the same time on one machine (other test files, other developers) never hand the
 * same port to two tasks.
 */
import { beforeEach } from 'vitest';
import { startPacerProcess, type PacerProcess } from '../helpers/pacer-process.js';
import { assertUiBuilt } from './build-ui.js';

export interface Credentials {
  username: string;
  password: string;
}

export interface TargetOptions {
  /** Names the Pacer log under test-artifacts/pacer/. */
  name: string;
  /** Process agents (tasks are real child processes). Default 3. */
  agents?: number;
  /** Simulated agents (tasks run without processes). Default 0. */
  simulatedAgents?: number;
  /** Started with `--http_credentials user:pass` when given. */
  credentials?: Credentials;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface UiTarget {
  baseUrl: string;
  /** What is behind the URL, for logs and failure messages. */
  description: string;
  /** Host ports the process agents offer, `[first, last]`. */
  portRange: readonly [number, number];
  /** One REST call from the test itself (with the target's credentials, if any). */
  api(method: string, path: string, body?: unknown): Promise<ApiResponse>;
  /** The last lines of Pacer's log, for failure messages. */
  logTail(): string;
  close(): Promise<void>;
}

const PORT_RANGE_SIZE = 200;
const REQUEST_TIMEOUT_MS = 15_000;

export async function startTarget(options: TargetOptions): Promise<UiTarget> {
  assertUiBuilt();
  const firstPort = 20_000 + Math.floor(Math.random() * 20_000);
  const portRange = [firstPort, firstPort + PORT_RANGE_SIZE] as const;
  const credentials = options.credentials;
  const pacer: PacerProcess = await startPacerProcess({
    name: options.name,
    agents: options.agents ?? 3,
    simulatedAgents: options.simulatedAgents ?? 0,
    agentResources: `cpus:4;mem:8192;disk:20000;ports:[${portRange[0]}-${portRange[1]}]`,
    logLevel: 'info',
    extraArgs: credentials === undefined ? [] : ['--http_credentials', `${credentials.username}:${credentials.password}`],
  });
  const authorization = credentials === undefined ? undefined : `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;

  const api = async (method: string, path: string, body?: unknown): Promise<ApiResponse> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (authorization !== undefined) headers.authorization = authorization;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${pacer.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: keep the text, the caller's assertion will show it.
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };

  const agents = options.agents ?? 3;
  const simulated = options.simulatedAgents ?? 0;
  return {
    baseUrl: pacer.url,
    description: `pacer --master local, ${agents} process agent(s), ${simulated} simulated, ports ${portRange[0]}-${portRange[1]}${credentials ? ', HTTP Basic' : ''}`,
    portRange,
    api,
    logTail: () => pacer.logTail(),
    close: () => pacer.stop(),
  };
}

/** Registers a hook that prints what the target is and the tail of its log when a test fails. */
export function printLogOnFailure(current: () => UiTarget | undefined): void {
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      const target = current();
      if (target !== undefined) console.error(`[${target.description}] ${target.baseUrl}\n${target.logTail()}`);
    });
  });
}
