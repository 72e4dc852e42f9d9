import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

import type { CommandInfo, HealthCheckHTTPCheckInfo, HealthCheckTCPCheckInfo } from '../../mesos/types.js';
import { describeExit, processExitFrom } from './exit-status.js';

/** Outcome of one probe; `reason` says why it failed, in upstream's words where it has them. */
export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface ProbeContext {
  /** Working directory and environment of command checks: the task's sandbox and environment. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Milliseconds; Infinity when the check has no timeout (timeout_seconds 0). */
  readonly timeoutMs: number;
}

const PASSED: ProbeResult = { ok: true };

function failed(reason: string): ProbeResult {
  return { ok: false, reason };
}

function timeoutText(ms: number): string {
  return `${ms / 1000}secs`;
}

/** Runs the command (shell or argv form) in its own process group; exit 0 is healthy. */
export function commandProbe(command: CommandInfo, context: ProbeContext): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const shell = command.shell !== false;
    const [argv0, ...rest] = command.arguments ?? [];
    const child = spawn(shell ? '/bin/sh' : (command.value ?? ''), shell ? ['-c', command.value ?? ''] : rest, {
      cwd: context.cwd,
      env: { ...context.env, ...environmentOf(command) },
      stdio: 'ignore',
      detached: true,
      ...(!shell && argv0 !== undefined ? { argv0 } : {}),
    });
    let done = false;
    const finish = (result: ProbeResult): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      resolve(result);
    };
    const timer = Number.isFinite(context.timeoutMs)
      ? setTimeout(() => {
          killGroup(child.pid);
          finish(failed(`Command timed out after ${timeoutText(context.timeoutMs)}`));
        }, context.timeoutMs)
      : undefined;
    child.once('error', (error) => finish(failed(`Failed to run the check command: ${error.message}`)));
    child.once('exit', (code, signal) => {
      killGroup(child.pid);
      const exit = processExitFrom(code, signal);
      finish(exit.kind === 'exited' && exit.code === 0 ? PASSED : failed(`Command ${describeExit(exit)}`));
    });
  });
}

/** GET scheme://127.0.0.1:port/path; 200-399 is healthy, as the default executors decide. */
export function httpProbe(check: HealthCheckHTTPCheckInfo, context: ProbeContext): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const secure = check.scheme === 'https';
    const host = check.protocol === 'IPv6' ? '::1' : '127.0.0.1';
    const request = (secure ? https : http).request({
      host,
      port: check.port,
      path: check.path === undefined || check.path === '' ? '/' : check.path,
      method: 'GET',
      agent: false,
      // Upstream runs `curl -k`: certificates of the task are not verified.
      ...(secure ? { rejectUnauthorized: false } : {}),
    });
    let done = false;
    const finish = (result: ProbeResult): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      resolve(result);
    };
    const timer = Number.isFinite(context.timeoutMs)
      ? setTimeout(() => {
          request.destroy();
          finish(failed(`HTTP check timed out after ${timeoutText(context.timeoutMs)}`));
        }, context.timeoutMs)
      : undefined;
    request.once('response', (response) => {
      const code = response.statusCode ?? 0;
      response.resume();
      response.destroy();
      finish(code >= 200 && code < 400 ? PASSED : failed(`Unexpected HTTP response code: ${code} ${http.STATUS_CODES[code] ?? ''}`.trimEnd()));
    });
    request.once('error', (error) => finish(failed(`HTTP check failed: ${error.message}`)));
    request.end();
  });
}

/** Healthy when a TCP connection to 127.0.0.1:port opens. */
export function tcpProbe(check: HealthCheckTCPCheckInfo, context: ProbeContext): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const host = check.protocol === 'IPv6' ? '::1' : '127.0.0.1';
    const socket = net.connect({ host, port: check.port });
    let done = false;
    const finish = (result: ProbeResult): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = Number.isFinite(context.timeoutMs)
      ? setTimeout(() => finish(failed(`TCP check timed out after ${timeoutText(context.timeoutMs)}`)), context.timeoutMs)
      : undefined;
    socket.once('connect', () => finish(PASSED));
    socket.once('error', () => finish(failed('TCP connection failed')));
  });
}

function environmentOf(command: CommandInfo): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of command.environment?.variables ?? []) {
    if (variable.type !== 'SECRET' && variable.value !== undefined) env[variable.name] = variable.value;
  }
  return env;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* the group is gone */
  }
}
