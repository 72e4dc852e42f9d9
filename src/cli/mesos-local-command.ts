import type { LevelWithSilent } from 'pino';
import { startMesosLocal } from '../local/index.js';
import { createLogger } from '../log.js';
import { parseDurationMs } from './duration.js';
import { num, str, type FlagValues } from './flags.js';
import { untilSignal } from './signals.js';

/** `pacer mesos-local`: the embedded master alone, until SIGINT or SIGTERM. */
export async function runMesosLocal(values: FlagValues): Promise<number> {
  const logger = createLogger((str(values, 'log_level') ?? 'info') as LevelWithSilent, 'pacer-mesos-local');
  const handle = await startMesosLocal(
    {
      ip: str(values, 'ip'),
      port: num(values, 'port'),
      hostname: str(values, 'hostname'),
      agents: num(values, 'agents'),
      simulatedAgents: num(values, 'simulated_agents'),
      agentResources: str(values, 'agent_resources'),
      agentAttributes: str(values, 'agent_attributes'),
      workDir: str(values, 'work_dir'),
      gcDelayMs: parseDurationMs(str(values, 'gc_delay') ?? '1weeks', 's', 'gc_delay'),
      zk: str(values, 'zk'),
      zkSessionTimeoutMs: parseDurationMs(values.zk_session_timeout as string | number, 's', 'zk_session_timeout'),
      allocationIntervalMs: parseDurationMs(values.allocation_interval as string | number, 's', 'allocation_interval'),
      heartbeatIntervalSeconds: parseDurationMs(values.heartbeat_interval as string | number, 's', 'heartbeat_interval') / 1000,
      switchUser: values.switch_user !== false,
      authentication: {
        credentialsFile: str(values, 'credentials'),
        frameworks: values.authenticate_frameworks === true,
        httpFrameworks: values.authenticate_http_frameworks === true,
        httpReadonly: values.authenticate_http_readonly === true,
        httpReadwrite: values.authenticate_http_readwrite === true,
      },
    },
    logger,
  );
  logger.info({ url: handle.url, agents: handle.agents.length, workDir: handle.workDir }, `mesos-local master listening on ${handle.url}`);
  const signal = await untilSignal();
  logger.info({ signal }, 'shutting down');
  await handle.close();
  return 0;
}
