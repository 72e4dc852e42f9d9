/** Typed errors of the health and readiness checkers. */
export type HealthErrorCode =
  /** A constructor option is out of range. */
  | 'PACER_HEALTH_BAD_OPTION'
  /** The check's port cannot be resolved for the instance (no such portIndex/portName, no host port). */
  | 'PACER_HEALTH_NO_PORT'
  /** The instance has no hostname or IP address to probe yet. */
  | 'PACER_HEALTH_NO_HOST';

export class HealthCheckError extends Error {
  constructor(
    readonly code: HealthErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HealthCheckError';
  }
}
