import { positional } from '../args.js';
import { NotFoundError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { renderDeploymentsTable } from '../render/deployments.js';
import { COMMON_FLAGS, TIMEOUT_FLAG, type CommandDef } from './command.js';
import { attachOutcomes, followDeployment } from './deploy.js';

export const DEPLOYMENT_COMMANDS: readonly CommandDef[] = [
  {
    path: ['deployment', 'list'],
    args: '',
    summary: 'List running deployments with their current step.',
    flags: COMMON_FLAGS,
    minArgs: 0,
    maxArgs: 0,
    run: async (ctx) => {
      const deployments = await ctx.api.deployments();
      ctx.print(ctx.json ? deployments.text : renderDeploymentsTable(deployments.value, ctx.tableWidth));
      return ExitCode.ok;
    },
  },
  {
    path: ['deployment', 'watch'],
    args: 'ID',
    summary: 'Show the progress of a deployment until it is gone.',
    details: 'Exit code 4 when it fails or is cancelled, 5 when no such deployment is running.',
    flags: [...COMMON_FLAGS, TIMEOUT_FLAG],
    minArgs: 1,
    maxArgs: 1,
    run: async (ctx) => {
      const id = positional(ctx.positionals, 0);
      const outcomes = await attachOutcomes(ctx);
      try {
        const running = await ctx.api.deployments();
        if (!running.value.some((d) => d.id === id)) throw new NotFoundError(`deployment ${id} is not running (finished, or never existed)`);
        await followDeployment(ctx, id, outcomes);
        return ExitCode.ok;
      } finally {
        outcomes.close();
      }
    },
  },
  {
    path: ['deployment', 'cancel'],
    args: 'ID',
    summary: 'Cancel a deployment. Marathon rolls its apps back with a new deployment, unless --force.',
    flags: [...COMMON_FLAGS, { name: 'force', kind: 'boolean', description: 'Only stop the deployment; no rollback (may leave old and new tasks mixed)' }],
    minArgs: 1,
    maxArgs: 1,
    run: async (ctx) => {
      const id = positional(ctx.positionals, 0);
      const r = await ctx.api.cancelDeployment(id, ctx.flags['force'] === true);
      if (ctx.json) ctx.print(r.text);
      else if (r.value === undefined) ctx.print(`Cancelled deployment ${id}; no rollback`);
      else ctx.print(`Cancelled deployment ${id}; rolling back with deployment ${r.value.deploymentId} (pacer deployment watch ${r.value.deploymentId})`);
      return ExitCode.ok;
    },
  },
];
