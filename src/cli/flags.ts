/**
 * Command-line flags in the style of Marathon and Mesos: `--flag value`, `--flag=value`,
 * booleans as `--flag`, `--flag=false`, `--noflag` or `--no_flag`, and Marathon's toggles also
 * as `--disable_flag`. Names are written with underscores; the same name with hyphens is an
 * alias. Every flag can also come from the environment variable `PACER_<FLAG>` (upper case) or,
 * for commands that take Marathon's flags, `MARATHON_<FLAG>` as Marathon's launcher reads them
 * (an empty value turns a boolean on); PACER_ wins over MARATHON_, the command line over both.
 */

export type FlagKind = 'string' | 'number' | 'boolean';

export interface FlagSpec {
  readonly name: string;
  readonly kind: FlagKind;
  readonly description: string;
  readonly default?: string | number | boolean;
  /** Placeholder shown in help, e.g. `host:port`. */
  readonly value?: string;
  /** A Marathon toggle: `--<negation><name>` turns it off (`--disable_ha`). */
  readonly negation?: 'disable_';
  /** False: accepted for Marathon's sake but without effect in Pacer (warned about at start-up). */
  readonly effect?: false;
  /** Why a flag without effect does nothing here, or what to use instead. */
  readonly why?: string;
  /** Where /v2/info shows the value, e.g. `marathon_config.decline_offer_duration`. */
  readonly info?: string;
}

export type FlagValues = Record<string, string | number | boolean | undefined>;

export class FlagError extends Error {
  readonly code = 'PACER_FLAG';
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

export interface ParsedFlags {
  readonly values: FlagValues;
  /** Arguments that are not flags, in order (sub-command words, ids, …). */
  readonly positionals: string[];
  readonly help: boolean;
  /** Flags set on the command line or in the environment (not by a default). */
  readonly given: ReadonlySet<string>;
}

export function envVarName(flag: string, prefix = 'PACER_'): string {
  return `${prefix}${flag.toUpperCase()}`;
}

export interface ParseOptions {
  /** Environment variable prefixes in order of precedence; default `['PACER_']`. */
  readonly envPrefixes?: readonly string[];
}

/** The flag's value from the environment, if any prefix names it (and the source, for errors). */
function fromEnvironment(spec: FlagSpec, env: NodeJS.ProcessEnv, prefixes: readonly string[]): { raw: string; source: string; negated: boolean } | undefined {
  for (const prefix of prefixes) {
    const plain = envVarName(spec.name, prefix);
    if (env[plain] !== undefined) return { raw: env[plain], source: plain, negated: false };
    if (spec.negation !== undefined) {
      const negated = envVarName(`${spec.negation}${spec.name}`, prefix);
      if (env[negated] !== undefined) return { raw: env[negated], source: negated, negated: true };
    }
  }
  return undefined;
}

function canonical(name: string): string {
  return name.replace(/-/g, '_');
}

function coerce(spec: FlagSpec, raw: string, source: string): string | number | boolean {
  switch (spec.kind) {
    case 'string':
      return raw;
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) {
        throw new FlagError(`${source}: expected a number, got '${raw}'`);
      }
      return n;
    }
    case 'boolean': {
      const lowered = raw.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lowered)) return true;
      if (['false', '0', 'no', 'off'].includes(lowered)) return false;
      throw new FlagError(`${source}: expected true or false, got '${raw}'`);
    }
  }
}

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[], env: NodeJS.ProcessEnv = process.env, options: ParseOptions = {}): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: FlagValues = {};
  const positionals: string[] = [];
  let help = false;

  for (const spec of specs) {
    const found = fromEnvironment(spec, env, options.envPrefixes ?? ['PACER_']);
    if (found === undefined) continue;
    // Marathon's launcher turns `MARATHON_DISABLE_HA=` into a bare `--disable_ha`.
    const value = spec.kind === 'boolean' && found.raw === '' ? true : coerce(spec, found.raw, found.source);
    values[spec.name] = found.negated ? value === false : value;
  }

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = canonical(eq === -1 ? arg.slice(2) : arg.slice(2, eq));
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const spec = byName.get(name);
    if (spec === undefined) {
      const disabled = name.startsWith('disable_') ? byName.get(name.slice('disable_'.length)) : undefined;
      if (disabled?.negation === 'disable_') {
        // `--disable_ha`, `--disable_ha=false`
        values[disabled.name] = inline === undefined ? false : !coerce(disabled, inline, `--${name}`);
        continue;
      }
    }
    if (spec === undefined && inline === undefined) {
      const negated = name.startsWith('no_') ? name.slice(3) : name.startsWith('no') ? name.slice(2) : undefined;
      const target = negated === undefined ? undefined : byName.get(negated);
      if (target?.kind === 'boolean') {
        values[target.name] = false;
        continue;
      }
    }
    if (spec === undefined) throw new FlagError(`unknown flag '--${name}' (see --help)`);
    if (spec.kind === 'boolean' && inline === undefined) {
      const next = argv[i + 1];
      if (next !== undefined && /^(true|false)$/i.test(next)) {
        values[spec.name] = coerce(spec, next, `--${name}`);
        i++;
      } else {
        values[spec.name] = true;
      }
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      raw = argv[i + 1];
      if (raw === undefined) throw new FlagError(`flag '--${name}' needs a value`);
      i++;
    }
    values[spec.name] = coerce(spec, raw, `--${name}`);
  }

  const given = new Set(Object.keys(values));
  for (const spec of specs) {
    if (values[spec.name] === undefined && spec.default !== undefined) values[spec.name] = spec.default;
  }
  return { values, positionals, help, given };
}

export function formatHelp(usage: string, summary: string, specs: readonly FlagSpec[], envPrefixes: readonly string[] = ['PACER_']): string {
  const rows = specs.map((s) => {
    const name = s.negation !== undefined ? `[${s.negation}]${s.name}` : s.name;
    const left = `  --${name}${s.kind === 'boolean' ? '' : `=${s.value ?? s.kind.toUpperCase()}`}`;
    const dflt = s.default === undefined ? '' : ` (default: ${String(s.default)})`;
    const inert = s.effect === false ? ` [accepted, no effect: ${s.why ?? 'not applicable'}]` : '';
    return { left, right: `${s.description}${dflt}${inert} [env ${envPrefixes.map((p) => envVarName(s.name, p)).join(', ')}]` };
  });
  const width = Math.min(44, Math.max(...rows.map((r) => r.left.length)) + 2);
  const lines = rows.map((r) => (r.left.length >= width ? `${r.left}\n${' '.repeat(width)}${r.right}` : `${r.left.padEnd(width)}${r.right}`));
  return `Usage: ${usage}\n\n${summary}\n\nFlags (hyphens may replace underscores):\n${lines.join('\n')}\n  --help${' '.repeat(Math.max(1, width - 8))}Show this help\n`;
}

export function str(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  return v === undefined ? undefined : String(v);
}

export function num(values: FlagValues, name: string): number | undefined {
  const v = values[name];
  return typeof v === 'number' ? v : undefined;
}

export function bool(values: FlagValues, name: string): boolean {
  return values[name] === true;
}
