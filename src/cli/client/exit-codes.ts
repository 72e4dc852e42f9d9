import { FlagError } from '../flags.js';
import { ConnectionError, DeploymentError, NotFoundError, ResponseFormatError, ServerError, UsageError } from './errors.js';

/** Exit codes of the client commands; stable, scripts rely on them. */
export const ExitCode = {
  ok: 0,
  rejected: 1,
  usage: 2,
  unreachable: 3,
  deployment: 4,
  notFound: 5,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `Exit codes:
  0  success (and, when waiting, the deployment finished)
  1  the server rejected the request (4xx other than 404, or 5xx); its message and details are printed
  2  usage error: bad arguments or flags, unreadable input file
  3  cannot reach the server: connection refused, unknown host, or no answer within --request_timeout
  4  the deployment failed, was cancelled, or did not finish within --timeout
  5  not found: the app, task or deployment does not exist (HTTP 404)`;

export function exitCodeFor(err: unknown): ExitCodeValue | undefined {
  if (err instanceof UsageError || err instanceof FlagError) return ExitCode.usage;
  if (err instanceof ConnectionError) return ExitCode.unreachable;
  if (err instanceof DeploymentError) return ExitCode.deployment;
  if (err instanceof NotFoundError) return ExitCode.notFound;
  if (err instanceof ServerError) return err.status === 404 ? ExitCode.notFound : ExitCode.rejected;
  if (err instanceof ResponseFormatError) return ExitCode.rejected;
  return undefined;
}
