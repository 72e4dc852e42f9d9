import { FlagError } from './flags.js';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  nanosecs: 1e-6,
  us: 1e-3,
  usecs: 1e-3,
  ms: 1,
  msecs: 1,
  s: 1000,
  secs: 1000,
  mins: 60_000,
  hrs: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
};

/**
 * Parses a Mesos-style duration (`1secs`, `500ms`, `2mins`) into milliseconds. A bare number
 * is taken in `bareUnit`, because Marathon's flags are plain numbers in a flag-specific unit.
 */
export function parseDurationMs(raw: string | number, bareUnit: 'ms' | 's', flag: string): number {
  if (typeof raw === 'number') return bareUnit === 's' ? raw * 1000 : raw;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  if (match === null) throw new FlagError(`--${flag}: '${raw}' is not a duration (e.g. 1secs, 500ms)`);
  const value = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  if (unit === '') return bareUnit === 's' ? value * 1000 : value;
  const factor = UNIT_MS[unit];
  if (factor === undefined) throw new FlagError(`--${flag}: unknown duration unit '${unit}'`);
  return value * factor;
}
