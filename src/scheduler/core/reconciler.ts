/**
 * Task reconciliation (mesos-and-anchors.md A1.9). After every SUBSCRIBED: explicit
 * reconciliation of every non-terminal task Pacer knows, repeated with truncated exponential
 * backoff for the tasks that have not been answered since the run began, then one implicit
 * reconciliation (whose answers about strangers get them killed by the status processor).
 * Implicit reconciliation also runs every `intervalMs`. One run at a time; a new one cancels
 * the old.
 */
import type { Logger } from 'pino';
import type { CallReconcileTask } from '../../mesos/types.js';
import type { InstanceTracker } from '../contracts.js';
import { hasLiveTask } from './conditions.js';
import type { DriverPort } from './driver-port.js';
import { liveTaskIdsOf } from './pod-instance.js';

export interface ReconcilerOptions {
  instances: InstanceTracker;
  driver: () => DriverPort | undefined;
  clock: () => number;
  logger: Logger;
  /** Marathon `--reconciliation_interval`, default 600000 ms. */
  intervalMs?: number;
  /** First wait for answers; doubles per round up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Explicit rounds before giving up on silent tasks until the next run. */
  maxRounds?: number;
}

interface ReconcileRun {
  cancelled: boolean;
  wake: (() => void) | undefined;
  /** Tasks an update arrived for since the run began. */
  answered: Set<string>;
}

export class Reconciler {
  readonly #opts: ReconcilerOptions;
  #run: ReconcileRun | undefined;
  #runDone: Promise<void> = Promise.resolve();
  #periodic: NodeJS.Timeout | undefined;
  #completedRuns = 0;

  constructor(opts: ReconcilerOptions) {
    this.#opts = opts;
  }

  /** Any update for the task during a run counts as an answer (kept only while a run lasts). */
  noteUpdate(taskId: string, _at: number): void {
    this.#run?.answered.add(taskId);
  }

  /** Runs that reached their implicit reconciliation. */
  get completedRuns(): number {
    return this.#completedRuns;
  }

  /** Resolves when the current run (if any) has finished or been cancelled. */
  idle(): Promise<void> {
    return this.#runDone;
  }

  onSubscribed(): void {
    this.cancel();
    const run: ReconcileRun = { cancelled: false, wake: undefined, answered: new Set() };
    this.#run = run;
    this.#runDone = this.#reconcile(run)
      .catch((err: unknown) => {
        // A run cut short by a lost subscription is retried by the next SUBSCRIBED.
        if (run.cancelled) this.#opts.logger.debug({ err }, 'reconciliation run ended with its subscription');
        else this.#opts.logger.warn({ err }, 'reconciliation run failed');
      })
      .finally(() => {
        if (this.#run === run) this.#run = undefined;
      });
    this.#schedulePeriodic();
  }

  cancel(): void {
    if (this.#run) {
      this.#run.cancelled = true;
      this.#run.wake?.();
      this.#run = undefined;
    }
  }

  close(): void {
    this.cancel();
    clearTimeout(this.#periodic);
    this.#periodic = undefined;
  }

  async #reconcile(run: ReconcileRun): Promise<void> {
    const { logger } = this.#opts;
    let remaining = this.#liveTasks();
    let backoff = this.#opts.initialBackoffMs ?? 1000;
    const maxRounds = this.#opts.maxRounds ?? 12;
    logger.info({ tasks: remaining.length }, 'explicit reconciliation started');
    for (let round = 0; remaining.length > 0 && round < maxRounds; round++) {
      const driver = this.#opts.driver();
      if (run.cancelled || !driver || driver.state !== 'subscribed') return;
      await driver.reconcile(remaining);
      await this.#sleep(run, backoff);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- cancelled by stop() while sleeping
      if (run.cancelled) return;
      backoff = Math.min(backoff * 2, this.#opts.maxBackoffMs ?? 30_000);
      const live = new Set(this.#liveTasks().map((t) => t.task_id.value));
      remaining = remaining.filter((t) => live.has(t.task_id.value) && !run.answered.has(t.task_id.value));
    }
    if (remaining.length > 0) {
      logger.warn({ taskIds: remaining.map((t) => t.task_id.value) }, 'tasks unanswered by explicit reconciliation; trying again next run');
    }
    const driver = this.#opts.driver();
    if (run.cancelled || !driver || driver.state !== 'subscribed') return;
    await driver.reconcile([]);
    this.#completedRuns++;
    logger.info('explicit reconciliation done; implicit reconciliation requested');
  }

  #liveTasks(): CallReconcileTask[] {
    return this.#opts.instances
      .all()
      .filter((i) => i.taskId !== undefined && hasLiveTask(i.condition))
      .flatMap((i) =>
        liveTaskIdsOf(i).map((taskId) => ({ task_id: { value: taskId }, ...(i.agentId !== undefined ? { agent_id: { value: i.agentId } } : {}) })),
      );
  }

  #schedulePeriodic(): void {
    clearTimeout(this.#periodic);
    this.#periodic = setTimeout(() => {
      const driver = this.#opts.driver();
      if (driver?.state === 'subscribed') {
        driver.reconcile([]).catch((err: unknown) => this.#opts.logger.warn({ err }, 'periodic implicit reconciliation failed'));
      }
      this.#schedulePeriodic();
    }, this.#opts.intervalMs ?? 600_000);
  }

  #sleep(run: { wake: (() => void) | undefined }, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      run.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
