/** Entry point of the embedded master's worker thread (see embedded-master.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../log.js';
import type { WorkerCommand, WorkerReport, WorkerSettings } from './embedded-master-protocol.js';
import { startMesosLocal } from './index.js';

const port = parentPort;
if (port === null) throw new Error('embedded-master-worker runs only as a worker thread');
const settings = workerData as WorkerSettings;
const logger = createLogger(settings.logLevel, 'pacer', settings.logFormat);
const report = (message: WorkerReport): void => port.postMessage(message);

try {
  const handle = await startMesosLocal(settings.options, logger);
  port.on('message', (_command: WorkerCommand) => {
    // Exit rather than wait for the loop to drain: a stray timer must not hold shutdown.
    void handle.close().finally(() => logger.flush(() => process.exit(0)));
  });
  report({ kind: 'started', url: handle.url, masterInfo: handle.masterInfo });
} catch (err) {
  report({ kind: 'failed', message: (err as Error).message });
  logger.flush(() => process.exit(1));
}
