import { createRequire } from 'node:module';
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export type LogFormat = 'pretty' | 'json';

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** Pretty lines only when a person is watching a terminal; JSON for machines. */
export function defaultLogFormat(): LogFormat {
  const pretty = process.stdout.isTTY === true && process.env.PACER_LOG_FORMAT !== 'json' && prettyAvailable();
  return pretty ? 'pretty' : 'json';
}

/**
 * A worker thread has no terminal of its own, so it is handed the main thread's format rather
 * than guessing it.
 */
export function createLogger(
  level: LevelWithSilent = 'info',
  name = 'pacer',
  format: LogFormat = defaultLogFormat(),
  options: { readonly synchronous?: boolean } = {},
): Logger {
  if (format === 'pretty') {
    return pino({ name, level, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  // Synchronous JSON lines are out the moment they are logged: a worker thread's asynchronous
  // writes still queued when it exits are dropped, and pino flushes on exit on the main thread only.
  if (options.synchronous === true) return pino({ name, level }, pino.destination({ dest: 1, sync: true }));
  return pino({ name, level });
}
