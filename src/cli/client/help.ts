/** Help for `pacer app|pod|task|deployment|queue|events`, each with the exit codes scripts rely on. */
import type { FlagSpec } from '../flags.js';
import type { CommandDef } from './commands/command.js';
import { COMMON_FLAGS } from './commands/command.js';
import { EXIT_CODES_HELP } from './exit-codes.js';

export const GROUP_SUMMARY: Record<string, string> = {
  app: 'Manage apps on any Marathon-compatible server (Marathon or Pacer).',
  task: 'List and kill tasks.',
  deployment: 'List, follow and cancel deployments.',
  queue: 'Inspect the launch queue.',
  events: "Follow the server's event stream.",
};

function usageOf(def: CommandDef): string {
  return `pacer ${def.path.join(' ')}${def.args === '' ? '' : ` ${def.args}`} [flags]`;
}

function flagLeft(spec: FlagSpec): string {
  if (spec.kind === 'boolean') return spec.default === true ? `  --[no-]${spec.name}` : `  --${spec.name}`;
  return `  --${spec.name}=${spec.value ?? spec.kind.toUpperCase()}`;
}

export function formatFlags(specs: readonly FlagSpec[], withHelp = false): string {
  const rows = [...specs, ...(withHelp ? [{ name: 'help', kind: 'boolean' as const, description: 'Show this help' }] : [])].map((s) => ({
    left: flagLeft(s),
    right: `${s.description}${s.default === undefined || s.kind === 'boolean' ? '' : ` (default: ${String(s.default)})`}`,
  }));
  const width = Math.min(34, Math.max(...rows.map((r) => r.left.length)) + 2);
  return rows.map((r) => (r.left.length >= width ? `${r.left}\n${' '.repeat(width)}${r.right}` : `${r.left.padEnd(width)}${r.right}`)).join('\n');
}

export function commandHelp(def: CommandDef): string {
  const details = def.details === undefined ? '' : `\n${def.details}\n`;
  return `Usage: ${usageOf(def)}\n\n${def.summary}\n${details}\nFlags (hyphens may replace underscores):\n${formatFlags(def.flags, true)}\n\n${EXIT_CODES_HELP}\n`;
}

export function groupHelp(group: string, defs: readonly CommandDef[]): string {
  const members = defs.filter((d) => d.path[0] === group);
  if (members.length === 1 && members[0]!.path.length === 1) return commandHelp(members[0]!);
  const usages = members.map((d) => ({ left: `  ${usageOf(d).replace(/ \[flags\]$/, '')}`, right: d.summary }));
  const width = Math.max(...usages.map((u) => u.left.length)) + 2;
  const list = usages.map((u) => `${u.left.padEnd(width)}${u.right}`).join('\n');
  return (
    `Usage: pacer ${group} <command> [arguments] [flags]\n\n${GROUP_SUMMARY[group] ?? ''}\n\nCommands:\n${list}\n\n` +
    `Flags of every command:\n${formatFlags(COMMON_FLAGS)}\n\nSee 'pacer ${group} <command> --help' for the flags of one command.\n\n${EXIT_CODES_HELP}\n`
  );
}
