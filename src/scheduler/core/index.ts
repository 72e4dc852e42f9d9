/** The orchestrator core: what deployments, the REST facade and main.ts use. */
export { SchedulerCore, FRAMEWORK_ID_KEY, type SchedulerCoreOptions, type CoreDriverSettings, type DriverFactory, type DriverInit } from './scheduler-core.js';
export type { DriverPort } from './driver-port.js';
export { CoreError, type CoreErrorCode } from './errors.js';
export {
  newInstanceId,
  taskIdOf,
  parseInstanceId,
  parseTaskId,
  safePath,
  appIdFromSafePath,
  uuidV1,
  uuidV1Time,
  type ParsedInstanceId,
  type ParsedTaskId,
} from './ids.js';
export { conditionOf, isTerminalCondition, isActiveCondition, hasLiveTask, mesosStateName } from './conditions.js';
export { RateLimiter, configVersionOf, deadlineOf, type LaunchDelay } from './rate-limiter.js';
export { buildTaskInfo, type TaskBuildInput } from './task-builder.js';
export { StoredInstanceTracker, type InstanceWrite } from './instance-tracker.js';
export { CoreLaunchQueue, launchKey, isWaitingForLaunch } from './launch-queue.js';
export { MesosHealthView } from './health-view.js';
