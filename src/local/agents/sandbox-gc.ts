/**
 * Upstream's agent garbage collection of sandboxes (`--gc_delay`, default one week): the directory
 * of an executor whose tasks all ended is removed once it is older than the delay, its age being
 * the newest modification in it (upstream touches it when the executor ends). Sandboxes of running
 * tasks are never removed, nor is anything outside `<work_dir>/slaves`. Framework and agent
 * directories left empty go too, as upstream collects them with their last executor.
 */
import { readdir, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';

/** Upstream's GC_DELAY. */
export const DEFAULT_GC_DELAY_MS = 7 * 24 * 3600 * 1000;
const LONGEST_SWEEP_INTERVAL_MS = 3600 * 1000;
const SHORTEST_SWEEP_INTERVAL_MS = 500;

export interface SandboxGcOptions {
  readonly workDir: string;
  readonly gcDelayMs: number;
  /** Sandboxes of tasks that have not ended. */
  readonly inUse: () => readonly string[];
  readonly logger: Logger;
  readonly now?: () => number;
}

export class SandboxGc {
  readonly #opts: SandboxGcOptions;
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<unknown> | undefined;

  constructor(opts: SandboxGcOptions) {
    this.#opts = opts;
  }

  /** Sweeps now and then periodically: often enough that nothing outlives its delay by much. */
  start(): void {
    const interval = Math.min(LONGEST_SWEEP_INTERVAL_MS, Math.max(SHORTEST_SWEEP_INTERVAL_MS, this.#opts.gcDelayMs / 4));
    const tick = (): void => {
      this.#sweeping ??= this.sweep()
        .catch((err: unknown) => this.#opts.logger.warn({ err }, 'sandbox garbage collection failed'))
        .finally(() => (this.#sweeping = undefined));
    };
    tick();
    this.#timer = setInterval(tick, interval);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sweeping;
  }

  /** Removes the executor directories past their delay; returns them. */
  async sweep(): Promise<string[]> {
    const now = (this.#opts.now ?? Date.now)();
    const busy = this.#opts.inUse().map((p) => path.resolve(p));
    const removed: string[] = [];
    const slaves = path.join(path.resolve(this.#opts.workDir), 'slaves');
    for (const agentId of await list(slaves)) {
      const frameworks = path.join(slaves, agentId, 'frameworks');
      for (const frameworkId of await list(frameworks)) {
        const executors = path.join(frameworks, frameworkId, 'executors');
        for (const executorId of await list(executors)) {
          const executor = path.join(executors, executorId);
          if (busy.some((sandbox) => sandbox === executor || sandbox.startsWith(executor + path.sep))) continue;
          const age = now - (await newestChange(executor));
          if (age < this.#opts.gcDelayMs) continue;
          await rm(executor, { recursive: true, force: true });
          removed.push(executor);
          this.#opts.logger.info({ agentId, frameworkId, executorId, sandbox: executor }, 'sandbox removed after --gc_delay');
        }
        await removeIfEmpty(executors);
        await removeIfEmpty(path.join(frameworks, frameworkId));
      }
      await removeIfEmpty(frameworks);
      await removeIfEmpty(path.join(slaves, agentId));
    }
    return removed;
  }
}

async function list(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

/** The newest mtime of the executor directory, its runs and what each run directory holds. */
async function newestChange(executor: string): Promise<number> {
  let newest = (await stat(executor).catch(() => undefined))?.mtimeMs ?? 0;
  const runs = path.join(executor, 'runs');
  for (const run of await list(runs)) {
    if (run === 'latest') continue;
    const runDir = path.join(runs, run);
    for (const entry of ['', ...(await list(runDir))]) {
      const info = await stat(path.join(runDir, entry)).catch(() => undefined);
      if (info !== undefined && info.mtimeMs > newest) newest = info.mtimeMs;
    }
  }
  return newest;
}

async function removeIfEmpty(dir: string): Promise<void> {
  if ((await list(dir)).length === 0) await rmdir(dir).catch(() => undefined);
}
