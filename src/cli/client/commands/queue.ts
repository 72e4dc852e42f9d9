import { ExitCode } from '../exit-codes.js';
import { renderQueue } from '../render/queue.js';
import { COMMON_FLAGS, type CommandDef } from './command.js';

export const QUEUE_COMMAND: CommandDef = {
  path: ['queue'],
  args: '',
  summary: 'Show apps waiting for instances to launch: how many, backoff delay, and why offers were declined.',
  flags: COMMON_FLAGS,
  minArgs: 0,
  maxArgs: 0,
  run: async (ctx) => {
    const queue = await ctx.api.queue();
    ctx.print(ctx.json ? queue.text : renderQueue(queue.value, ctx.tableWidth));
    return ExitCode.ok;
  },
};
