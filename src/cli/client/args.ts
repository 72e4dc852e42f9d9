/**
 * Argument handling on top of src/cli/flags.ts: the environment is narrowed to PACER_URL and
 * PACER_USER (a stray PACER_FORCE must not force a deployment), `--type` may repeat, and
 * durations accept `30s`, `2m`, `1h` besides Mesos-style `30secs`.
 */
import { parseDurationMs } from '../duration.js';
import { FlagError, parseFlags, type FlagSpec, type ParsedFlags } from '../flags.js';
import { UsageError } from './errors.js';

export const ENV_FLAGS = ['url', 'user'] as const;

export function clientEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const narrowed: NodeJS.ProcessEnv = {};
  for (const flag of ENV_FLAGS) {
    const key = `PACER_${flag.toUpperCase()}`;
    if (env[key] !== undefined) narrowed[key] = env[key];
  }
  return narrowed;
}

/** Takes every `--name v` / `--name=v` out of argv; values may also be comma-separated. */
export function extractRepeated(argv: readonly string[], name: string): { rest: string[]; values: string[] } {
  const rest: string[] = [];
  const values: string[] = [];
  const long = `--${name}`;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === long) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`flag '${long}' needs a value`);
      values.push(next);
      i++;
    } else if (arg.startsWith(`${long}=`)) {
      values.push(arg.slice(long.length + 1));
    } else {
      rest.push(arg);
    }
  }
  return {
    rest,
    values: values
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v !== ''),
  };
}

export function parseClientFlags(argv: readonly string[], specs: readonly FlagSpec[], env: NodeJS.ProcessEnv): ParsedFlags {
  try {
    return parseFlags(argv, specs, clientEnv(env));
  } catch (err) {
    if (err instanceof FlagError) throw new UsageError(err.message);
    throw err;
  }
}

/** Milliseconds from `30`, `30s`, `2m`, `1h`, `500ms`, `30secs`, `2mins`; bare numbers are seconds. */
export function parseDuration(raw: string | number | boolean | undefined, flag: string): number {
  if (raw === undefined || typeof raw === 'boolean') throw new UsageError(`--${flag} needs a duration`);
  const short = typeof raw === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)\s*$/i.exec(raw) : null;
  if (short !== null) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000 }[short[2]!.toLowerCase() as 's' | 'm' | 'h'];
    return Number(short[1]) * unit;
  }
  try {
    return parseDurationMs(raw, 's', flag);
  } catch (err) {
    if (err instanceof FlagError) throw new UsageError(err.message);
    throw err;
  }
}

export function parseCount(raw: string, what: string): number {
  if (!/^\d+$/.test(raw)) throw new UsageError(`${what} must be a whole number >= 0, got '${raw}'`);
  return Number(raw);
}

/**
 * Positional argument `i`. The dispatcher enforces each command's minArgs, so a missing one
 * means a command reads past what it declared: reported as a usage error, not a crash.
 */
export function positional(positionals: readonly string[], i: number): string {
  const value = positionals[i];
  if (value === undefined) throw new UsageError(`missing argument ${i + 1}`);
  return value;
}
