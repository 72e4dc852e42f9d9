export { MarathonHealthChecks, FIRST_CHECK_WITHIN_MS, type MarathonHealthChecksOptions, type KillInstance } from './marathon-health-checks.js';
export { ReadinessChecker, type ReadinessCheckerOptions } from './readiness-checker.js';
export { combinedHealth, isPacerRun } from './combined-health.js';
export { HealthCheckError, type HealthErrorCode } from './errors.js';
export { healthCheckEndpoint, readinessEndpoint, type ProbeEndpoint } from './endpoints.js';
export {
  createProbeDispatcher,
  fetchForReadiness,
  probeHttp,
  probeTcp,
  probeUrl,
  DEFAULT_MAX_CONCURRENT_PROBES,
  MAX_READINESS_BODY_BYTES,
  type HttpProbeTarget,
  type HttpResponseSummary,
  type ProbeOutcome,
} from './probes.js';
