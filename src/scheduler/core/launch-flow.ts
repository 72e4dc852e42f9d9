/**
 * Flow control for launches: no new launches while the ACKs of status updates lag.
 *
 * Every launch brings status updates (TASK_STARTING, TASK_RUNNING, ...), each persisted and then
 * acknowledged. When launches come faster than the updates they cause can be acknowledged, the
 * ACKs fall behind without bound: at 100,000 tasks, 110,000 were waiting when the last task ran.
 * Mesos resends an update that has gone 10 s without an ACK (each resend is another update to
 * process and another ACK), the master holds every unacknowledged update, and a failover hands
 * them all to the next leader.
 *
 * So, as Marathon throttles launches with tokens that running tasks give back
 * (`--launch_tokens`), Pacer pauses launching while the oldest waiting ACK has waited
 * `pauseAfterMs`, and resumes once it is under `resumeBelowMs`. Offers that arrive meanwhile are
 * declined for `PAUSED_REFUSE_SECONDS` only, so they come back soon after.
 */
import type { Logger } from 'pino';

export interface AckBacklog {
  /** How long the oldest ACK not yet sent has waited, in milliseconds; 0 when none waits. */
  readonly oldestWaitingMs: number;
  /** ACKs queued or in flight. */
  readonly pending: number;
}

export interface LaunchFlowOptions {
  acks: AckBacklog;
  logger: Logger;
  /** Default 3 s: a third of the 10 s after which Mesos resends an update. */
  pauseAfterMs?: number;
  /** Default 1 s. */
  resumeBelowMs?: number;
  /** Told when launching pauses (true) and resumes (false). */
  onChange?: (paused: boolean) => void;
}

/** How long offers declined during a pause are refused: short, so that launching resumes soon. */
export const PAUSED_REFUSE_SECONDS = 1;

export class LaunchFlow {
  readonly #acks: AckBacklog;
  readonly #logger: Logger;
  readonly #pauseAfterMs: number;
  readonly #resumeBelowMs: number;
  readonly #onChange: ((paused: boolean) => void) | undefined;
  #paused = false;
  #pausedAt = 0;
  #pauses = 0;

  constructor(opts: LaunchFlowOptions) {
    this.#acks = opts.acks;
    this.#logger = opts.logger;
    this.#pauseAfterMs = opts.pauseAfterMs ?? 3_000;
    this.#resumeBelowMs = Math.min(opts.resumeBelowMs ?? 1_000, this.#pauseAfterMs);
    this.#onChange = opts.onChange;
  }

  /** Times launching was paused since start. */
  get pauses(): number {
    return this.#pauses;
  }

  /** Whether an offer round may launch now; logs when that changes. */
  mayLaunch(): boolean {
    const lagMs = this.#acks.oldestWaitingMs;
    if (!this.#paused && lagMs >= this.#pauseAfterMs) {
      this.#paused = true;
      this.#pausedAt = performance.now();
      this.#pauses++;
      this.#logger.info({ ackLagMs: Math.round(lagMs), acksWaiting: this.#acks.pending }, 'launches paused: status update acknowledgements are behind');
      this.#onChange?.(true);
    } else if (this.#paused && lagMs < this.#resumeBelowMs) {
      this.#paused = false;
      this.#logger.info(
        { ackLagMs: Math.round(lagMs), acksWaiting: this.#acks.pending, pausedMs: Math.round(performance.now() - this.#pausedAt) },
        'launches resumed',
      );
      this.#onChange?.(false);
    }
    return !this.#paused;
  }
}
