import { NotFoundError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { renderTasksTable } from '../render/tasks.js';
import { COMMON_FLAGS, FORCE_FLAG, WAIT_FLAGS, type CommandDef } from './command.js';
import { deploy } from './deploy.js';

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
];
