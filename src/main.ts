import { FlagError, formatHelp, parseFlags } from './cli/flags.js';
import { MESOS_LOCAL_ENV_PREFIXES, MESOS_LOCAL_FLAGS, MESOS_LOCAL_UNITS_NOTE, SERVE_ENV_PREFIXES, SERVE_FLAGS, SERVE_UNITS_NOTE } from './cli/specs.js';

const SUMMARY = `Pacer: a Mesos framework scheduler that speaks Marathon's REST API.

Commands:
  pacer [serve] [flags]        Run the scheduler (default: embedded master and local agents)
  pacer mesos-local [flags]    Run only the embedded Mesos-compatible master with local agents
  pacer app|pod|task|deployment|queue|events …
                               Client commands for any Marathon-compatible server (--url)
  pacer help [command]         Show help for a command`;

const CLIENT_GROUPS = new Set(['app', 'pod', 'task', 'deployment', 'queue', 'events']);

const SERVE_USAGE = 'pacer [serve] [flags]';
const MESOS_LOCAL_USAGE = 'pacer mesos-local [flags]';
const MESOS_LOCAL_SUMMARY =
  'Runs a Mesos-compatible master with in-process agents on the v1 scheduler HTTP API, for\n' +
  'developing and testing any Mesos framework without a cluster. Not for production.';

function helpFor(command: string | undefined): string {
  if (command === 'mesos-local') {
    return formatHelp(MESOS_LOCAL_USAGE, `${MESOS_LOCAL_SUMMARY}\n\n${MESOS_LOCAL_UNITS_NOTE}`, MESOS_LOCAL_FLAGS, MESOS_LOCAL_ENV_PREFIXES);
  }
  return formatHelp(SERVE_USAGE, `${SUMMARY}\n\n${SERVE_UNITS_NOTE}`, SERVE_FLAGS, SERVE_ENV_PREFIXES);
}

/** Entry point of the `pacer` binary. Resolves with an exit code, or once a server is up. */
export async function main(argv: readonly string[]): Promise<number | undefined> {
  const [first, ...rest] = argv;
  try {
    if (first === 'help') {
      const clientText = rest[0] !== undefined && CLIENT_GROUPS.has(rest[0]) ? (await import('./cli/client/index.js')).clientHelp(rest[0], rest[1]) : undefined;
      process.stdout.write(clientText ?? helpFor(rest[0]));
      return 0;
    }
    if (first !== undefined && CLIENT_GROUPS.has(first)) {
      const { runClientCommand } = await import('./cli/client/index.js');
      return await runClientCommand(argv);
    }
    if (first === 'mesos-local') {
      const parsed = parseFlags(rest, MESOS_LOCAL_FLAGS, process.env, { envPrefixes: MESOS_LOCAL_ENV_PREFIXES });
      if (parsed.help) {
        process.stdout.write(helpFor('mesos-local'));
        return 0;
      }
      const { runMesosLocal } = await import('./cli/mesos-local-command.js');
      return await runMesosLocal(parsed.values);
    }
    const serveArgs = first === 'serve' ? rest : argv;
    const parsed = parseFlags(serveArgs, SERVE_FLAGS, process.env, { envPrefixes: SERVE_ENV_PREFIXES });
    if (parsed.help) {
      process.stdout.write(helpFor('serve'));
      return 0;
    }
    if (parsed.positionals.length > 0) {
      throw new FlagError(`unknown command '${parsed.positionals[0]}' (see pacer --help)`);
    }
    const { runServe } = await import('./cli/serve-command.js');
    return await runServe(parsed.values, parsed.given);
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`pacer: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
