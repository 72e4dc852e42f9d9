/**
 * After an orderly stop the process should end on its own: nothing it started is left. When
 * something is (a timer armed after its owner was stopped kept `npm start` alive for the 10 min
 * of the reconciliation interval), the process ends anyway, and says what was still running.
 */
import type { Logger } from 'pino';

/** The time a stopped Pacer gets to end on its own. */
export const EXIT_GRACE_MS = 2000;

/** Ends the process with `code` unless it ends by itself within `graceMs`; never holds it open. */
export function exitIfStillRunning(logger: Logger, code: number, graceMs = EXIT_GRACE_MS): void {
  const timer = setTimeout(() => {
    logger.warn({ resources: process.getActiveResourcesInfo(), graceMs }, 'still running after shutdown; exiting: something started was not stopped');
    process.exit(code);
  }, graceMs);
  timer.unref();
}
