export * from '../../model/groups/root-group.js';
export { dependencyGraph, dependencyLayers, hasCycle, longestPathLengths, type DependencyGraph } from '../../model/groups/dependencies.js';
export { validateRootGroup, groupViolations, MESSAGES as GROUP_MESSAGES, type GroupViolation } from './validation.js';
export { assignServicePorts, servicePorts, PortRangeExhaustedError, DEFAULT_LOCAL_PORT_RANGE, type PortRange } from './service-ports.js';
export * from './persistence.js';
export { assignVersions, versionApp, classifyChange, type VersionChange } from '../../model/groups/versioning.js';
export { StoredRootHistory, type RootHistorySource } from './history.js';
