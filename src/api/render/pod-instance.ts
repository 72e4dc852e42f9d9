/**
 * Marathon's Instance JSON (RAML types/instance.raml, raml/InstanceConversion.scala), the answer of
 * `DELETE /v2/pods/{id}::instances[/{instanceId}]`: `instanceId, state{condition, since,
 * activeSince?, healthy?, goal}, agentInfo?{host, agentId?, region?, zone?, attributes}, runSpecVersion,
 * unreachableStrategy`.
 */
import type { Instance, PodDefinition } from '../../scheduler/contracts.js';
import { timestamp } from '../../scheduler/contracts.js';
import { podInstanceHealth } from '../../scheduler/core/pod-instance.js';

export interface InstanceJson {
  instanceId: string;
  state: { condition: string; since: string; activeSince?: string; healthy?: boolean; goal: string };
  agentInfo?: { host: string; agentId?: string; region?: string; zone?: string; attributes: unknown[] };
  runSpecVersion: string;
  unreachableStrategy: 'disabled' | { inactiveAfterSeconds: number; expungeAfterSeconds: number };
}

export function renderPodInstance(instance: Instance, pod: PodDefinition): InstanceJson {
  const started = (instance.podTasks ?? []).flatMap((t) => (t.startedAt === undefined ? [] : [t.startedAt])).sort();
  const activeSince = started[0] ?? instance.startedAt;
  const healthy = podInstanceHealth(instance.podTasks ?? []);
  const host = instance.hostname;
  const strategy = pod.scheduling.unreachableStrategy;
  return {
    instanceId: instance.instanceId,
    state: {
      condition: instance.condition,
      since: timestamp(instance.since),
      ...(activeSince !== undefined ? { activeSince } : {}),
      ...(healthy !== undefined ? { healthy } : {}),
      goal: instance.goal,
    },
    ...(host !== undefined
      ? {
          agentInfo: {
            host,
            ...(instance.agentId !== undefined ? { agentId: instance.agentId } : {}),
            ...(instance.region !== undefined ? { region: instance.region } : {}),
            ...(instance.zone !== undefined ? { zone: instance.zone } : {}),
            attributes: [],
          },
        }
      : {}),
    runSpecVersion: instance.runSpecVersion,
    unreachableStrategy: strategy === 'disabled' ? 'disabled' : { ...strategy },
  };
}
