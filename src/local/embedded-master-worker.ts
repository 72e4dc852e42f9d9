/** Entry point of the embedded master's worker thread (see embedded-master.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { createLogger } from '../log.js';
import type { WorkerCommand, WorkerReport, WorkerSettings } from './embedded-master-protocol.js';
import { startMesosLocal } from './index.js';

const port = parentPort;
if (port === null) throw new Error('embedded-master-worker runs only as a worker thread');
const settings = workerData as WorkerSettings;
// Synchronous: the stop's last lines ("mesos-local master stopped") are written as the thread ends.
const logger = createLogger(settings.logLevel, 'pacer', settings.logFormat, { synchronous: true });
const report = (message: WorkerReport): void => port.postMessage(message);

/**
 * Ends the thread once the log lines written so far are out. pino's flush(cb) does not wait for
 * asynchronous writes in flight, and those still queued when the thread exits are dropped: the
 * last lines of a stop were lost that way. JSON lines are written synchronously (above); the
 * pretty transport's own thread is waited for here.
 */
function exitAfterLogs(code: number): void {
  const destination = (logger as unknown as Record<symbol, { flushSync?: () => void } | undefined>)[pino.symbols.streamSym];
  try {
    destination?.flushSync?.();
  } catch {
    // A destination that is not open yet holds nothing to write.
  }
  process.exit(code);
}

try {
  const handle = await startMesosLocal(settings.options, logger);
  port.on('message', (command: WorkerCommand) => {
    logger.debug({ command: command.kind }, 'embedded master thread asked to stop');
    // Exit rather than wait for the loop to drain: a stray timer must not hold shutdown.
    void handle.close().finally(() => exitAfterLogs(0));
  });
  report({ kind: 'started', url: handle.url, masterInfo: handle.masterInfo });
} catch (err) {
  report({ kind: 'failed', message: (err as Error).message });
  exitAfterLogs(1);
}
