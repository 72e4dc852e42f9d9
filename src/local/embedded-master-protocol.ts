/** Messages between the scheduler's thread and the embedded master's worker thread. */
import type { LevelWithSilent } from 'pino';
import type { LogFormat } from '../log.js';
import type { MasterInfo } from '../mesos/types.js';
import type { MesosLocalOptions } from './options.js';

/** workerData of the master's thread. */
export interface WorkerSettings {
  readonly options: Partial<MesosLocalOptions>;
  readonly logLevel: LevelWithSilent;
  readonly logFormat: LogFormat;
}

/** From the master's thread. */
export type WorkerReport =
  { readonly kind: 'started'; readonly url: string; readonly masterInfo: MasterInfo } | { readonly kind: 'failed'; readonly message: string };

/** To the master's thread. */
export interface WorkerCommand {
  readonly kind: 'close';
}
