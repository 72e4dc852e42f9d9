/**
 * Task reconciliation (mesos-and-anchors.md A1.9). After every SUBSCRIBED: explicit
 * reconciliation of every non-terminal task Pacer knows, repeated with truncated exponential
 * backoff for the tasks that have not been answered since the run began (asked again once the
 * answers have stopped for the backoff, not while they still arrive), then one implicit
 * reconciliation (whose answers about strangers get them killed by the status processor).
 * Implicit reconciliation also runs every `intervalMs`. One run at a time; a new one cancels
 * the old.
 */
import type { Logger } from 'pino';
import type { CallReconcileTask } from '../../mesos/types.js';
import { ConcurrencyLimiter } from '../concurrency-limiter.js';
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
  /** Tasks per RECONCILE call. Default RECONCILE_BATCH. */
  batchSize?: number;
}

/**
 * Tasks per RECONCILE call. The master answers a call in one go, so one call of 100,000 tasks
 * left Pacer idle while the master read, converted and answered it (2 s), then the master idle
 * while Pacer worked through the answers. In calls of this size the two overlap.
 */
export const RECONCILE_BATCH = 5_000;
/** RECONCILE calls under way at once: the master reads the next while it answers one. */
const RECONCILE_CALLS_IN_FLIGHT = 3;

interface ReconcileRun {
  cancelled: boolean;
  wake: (() => void) | undefined;
  /**
   * The tasks of this round not answered yet; the wait ends early when none are left. Any update
   * for the task counts as its answer.
   */
  awaited: Set<string>;
  /** When the last answer came (clock ms). */
  lastAnswerAt: number;
}

export class Reconciler {
  readonly #opts: ReconcilerOptions;
  #run: ReconcileRun | undefined;
  #runDone: Promise<void> = Promise.resolve();
  #periodic: NodeJS.Timeout | undefined;
  #completedRuns = 0;
  #closed = false;

  constructor(opts: ReconcilerOptions) {
    this.#opts = opts;
  }

  /** Any update for the task during a run counts as an answer (kept only while a run lasts). */
  noteUpdate(taskId: string, at: number): void {
    const run = this.#run;
    if (run === undefined) return;
    run.lastAnswerAt = at;
    if (run.awaited.delete(taskId) && run.awaited.size === 0) run.wake?.();
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
    // A SUBSCRIBED still in the event queue when the core stopped must not start a run, nor
    // arm the periodic timer again (it kept a stopped process alive for 10 minutes).
    if (this.#closed) return;
    this.cancel();
    const run: ReconcileRun = { cancelled: false, wake: undefined, awaited: new Set(), lastAnswerAt: this.#opts.clock() };
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
    this.#closed = true;
    this.cancel();
    clearTimeout(this.#periodic);
    this.#periodic = undefined;
  }

  async #reconcile(run: ReconcileRun): Promise<void> {
    const { logger } = this.#opts;
    let remaining = this.#liveTasks();
    let backoff = this.#opts.initialBackoffMs ?? 1000;
    const maxRounds = this.#opts.maxRounds ?? 12;
    const batchSize = this.#opts.batchSize ?? RECONCILE_BATCH;
    logger.info({ tasks: remaining.length }, 'explicit reconciliation started');
    for (let round = 0; remaining.length > 0 && round < maxRounds; round++) {
      // Set before the first call goes out, and synchronously after the last round's answers
      // were counted: no update can fall between.
      run.awaited = new Set(remaining.map((t) => t.task_id.value));
      run.lastAnswerAt = this.#opts.clock();
      const calls = new ConcurrencyLimiter(RECONCILE_CALLS_IN_FLIGHT);
      const batches: CallReconcileTask[][] = [];
      for (let start = 0; start < remaining.length; start += batchSize) batches.push(remaining.slice(start, start + batchSize));
      await Promise.all(
        batches.map((batch) =>
          calls.run(async () => {
            const driver = this.#opts.driver();
            if (run.cancelled || !driver || driver.state !== 'subscribed') return;
            await driver.reconcile(batch);
          }),
        ),
      );
      if (run.cancelled || this.#opts.driver()?.state !== 'subscribed') return;
      await this.#awaitAnswers(run, backoff);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- cancelled by stop() while waiting for answers
      if (run.cancelled) return;
      if (run.awaited.size === 0) {
        remaining = [];
        break;
      }
      backoff = Math.min(backoff * 2, this.#opts.maxBackoffMs ?? 30_000);
      const live = new Set(this.#liveTasks().map((t) => t.task_id.value));
      remaining = remaining.filter((t) => live.has(t.task_id.value) && run.awaited.has(t.task_id.value));
    }
    if (remaining.length > 0) {
      logger.warn({ taskIds: remaining.map((t) => t.task_id.value) }, 'tasks unanswered by explicit reconciliation; trying again next run');
    } else {
      logger.info('explicit reconciliation done: every task answered');
    }
    const driver = this.#opts.driver();
    if (run.cancelled || !driver || driver.state !== 'subscribed') return;
    await driver.reconcile([]);
    this.#completedRuns++;
    logger.info('explicit reconciliation done; implicit reconciliation requested');
  }

  #liveTasks(): CallReconcileTask[] {
    const tasks: CallReconcileTask[] = [];
    for (const instance of this.#opts.instances.all()) {
      if (instance.taskId === undefined || !hasLiveTask(instance.condition)) continue;
      const agent = instance.agentId !== undefined ? { agent_id: { value: instance.agentId } } : {};
      // The common case, one task, without the list liveTaskIdsOf builds (100,000 of them at scale).
      if (instance.podTasks === undefined) tasks.push({ task_id: { value: instance.taskId }, ...agent });
      else for (const taskId of liveTaskIdsOf(instance)) tasks.push({ task_id: { value: taskId }, ...agent });
    }
    return tasks;
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
    // Reconciliation is no reason for the process to stay up.
    this.#periodic.unref();
  }

  /**
   * Until every task of the last RECONCILE was answered, or the answers stopped for `quietMs`.
   * At 100,000 tasks the master's answers take seconds to arrive; asking again after a fixed
   * wait re-sent most of them while they were still coming, and each resend brought them all
   * once more.
   */
  async #awaitAnswers(run: ReconcileRun, quietMs: number): Promise<void> {
    let wait = quietMs;
    for (;;) {
      await this.#sleep(run, wait);
      if (run.cancelled || run.awaited.size === 0) return;
      const quietFor = this.#opts.clock() - run.lastAnswerAt;
      if (quietFor >= quietMs) return;
      wait = quietMs - quietFor;
    }
  }

  #sleep(run: { wake: (() => void) | undefined; cancelled: boolean }, ms: number): Promise<void> {
    // Cancelled between two waits (while a RECONCILE was being sent): its wake-up already ran.
    if (run.cancelled) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      run.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
