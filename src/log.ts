import { createRequire } from 'node:module';
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** JSON logs for machines; pretty lines only when a person is watching a terminal. */
export function createLogger(level: LevelWithSilent = 'info', name = 'pacer'): Logger {
  const pretty = process.stdout.isTTY === true && process.env.PACER_LOG_FORMAT !== 'json' && prettyAvailable();
  if (pretty) {
    return pino({ name, level, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino({ name, level });
}
