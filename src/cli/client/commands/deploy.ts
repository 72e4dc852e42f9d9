/**
 * The shared path of every command that starts a deployment: attach to the event stream first
 * (so the outcome cannot slip by), make the change, report it, then follow the deployment.
 */
import { parseDuration } from '../args.js';
import type { CommandContext } from '../context.js';
import { DeploymentOutcomes } from '../deployment-outcomes.js';
import { ExitCode } from '../exit-codes.js';
import { progressReporter } from '../progress.js';
import { waitForDeployment } from '../wait.js';

export const POLL_INTERVAL_MS = 500;
const EVENT_STREAM_OPEN_TIMEOUT_MS = 3000;

export interface Change {
  deploymentId: string | undefined;
  /** The server's body, printed with --json. */
  text: string;
  /** The readable one-line report. */
  message: string;
}

export async function followDeployment(ctx: CommandContext, deploymentId: string, outcomes: DeploymentOutcomes): Promise<void> {
  await waitForDeployment({
    api: ctx.api,
    deploymentId,
    timeoutMs: parseDuration(ctx.flags['timeout'], 'timeout'),
    pollIntervalMs: ctx.io.pollIntervalMs ?? POLL_INTERVAL_MS,
    progress: progressReporter(ctx.io.stderr),
    outcomes,
  });
}

export async function attachOutcomes(ctx: CommandContext): Promise<DeploymentOutcomes> {
  const outcomes = new DeploymentOutcomes();
  await outcomes.attach(ctx.http, EVENT_STREAM_OPEN_TIMEOUT_MS);
  return outcomes;
}

export async function deploy(ctx: CommandContext, change: () => Promise<Change>): Promise<number> {
  const wait = ctx.flags['wait'] === true;
  if (wait) parseDuration(ctx.flags['timeout'], 'timeout');
  const outcomes = wait ? await attachOutcomes(ctx) : undefined;
  try {
    const result = await change();
    ctx.print(ctx.json ? result.text : result.message);
    if (outcomes === undefined || result.deploymentId === undefined) return ExitCode.ok;
    await followDeployment(ctx, result.deploymentId, outcomes);
    return ExitCode.ok;
  } finally {
    outcomes?.close();
  }
}
