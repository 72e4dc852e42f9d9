export {
  computePlan,
  isAffectedBy,
  snapshotPlan,
  renderDeployment,
  renderLightPlan,
  renderStep,
  type Deployment,
  type PlanOptions,
  type DeploymentJson,
  type LightPlanJson,
  type DeploymentStepJson,
} from './plan.js';
export { revertDeployment } from './revert.js';
export { proposeScaling, killOrder, type ScalingProposal } from './scaling.js';
export { computeRestartStrategy, RestartStrategyError, type RestartStrategy, type RestartInputs } from './restart-strategy.js';
export { NO_READINESS_CHECKS, type ReadinessView } from './readiness.js';
export {
  DeploymentManager,
  CANCELLED_REASON,
  DEFAULT_RECHECK_INTERVAL_MS,
  storedDeployment,
  type DeploymentManagerOptions,
  type DeploymentOutcome,
  type StoredDeployment,
} from './manager.js';
export {
  ActionRun,
  StartApplicationRun,
  ScaleApplicationRun,
  RestartApplicationRun,
  StopApplicationRun,
  isHealthyForDeployment,
  type ActionContext,
} from './actions.js';
export * from './events.js';
