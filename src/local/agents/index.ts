export type { AgentDescription, AgentStatusSink, LocalAgent } from './agent.js';
export {
  AgentSpecError,
  agentHostnameFor,
  agentIdFor,
  completeAgentResources,
  parseAgentAttributes,
  parseAgentResources,
  portRangeSlice,
  type AgentSpecErrorCode,
  type ResourceDefaults,
} from './agent-spec.js';
export { createLocalAgents, type LocalAgentsConfig } from './local-agents.js';
export { ProcessAgent, unsupportedContainer, type ProcessAgentOptions } from './process-agent.js';
export { SimulatedAgent, type SimulatedAgentOptions } from './simulated-agent.js';
export { HEALTH_CHECK_DEFAULTS, healthCheckProblem } from './health-checker.js';
export { DEFAULT_KILL_GRACE_PERIOD_MS } from './task-runner.js';
export { TimerQueue, sharedTimerQueue } from './timer-queue.js';
export { FetchError } from './fetcher.js';
export { SandboxError } from './sandbox.js';
