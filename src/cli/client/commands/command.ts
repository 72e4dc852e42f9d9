import type { FlagSpec } from '../../flags.js';
import type { CommandContext } from '../context.js';

export interface CommandDef {
  /** e.g. ['app', 'add']; ['queue'] for a command without a sub-command. */
  path: readonly string[];
  /** Arguments after the command words, e.g. `ID FILE|-`. */
  args: string;
  summary: string;
  /** Extra help paragraph. */
  details?: string;
  flags: readonly FlagSpec[];
  minArgs: number;
  maxArgs: number;
  /** Accepts `--type` more than once. */
  repeatsType?: boolean;
  run(ctx: CommandContext): Promise<number>;
}

export const COMMON_FLAGS: readonly FlagSpec[] = [
  { name: 'url', kind: 'string', value: 'URL', default: 'http://127.0.0.1:8080', description: 'Marathon or Pacer API base URL [env PACER_URL]' },
  { name: 'user', kind: 'string', value: 'user:password', description: 'HTTP Basic credentials [env PACER_USER]' },
  { name: 'json', kind: 'boolean', description: "Print the server's JSON as received instead of tables" },
  { name: 'request_timeout', kind: 'string', value: 'DURATION', default: '30s', description: 'Give up on a request the server has not answered in this time' },
];

export const FORCE_FLAG: FlagSpec = {
  name: 'force',
  kind: 'boolean',
  description: 'Override the lock of a running deployment on the same app (force=true)',
};

export const TIMEOUT_FLAG: FlagSpec = {
  name: 'timeout',
  kind: 'string',
  value: 'DURATION',
  default: '10m',
  description: 'Stop waiting after this long (exit 4; the deployment goes on); 0 = no limit',
};

export const WAIT_FLAGS: readonly FlagSpec[] = [
  { name: 'wait', kind: 'boolean', default: true, description: 'Wait until the deployment finished; --no-wait returns at once' },
  TIMEOUT_FLAG,
];
