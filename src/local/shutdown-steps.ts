/**
 * The stop of `pacer mesos-local` as named, bounded steps. A step that hangs is logged by name and
 * left behind, so that the steps after it (killing the agents' tasks above all) still run.
 */
import type { Logger } from 'pino';

/** One shutdown step, named so that a slow or failing one says which it is. */
export interface ShutdownStep {
  readonly step: string;
  readonly run: () => Promise<void> | void;
  /** How long shutdown waits for the step before it goes on without it; STEP_BOUND_MS if absent. */
  readonly boundMs?: number;
}

/** A shutdown step taking longer than this is logged at warn, while it still runs and when it ends. */
export const SLOW_STEP_MS = 1000;
/**
 * The longest wait for a step that should take milliseconds. Every step is bounded: the thread of
 * `pacer --master local` is ended after 10 s, and the agents' step (which sends SIGKILL to tasks
 * that outlive their grace) must have run by then, or their process groups would outlive Pacer.
 */
export const STEP_BOUND_MS = 1500;

/** Runs `steps` last first (each registered how to undo what came before it), none for longer than its bound. */
export async function runShutdownSteps(steps: ShutdownStep[], logger: Logger): Promise<void> {
  for (const { step, run, boundMs = STEP_BOUND_MS } of steps.reverse()) {
    const startedAt = performance.now();
    let slow: NodeJS.Timeout | undefined;
    let bound: NodeJS.Timeout | undefined;
    // Fires while the step still runs: a step that hangs is named by this line before it is left behind.
    if (boundMs > SLOW_STEP_MS) slow = setTimeout(() => logger.warn({ step, elapsedMs: SLOW_STEP_MS }, 'mesos-local shutdown step is slow'), SLOW_STEP_MS);
    const outcome = await Promise.race([
      Promise.resolve()
        .then(run)
        .then(
          () => 'done' as const,
          (err: unknown) => {
            logger.warn({ err, step }, 'mesos-local shutdown step failed');
            return 'failed' as const;
          },
        ),
      new Promise<'abandoned'>((resolve) => (bound = setTimeout(() => resolve('abandoned'), boundMs))),
    ]);
    clearTimeout(slow);
    clearTimeout(bound);
    const durationMs = Math.round(performance.now() - startedAt);
    if (outcome === 'abandoned') logger.error({ step, boundMs }, 'mesos-local shutdown step did not finish in time; stopping without it');
    else if (durationMs > SLOW_STEP_MS) logger.warn({ step, durationMs }, 'mesos-local shutdown step took long');
    else logger.debug({ step, durationMs }, 'mesos-local shutdown step done');
  }
}
