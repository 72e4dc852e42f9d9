import { parseCount } from '../args.js';
import { openEventStream } from '../event-stream.js';
import { ExitCode } from '../exit-codes.js';
import { formatEventLine } from '../render/events.js';
import { COMMON_FLAGS, type CommandDef } from './command.js';

export const EVENTS_COMMAND: CommandDef = {
  path: ['events'],
  args: '',
  summary: 'Stream /v2/events, one line per event (the event JSON with --json), until interrupted.',
  details: '--type may be given more than once, or as a comma-separated list (Marathon event_type filter).',
  flags: [
    ...COMMON_FLAGS,
    { name: 'type', kind: 'string', value: 'EVENT_TYPE', description: 'Only events of this type, e.g. status_update_event (repeatable)' },
    { name: 'count', kind: 'string', value: 'N', description: 'Exit after N events' },
  ],
  minArgs: 0,
  maxArgs: 0,
  repeatsType: true,
  run: async (ctx) => {
    const limit = ctx.flags['count'] === undefined ? undefined : parseCount(String(ctx.flags['count']), '--count');
    if (limit === 0) return ExitCode.ok;
    let seen = 0;
    let stopCounting!: () => void;
    const enough = new Promise<void>((resolve) => {
      stopCounting = resolve;
    });
    const stream = openEventStream({
      http: ctx.http,
      types: ctx.types,
      onEvent: (e) => {
        if (limit !== undefined && seen >= limit) return;
        seen++;
        ctx.print(ctx.json ? e.data : formatEventLine(e.type, e.data));
        if (limit !== undefined && seen >= limit) stopCounting();
      },
      onReconnecting: (reason) => ctx.warn(`pacer: event stream interrupted (${reason}); reconnecting`),
    });
    const interrupted = new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      await Promise.race([stream.opened, interrupted]);
      const reason = await Promise.race([stream.ended, interrupted.then(() => undefined), enough.then(() => undefined)]);
      if (reason !== undefined) throw reason;
      return ExitCode.ok;
    } finally {
      stream.close();
    }
  },
};
