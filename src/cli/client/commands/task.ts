import { NotFoundError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { renderTasksTable } from '../render/tasks.js';
import { COMMON_FLAGS, FORCE_FLAG, WAIT_FLAGS, type CommandDef } from './command.js';
import { deploy } from './deploy.js';

/** How often `pacer task logs --follow` asks for more. */
const FOLLOW_INTERVAL_MS = 1000;

/** Waits, unless interrupted first; false when interrupted. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export const TASK_COMMANDS: readonly CommandDef[] = [
  {
    path: ['task', 'list'],
    args: '[APP]',
    summary: 'List the tasks of every app, or of one app.',
    flags: COMMON_FLAGS,
    minArgs: 0,
    maxArgs: 1,
    run: async (ctx) => {
      const appId = ctx.positionals[0];
      const tasks = await ctx.api.tasks(appId);
      ctx.print(ctx.json ? tasks.text : renderTasksTable(tasks.value, ctx.tableWidth, appId === undefined));
      return ExitCode.ok;
    },
  },
  {
    path: ['task', 'kill'],
    args: 'TASK...',
    summary: 'Kill tasks. Their app replaces them unless --scale lowers its instance count (a deployment, waited for).',
    details: 'Exit code 5 when some of the named tasks were not found (the others are still killed).',
    flags: [
      ...COMMON_FLAGS,
      { name: 'scale', kind: 'boolean', description: "Lower the app's instance count by the tasks killed (starts a deployment)" },
      { name: 'wipe', kind: 'boolean', description: 'Forget the instances, with their reservations and volumes' },
      FORCE_FLAG,
      ...WAIT_FLAGS,
    ],
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    run: async (ctx) => {
      const ids = ctx.positionals;
      const opts = { scale: ctx.flags['scale'] === true, wipe: ctx.flags['wipe'] === true, force: ctx.flags['force'] === true };
      if (opts.scale) {
        return deploy(ctx, async () => {
          const r = await ctx.api.killTasks(ids, opts);
          const deploymentId = 'deploymentId' in r.value ? r.value.deploymentId : undefined;
          return {
            deploymentId,
            text: r.text,
            message: `Killing ${ids.length} task(s) and scaling down${deploymentId === undefined ? '' : ` (deployment ${deploymentId})`}`,
          };
        });
      }
      const r = await ctx.api.killTasks(ids, opts);
      const killed = 'tasks' in r.value ? r.value.tasks : [];
      ctx.print(ctx.json ? r.text : `Killing ${killed.length} task(s):\n${killed.map((t) => `  ${t.id}`).join('\n')}`);
      // Marathon skips unknown ids silently; a script asking to kill a task should hear about it.
      const found = new Set(killed.map((t) => t.id));
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length > 0) throw new NotFoundError(`no such task: ${missing.join(', ')}`);
      return ExitCode.ok;
    },
  },
  {
    path: ['task', 'logs'],
    args: 'TASK',
    summary: "Print a task's stdout (or --stderr) from its sandbox, also after the task ended.",
    details:
      "Pacer finds the task's agent and sandbox in the Mesos master's state (GET /pacer/tasks/{id}/files/read) and reads it through the agent's files API. " +
      'With --follow, keeps printing what the task writes until interrupted. --lines N prints only the last N lines first.',
    flags: [
      ...COMMON_FLAGS,
      { name: 'stderr', kind: 'boolean', description: 'Print stderr instead of stdout' },
      { name: 'follow', kind: 'boolean', description: 'Keep printing new output until interrupted (Ctrl-C)' },
      { name: 'lines', kind: 'number', value: 'N', description: 'Start with the last N lines only (default: the whole file)' },
    ],
    minArgs: 1,
    maxArgs: 1,
    run: async (ctx) => {
      const taskId = ctx.positionals[0]!;
      const file = ctx.flags['stderr'] === true ? 'stderr' : 'stdout';
      const lines = typeof ctx.flags['lines'] === 'number' ? ctx.flags['lines'] : undefined;
      const size = (await ctx.api.readTaskFile(taskId, file, -1)).value.offset;
      let offset = 0;
      if (lines !== undefined) {
        // Read back from the end, a chunk at a time, until the window holds N lines.
        let tail = '';
        let from = size;
        while (from > 0 && tail.split('\n').length <= lines + 1) {
          const start = Math.max(0, from - 65536);
          tail = (await ctx.api.readTaskFile(taskId, file, start, from - start)).value.data + tail;
          from = start;
        }
        const kept = tail
          .split('\n')
          .slice(-(lines + 1))
          .join('\n');
        ctx.io.stdout.write(kept);
        offset = size;
      }
      for (;;) {
        const chunk = (await ctx.api.readTaskFile(taskId, file, offset)).value;
        if (chunk.data.length > 0) {
          ctx.io.stdout.write(chunk.data);
          offset = chunk.offset + Buffer.byteLength(chunk.data);
          continue;
        }
        if (ctx.flags['follow'] !== true || !(await pause(FOLLOW_INTERVAL_MS, ctx.signal))) return ExitCode.ok;
      }
    },
  },
];
