import { parseCount, positional } from '../args.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { renderPodDetail, renderPodsTable } from '../render/pods.js';
import { COMMON_FLAGS, FORCE_FLAG, WAIT_FLAGS, type CommandDef } from './command.js';
import { deploy } from './deploy.js';
import { readDefinition } from './input.js';

const DEPLOYING = [...COMMON_FLAGS, FORCE_FLAG, ...WAIT_FLAGS];

function arg(ctx: CommandContext, i: number): string {
  return positional(ctx.positionals, i);
}

function deploymentNote(id: string | undefined): string {
  return id === undefined ? '' : ` (deployment ${id})`;
}

export const POD_COMMANDS: readonly CommandDef[] = [
  {
    path: ['pod', 'add'],
    args: 'FILE|-',
    summary: 'Create a pod from Marathon pod JSON (a file, or - for stdin), then wait for its deployment.',
    flags: DEPLOYING,
    minArgs: 1,
    maxArgs: 1,
    run: async (ctx) => {
      const body = await readDefinition(arg(ctx, 0), ctx.io.stdin, 'pod');
      return deploy(ctx, async () => {
        const created = await ctx.api.createPod(body, ctx.flags['force'] === true);
        return { deploymentId: created.deploymentId, text: created.text, message: `Created pod ${created.value.id}${deploymentNote(created.deploymentId)}` };
      });
    },
  },
  {
    path: ['pod', 'list'],
    args: '',
    summary: 'List pods: status, stable instances/target, containers, cpus and mem per instance (with the executor).',
    flags: COMMON_FLAGS,
    minArgs: 0,
    maxArgs: 0,
    run: async (ctx) => {
      const pods = await ctx.api.listPodStatuses();
      ctx.print(ctx.json ? pods.text : renderPodsTable(pods.value, ctx.tableWidth));
      return ExitCode.ok;
    },
  },
  {
    path: ['pod', 'show'],
    args: 'ID',
    summary: "Show one pod's status: its containers, and each instance with its containers' states, endpoints and health.",
    flags: COMMON_FLAGS,
    minArgs: 1,
    maxArgs: 1,
    run: async (ctx) => {
      const status = await ctx.api.getPodStatus(arg(ctx, 0));
      ctx.print(ctx.json ? status.text : renderPodDetail(status.value, ctx.tableWidth));
      return ExitCode.ok;
    },
  },
  {
    path: ['pod', 'scale'],
    args: 'ID N',
    summary: 'Set the number of instances (PUT of the pod with scaling.instances = N), then wait.',
    flags: DEPLOYING,
    minArgs: 2,
    maxArgs: 2,
    run: async (ctx) => {
      const id = arg(ctx, 0);
      const instances = parseCount(arg(ctx, 1), 'N');
      return deploy(ctx, async () => {
        // Marathon's PUT takes a whole pod: change the stored one.
        const { value: pod } = await ctx.api.getPod(id);
        const changed = { ...pod, scaling: { ...(pod.scaling ?? {}), kind: pod.scaling?.kind ?? 'fixed', instances } };
        delete changed.version;
        const r = await ctx.api.updatePod(id, JSON.stringify(changed), ctx.flags['force'] === true);
        return { deploymentId: r.deploymentId, text: r.text, message: `Scaling pod ${pod.id} to ${instances}${deploymentNote(r.deploymentId)}` };
      });
    },
  },
  {
    path: ['pod', 'remove'],
    args: 'ID',
    summary: 'Destroy a pod and kill its instances, then wait until they are gone.',
    flags: DEPLOYING,
    minArgs: 1,
    maxArgs: 1,
    run: async (ctx) =>
      deploy(ctx, async () => {
        const r = await ctx.api.removePod(arg(ctx, 0), ctx.flags['force'] === true);
        return { deploymentId: r.deploymentId, text: r.text, message: `Removing pod ${arg(ctx, 0)}${deploymentNote(r.deploymentId)}` };
      }),
  },
  {
    path: ['pod', 'kill'],
    args: 'ID INSTANCE_ID...',
    summary: 'Kill pod instances as a whole (every container); the pod replaces them unless --wipe also forgets them.',
    flags: [...COMMON_FLAGS, { name: 'wipe', kind: 'boolean', description: 'Forget the instances (and their reservations) instead of relaunching in place' }],
    minArgs: 2,
    maxArgs: Number.POSITIVE_INFINITY,
    run: async (ctx) => {
      const id = arg(ctx, 0);
      const killed = await ctx.api.killPodInstances(id, ctx.positionals.slice(1), ctx.flags['wipe'] === true);
      if (ctx.json) {
        ctx.print(killed.text);
      } else {
        const ids = killed.value.map((i) => i.instanceId ?? '?');
        ctx.print(ids.length === 0 ? `No instance of pod ${id} matched.` : `Killed ${ids.length} instance(s) of pod ${id}: ${ids.join(', ')}`);
      }
      return ExitCode.ok;
    },
  },
];
