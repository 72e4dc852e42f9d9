import { parseCount, positional } from '../args.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { renderAppDetail, renderAppsTable } from '../render/apps.js';
import { COMMON_FLAGS, FORCE_FLAG, WAIT_FLAGS, type CommandDef } from './command.js';
import { deploy } from './deploy.js';
import { readDefinition } from './input.js';

const DEPLOYING = [...COMMON_FLAGS, FORCE_FLAG, ...WAIT_FLAGS];

function arg(ctx: CommandContext, i: number): string {
  return positional(ctx.positionals, i);
}

export const APP_COMMANDS: readonly CommandDef[] = [
  {
    path: ['app', 'add'],
    args: 'FILE|-',
    summary: 'Create an app from Marathon app JSON (a file, or - for stdin), then wait for its deployment.',
    flags: DEPLOYING,
    minArgs: 1,
    maxArgs: 1,
    run: async (ctx) => {
      const body = await readDefinition(arg(ctx, 0), ctx.io.stdin);
      return deploy(ctx, async () => {
        const created = await ctx.api.createApp(body, ctx.flags['force'] === true);
        const dep = created.deploymentId;
        return { deploymentId: dep, text: created.text, message: `Created app ${created.value.id}${dep === undefined ? '' : ` (deployment ${dep})`}` };
      });
    },
  },
  {
    path: ['app', 'list'],
    args: '',
    summary: 'List apps: instances running/target, health, running deployments, cpus, mem.',
    flags: COMMON_FLAGS,
    minArgs: 0,
    maxArgs: 0,
    run: async (ctx) => {
      const apps = await ctx.api.listApps();
      ctx.print(ctx.json ? apps.text : renderAppsTable(apps.value, ctx.tableWidth));
      return ExitCode.ok;
    },
  },
  {
    path: ['app', 'show'],
    args: 'ID',
    summary: 'Show one app and its tasks.',
    flags: COMMON_FLAGS,
    minArgs: 1,
    maxArgs: 1,
    run: async (ctx) => {
      const app = await ctx.api.getApp(arg(ctx, 0));
      ctx.print(ctx.json ? app.text : renderAppDetail(app.value, ctx.tableWidth));
      return ExitCode.ok;
    },
  },
  {
    path: ['app', 'update'],
    args: 'ID FILE|-',
    summary: 'Change an app with (partial) app JSON from a file or stdin (PUT /v2/apps/ID), then wait.',
    flags: DEPLOYING,
    minArgs: 2,
    maxArgs: 2,
    run: async (ctx) => {
      const body = await readDefinition(arg(ctx, 1), ctx.io.stdin);
      return deploy(ctx, async () => {
        const r = await ctx.api.updateApp(arg(ctx, 0), body, ctx.flags['force'] === true);
        return { deploymentId: r.value.deploymentId, text: r.text, message: `Updating app ${arg(ctx, 0)} (deployment ${r.value.deploymentId})` };
      });
    },
  },
  {
    path: ['app', 'scale'],
    args: 'ID N',
    summary: 'Set the number of instances, then wait.',
    flags: DEPLOYING,
    minArgs: 2,
    maxArgs: 2,
    run: async (ctx) => {
      const id = arg(ctx, 0);
      const instances = parseCount(arg(ctx, 1), 'N');
      return deploy(ctx, async () => {
        // A PUT to a missing app would try to create it; asking first gives a plain "not found".
        await ctx.api.getApp(id);
        const r = await ctx.api.updateApp(id, JSON.stringify({ instances }), ctx.flags['force'] === true);
        return { deploymentId: r.value.deploymentId, text: r.text, message: `Scaling app ${id} to ${instances} (deployment ${r.value.deploymentId})` };
      });
    },
  },
  {
    path: ['app', 'restart'],
    args: 'ID',
    summary: 'Replace every instance of an app, following its upgradeStrategy, then wait.',
    flags: DEPLOYING,
    minArgs: 1,
    maxArgs: 1,
    run: async (ctx) =>
      deploy(ctx, async () => {
        const r = await ctx.api.restartApp(arg(ctx, 0), ctx.flags['force'] === true);
        return { deploymentId: r.value.deploymentId, text: r.text, message: `Restarting app ${arg(ctx, 0)} (deployment ${r.value.deploymentId})` };
      }),
  },
  {
    path: ['app', 'remove'],
    args: 'ID',
    summary: 'Destroy an app and kill its tasks, then wait until they are gone.',
    flags: DEPLOYING,
    minArgs: 1,
    maxArgs: 1,
    run: async (ctx) =>
      deploy(ctx, async () => {
        const r = await ctx.api.removeApp(arg(ctx, 0), ctx.flags['force'] === true);
        return { deploymentId: r.value.deploymentId, text: r.text, message: `Removing app ${arg(ctx, 0)} (deployment ${r.value.deploymentId})` };
      }),
  },
];
