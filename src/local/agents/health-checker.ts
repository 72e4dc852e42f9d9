import type { Logger } from 'pino';

import type { HealthCheck } from '../../mesos/types.js';
import { commandProbe, httpProbe, tcpProbe, type ProbeContext, type ProbeResult } from './health-probes.js';

/** What the checker tells the executor; mirrors upstream's TaskHealthStatus. */
export interface HealthUpdate {
  readonly healthy: boolean;
  readonly consecutiveFailures: number;
  /** True once `consecutive_failures` failures in a row have been seen: the task must be killed. */
  readonly killTask: boolean;
  readonly reason?: string;
}

/** The HealthCheck proto defaults (include/mesos/v1/mesos.proto). */
export const HEALTH_CHECK_DEFAULTS = {
  delaySeconds: 15,
  intervalSeconds: 10,
  timeoutSeconds: 20,
  consecutiveFailures: 3,
  gracePeriodSeconds: 10,
} as const;

/** Upstream's validateHealthCheck; returns the problem, or undefined when the check is usable. */
export function healthCheckProblem(check: HealthCheck): string | undefined {
  switch (check.type) {
    case undefined:
      return "HealthCheck must specify 'type'";
    case 'COMMAND':
      if (check.command === undefined) return "Expecting 'command' to be set for COMMAND health check";
      if (check.command.value === undefined) {
        return `Command health check must contain ${check.command.shell === false ? "'executable path'" : "'shell command'"}`;
      }
      break;
    case 'HTTP':
      if (check.http === undefined) return "Expecting 'http' to be set for HTTP health check";
      if (check.http.scheme !== undefined && check.http.scheme !== 'http' && check.http.scheme !== 'https') {
        return `Unsupported HTTP health check scheme: '${check.http.scheme}'`;
      }
      if (check.http.path !== undefined && !check.http.path.startsWith('/')) {
        return `The path '${check.http.path}' of HTTP health check must start with '/'`;
      }
      break;
    case 'TCP':
      if (check.tcp === undefined) return "Expecting 'tcp' to be set for TCP health check";
      break;
    case 'UNKNOWN':
      return "'UNKNOWN' is not a valid health check type";
  }
  if ((check.delay_seconds ?? 0) < 0) return "Expecting 'delay_seconds' to be non-negative";
  if ((check.grace_period_seconds ?? 0) < 0) return "Expecting 'grace_period_seconds' to be non-negative";
  return undefined;
}

export interface HealthCheckerOptions {
  readonly check: HealthCheck;
  /** Sandbox and environment for command checks. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly onUpdate: (update: HealthUpdate) => void;
  readonly logger: Logger;
}

/**
 * Runs one task's health check with upstream's rules (src/checks/health_checker.cpp):
 * - the first probe runs `delay_seconds` after start, each next one `interval_seconds` after the
 *   previous one finished;
 * - failures are ignored while nothing has passed yet and `grace_period_seconds` has not elapsed;
 * - every counted failure is reported (healthy false); a success is reported only when it is the
 *   first one or follows failures;
 * - `consecutive_failures` failures in a row ask for the task to be killed.
 */
export class HealthChecker {
  private readonly startedAt = Date.now();
  private readonly delayMs: number;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly maxConsecutiveFailures: number;
  private readonly gracePeriodMs: number;
  private consecutiveFailures = 0;
  private initializing = true;
  private paused = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: HealthCheckerOptions) {
    const { check } = options;
    this.delayMs = seconds(check.delay_seconds, HEALTH_CHECK_DEFAULTS.delaySeconds);
    this.intervalMs = seconds(check.interval_seconds, HEALTH_CHECK_DEFAULTS.intervalSeconds);
    const timeout = seconds(check.timeout_seconds, HEALTH_CHECK_DEFAULTS.timeoutSeconds);
    this.timeoutMs = timeout > 0 ? timeout : Number.POSITIVE_INFINITY;
    this.maxConsecutiveFailures = check.consecutive_failures ?? HEALTH_CHECK_DEFAULTS.consecutiveFailures;
    this.gracePeriodMs = seconds(check.grace_period_seconds, HEALTH_CHECK_DEFAULTS.gracePeriodSeconds);
    this.scheduleNext(this.delayMs);
  }

  /** Stops checking for good; a probe in flight is ignored when it returns. */
  pause(): void {
    this.paused = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private scheduleNext(ms: number): void {
    if (this.paused) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.probeOnce();
    }, ms);
  }

  private async probeOnce(): Promise<void> {
    if (this.paused) return;
    let result: ProbeResult;
    try {
      result = await this.probe();
    } catch (error) {
      result = { ok: false, reason: (error as Error).message };
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- pause() may run while the check awaits
    if (this.paused) return;
    if (result.ok) this.success();
    else this.failure(result.reason);
    this.scheduleNext(this.intervalMs);
  }

  private probe(): Promise<ProbeResult> {
    const { check, cwd, env } = this.options;
    const context: ProbeContext = { cwd, env, timeoutMs: this.timeoutMs };
    switch (check.type) {
      case 'COMMAND':
        return commandProbe(check.command!, context);
      case 'HTTP':
        return httpProbe(check.http!, context);
      case 'TCP':
        return tcpProbe(check.tcp!, context);
      default:
        return Promise.resolve({ ok: false, reason: `unsupported health check type ${String(check.type)}` });
    }
  }

  private failure(reason: string): void {
    const { logger } = this.options;
    if (this.initializing && this.gracePeriodMs > 0 && Date.now() - this.startedAt <= this.gracePeriodMs) {
      logger.info({ reason }, 'health check failed during its grace period; ignored');
      return;
    }
    this.consecutiveFailures += 1;
    const killTask = this.consecutiveFailures >= this.maxConsecutiveFailures;
    logger.warn({ reason, consecutiveFailures: this.consecutiveFailures, killTask }, 'health check failed');
    this.options.onUpdate({ healthy: false, consecutiveFailures: this.consecutiveFailures, killTask, reason });
  }

  private success(): void {
    if (this.initializing || this.consecutiveFailures > 0) {
      this.options.onUpdate({ healthy: true, consecutiveFailures: 0, killTask: false });
      this.initializing = false;
    }
    this.consecutiveFailures = 0;
  }
}

function seconds(value: number | undefined, fallback: number): number {
  return Math.max(0, (value ?? fallback) * 1000);
}
