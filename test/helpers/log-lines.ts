/** Reading a spawned process's pino log. */
import { readFileSync } from 'node:fs';

/** The fields of the last log line with this `msg` (pino JSON lines; a log may span restarts). */
export function logLine(logFile: string, msg: string): Record<string, unknown> | undefined {
  let found: Record<string, unknown> | undefined;
  for (const raw of readFileSync(logFile, 'utf8').split('\n')) {
    if (!raw.startsWith('{')) continue;
    try {
      const line = JSON.parse(raw) as Record<string, unknown>;
      if (line.msg === msg) found = line;
    } catch {
      // a partial last line
    }
  }
  return found;
}
