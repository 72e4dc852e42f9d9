/**
 * The embedded master behind `pacer --master local`, on a worker thread of its own. Master,
 * agents and the master's side of every HTTP call then run on a second core instead of taking
 * turns with the scheduler on one event loop: at 10,000 tasks the scheduler answers 20,000
 * status updates, and each ACKNOWLEDGE is work on both sides of the wire. The scheduler still
 * reaches the master only over HTTP, exactly as it reaches a real one.
 */
import { Worker } from 'node:worker_threads';
import type { Logger, LevelWithSilent } from 'pino';
import { defaultLogFormat } from '../log.js';
import type { MasterInfo } from '../mesos/types.js';
import type { MesosLocalOptions } from './options.js';
import type { WorkerReport, WorkerSettings } from './embedded-master-protocol.js';

/**
 * How long the master's thread gets to stop (its agents kill their tasks with a 3 s grace) before
 * it is ended. A close that hangs was seen under CI load (2026-12-07: no "mesos-local master
 * stopped" after the framework's stream closed; not reproduced alone); 30 s made `npm start` take
 * 30 s to stop on SIGTERM then.
 */
const CLOSE_TIMEOUT_MS = 10_000;

export interface EmbeddedMaster {
  /** Base URL of the master, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly masterInfo: MasterInfo;
  /** Settles when the master stops without being asked to (its thread failed); never rejects. */
  readonly failed: Promise<Error>;
  /** Stops the master, ending every stream and killing every task, and ends its thread. */
  close(): Promise<void>;
}

export class EmbeddedMasterError extends Error {
  readonly code = 'PACER_EMBEDDED_MASTER';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbeddedMasterError';
  }
}

export async function startEmbeddedMaster(options: Partial<MesosLocalOptions>, logger: Logger): Promise<EmbeddedMaster> {
  const settings: WorkerSettings = {
    options,
    logLevel: logger.level as LevelWithSilent,
    logFormat: defaultLogFormat(),
  };
  const worker = new Worker(new URL('./embedded-master-worker.js', import.meta.url), { workerData: settings });
  let closing = false;
  let reportFailure!: (err: Error) => void;
  const failed = new Promise<Error>((resolve) => (reportFailure = resolve));
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));

  const started = new Promise<{ url: string; masterInfo: MasterInfo }>((resolve, reject) => {
    worker.on('message', (report: WorkerReport) => {
      if (report.kind === 'started') resolve(report);
      else reject(new EmbeddedMasterError(`embedded master failed to start: ${report.message}`));
    });
    let failure: Error | undefined;
    worker.once('error', (err) => {
      failure = err;
      reject(new EmbeddedMasterError(`embedded master failed to start: ${err.message}`, { cause: err }));
      if (!closing) {
        logger.fatal({ err }, 'embedded master failed');
        reportFailure(err);
      }
    });
    void exited.then((code) => {
      reject(new EmbeddedMasterError(`embedded master thread exited with code ${code}`));
      if (!closing && failure === undefined) {
        logger.fatal({ exitCode: code }, 'embedded master stopped unexpectedly');
        reportFailure(new EmbeddedMasterError(`embedded master thread exited with code ${code}`));
      }
    });
  });

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      const before = worker.performance.eventLoopUtilization();
      worker.postMessage({ kind: 'close' });
      const timer = setTimeout(() => {
        // Near 1: the thread was busy or blocked the whole time; near 0: it was idle, awaiting something that never came.
        const { utilization } = worker.performance.eventLoopUtilization(before);
        logger.warn(
          { timeoutMs: CLOSE_TIMEOUT_MS, eventLoopUtilization: Number(utilization.toFixed(3)) },
          'embedded master did not stop in time; ending its thread',
        );
        void worker.terminate();
      }, CLOSE_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    })();
    return closed;
  };

  try {
    const { url, masterInfo } = await started;
    return { url, masterInfo, failed, close };
  } catch (err) {
    await close();
    throw err;
  }
}
