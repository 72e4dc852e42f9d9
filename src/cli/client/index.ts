/**
 * `pacer app|pod|task|deployment|queue|events …`: client commands for any server that speaks
 * Marathon's REST API. `runClientCommand(argv)` takes the words after `pacer` and resolves with
 * the exit code (see exit-codes.ts); it never calls process.exit.
 */
import { extractRepeated, parseClientFlags, parseDuration } from './args.js';
import { MarathonApi } from './api.js';
import { APP_COMMANDS } from './commands/app.js';
import type { CommandDef } from './commands/command.js';
import { DEPLOYMENT_COMMANDS } from './commands/deployment.js';
import { EVENTS_COMMAND } from './commands/events.js';
import { POD_COMMANDS } from './commands/pod.js';
import { QUEUE_COMMAND } from './commands/queue.js';
import { TASK_COMMANDS } from './commands/task.js';
import { defaultIo, type ClientIo, type CommandContext } from './context.js';
import { UsageError } from './errors.js';
import { exitCodeFor, ExitCode } from './exit-codes.js';
import { commandHelp, groupHelp } from './help.js';
import { MarathonHttp } from './http.js';
import { formatError } from './render/errors.js';

export { ExitCode, EXIT_CODES_HELP, exitCodeFor } from './exit-codes.js';
export type { ClientIo, OutStream } from './context.js';

export const CLIENT_COMMANDS: readonly CommandDef[] = [
  ...APP_COMMANDS,
  ...POD_COMMANDS,
  ...TASK_COMMANDS,
  ...DEPLOYMENT_COMMANDS,
  QUEUE_COMMAND,
  EVENTS_COMMAND,
];

/** The first words of argv that belong to the client: `pacer <group> …`. */
export const CLIENT_GROUPS: readonly string[] = ['app', 'pod', 'task', 'deployment', 'queue', 'events'];

export function isClientCommand(word: string | undefined): boolean {
  return word !== undefined && CLIENT_GROUPS.includes(word);
}

/** Help text for `pacer help <group> [command]`; undefined when `group` is not a client command. */
export function clientHelp(group: string, command?: string): string | undefined {
  if (!isClientCommand(group)) return undefined;
  const single = CLIENT_COMMANDS.find((d) => d.path.length === 1 && d.path[0] === group);
  if (single !== undefined) return commandHelp(single);
  const def = CLIENT_COMMANDS.find((d) => d.path[0] === group && d.path[1] === command);
  return def !== undefined ? commandHelp(def) : groupHelp(group, CLIENT_COMMANDS);
}

function resolve(argv: readonly string[]): { def: CommandDef; rest: string[] } | { help: string; exit: number } {
  const [group, sub, ...after] = argv;
  const single = CLIENT_COMMANDS.find((d) => d.path.length === 1 && d.path[0] === group);
  if (single !== undefined) return { def: single, rest: argv.slice(1) };
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    return { help: groupHelp(group!, CLIENT_COMMANDS), exit: sub === undefined ? ExitCode.usage : ExitCode.ok };
  }
  const def = CLIENT_COMMANDS.find((d) => d.path[0] === group && d.path[1] === sub);
  if (def === undefined) throw new UsageError(`unknown command 'pacer ${group} ${sub}' (see pacer help ${group})`);
  return { def, rest: after };
}

function interruptSignal(io: ClientIo): { signal: AbortSignal; dispose: () => void } {
  if (io.signal !== undefined) return { signal: io.signal, dispose: () => {} };
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

async function run(def: CommandDef, rest: string[], io: ClientIo): Promise<number> {
  const repeated = def.repeatsType === true ? extractRepeated(rest, 'type') : { rest, values: [] };
  const parsed = parseClientFlags(repeated.rest, def.flags, io.env);
  if (parsed.help) {
    io.stdout.write(commandHelp(def));
    return ExitCode.ok;
  }
  const n = parsed.positionals.length;
  if (n < def.minArgs || n > def.maxArgs) {
    const usage = `pacer ${def.path.join(' ')}${def.args === '' ? '' : ` ${def.args}`}`;
    throw new UsageError(n < def.minArgs ? `missing arguments; usage: ${usage}` : `unexpected argument '${parsed.positionals[def.maxArgs]}'; usage: ${usage}`);
  }
  const http = new MarathonHttp({
    baseUrl: String(parsed.values['url']),
    user: parsed.values['user'] === undefined ? undefined : String(parsed.values['user']),
    requestTimeoutMs: parseDuration(parsed.values['request_timeout'], 'request_timeout'),
  });
  const interrupt = interruptSignal(io);
  const ctx: CommandContext = {
    io,
    http,
    api: new MarathonApi(http),
    flags: parsed.values,
    positionals: parsed.positionals,
    types: repeated.values,
    json: parsed.values['json'] === true,
    signal: interrupt.signal,
    tableWidth: io.stdout.isTTY === true ? io.stdout.columns || 80 : undefined,
    print: (text) => void io.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    warn: (text) => void io.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  };
  try {
    return await def.run(ctx);
  } finally {
    interrupt.dispose();
    await http.close();
  }
}

/**
 * Runs `pacer <group> [command] [arguments] [flags]`, e.g. `['app', 'scale', '/web', '3']`.
 * Errors the user can act on are printed to stderr and become exit codes; only bugs reject.
 */
export async function runClientCommand(argv: readonly string[], io: ClientIo = defaultIo()): Promise<number> {
  try {
    if (!isClientCommand(argv[0])) throw new UsageError(`'${argv[0] ?? ''}' is not a client command (${CLIENT_GROUPS.join(', ')})`);
    const resolved = resolve(argv);
    if ('help' in resolved) {
      (resolved.exit === ExitCode.ok ? io.stdout : io.stderr).write(resolved.help);
      return resolved.exit;
    }
    return await run(resolved.def, resolved.rest, io);
  } catch (err) {
    const code = exitCodeFor(err);
    if (code === undefined) throw err;
    io.stderr.write(formatError(err as Error));
    return code;
  }
}
