/** What the user reads on stderr when a command fails. */
import { ServerError } from '../errors.js';

export function formatError(err: Error): string {
  if (!(err instanceof ServerError)) return `pacer: ${err.message}\n`;
  const lines = [`pacer: ${err.method} ${err.path}: HTTP ${err.status}: ${err.message}`];
  const details = err.body.details;
  if (typeof details === 'string' && details !== '') lines.push(`  ${details}`);
  if (Array.isArray(details)) {
    for (const d of details) lines.push(`  ${d.path ?? '/'}: ${(d.errors ?? []).join('; ')}`);
  }
  for (const d of err.body.deployments ?? []) lines.push(`  locked by deployment ${d.id} (--force overrides)`);
  return `${lines.join('\n')}\n`;
}
