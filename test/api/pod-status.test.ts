/**
 * PodStatus rendering (render/pod-status.ts) against the cases of Marathon's PodStatusConversionTest:
 * a one-container pod with a host-port endpoint `admin` and a checked endpoint `web`, through
 * provisioned, staging, running without health, failing and passing health, and command checks.
 */
import { describe, expect, it } from 'vitest';
import {
  HEALTH_REPORTED,
  HEALTH_UNREPORTED,
  renderPodInstanceStatus,
  renderPodStatus,
  type PodInstanceView,
  type PodSpecView,
  type PodTaskView,
} from '../../src/api/render/pod-status.js';
import type { Condition } from '../../src/scheduler/contracts.js';

const SINCE = '2024-05-01T12:00:01.000Z';
const VERSION = '2024-05-01T12:00:00.000Z';

const POD: PodSpecView = {
  id: '/foo',
  scaling: { instances: 1 },
  containers: [
    {
      name: 'ct1',
      resources: { cpus: 0.01, mem: 100, disk: 0, gpus: 0 },
      endpoints: [{ name: 'web' }, { name: 'admin', hostPort: 0 }],
      healthCheck: { http: { endpoint: 'web' } },
    },
  ],
};

const COMMAND_CHECKED: PodSpecView = { ...POD, containers: [{ ...POD.containers[0]!, healthCheck: { exec: { command: { shell: 'true' } } } }] };

function task(condition: Condition, healthy?: boolean): PodTaskView {
  return {
    taskId: 'foo.instance-1.ct1.1',
    containerName: 'ct1',
    condition,
    stagedAt: SINCE,
    ...(condition === 'Running' ? { startedAt: SINCE } : {}),
    hostPorts: [1001],
    healthy,
  };
}

function instance(condition: Condition, healthy?: boolean): PodInstanceView {
  return {
    instanceId: 'foo.instance-1',
    condition,
    since: Date.parse(SINCE),
    runSpecVersion: VERSION,
    agentId: 'agentId1',
    hostname: 'agent1',
    tasks: [task(condition, healthy)],
  };
}

describe('PodInstanceStatus', () => {
  it('provisioned, no Mesos status yet: PENDING, executor resources only, endpoints with the allocated port', () => {
    const status = renderPodInstanceStatus(POD, instance('Provisioned'));
    expect(status).toEqual({
      id: 'foo.instance-1',
      status: 'PENDING',
      statusSince: SINCE,
      conditions: [],
      agentHostname: 'agent1',
      agentId: 'agentId1',
      resources: { cpus: 0.1, mem: 32, disk: 10, gpus: 0 },
      networks: [],
      containers: [
        {
          name: 'ct1',
          status: 'TASK_STAGING',
          statusSince: SINCE,
          conditions: [],
          containerId: 'foo.instance-1.ct1.1',
          endpoints: [{ name: 'admin', allocatedHostPort: 1001 }, { name: 'web' }],
          lastUpdated: SINCE,
          lastChanged: SINCE,
        },
      ],
      specReference: `/v2/pods/foo::versions/${VERSION}`,
      localVolumes: [],
      lastUpdated: SINCE,
      lastChanged: SINCE,
    });
  });

  it('staging: STAGING, the container`s resources are added to the executor`s', () => {
    const status = renderPodInstanceStatus(POD, instance('Staging'));
    expect(status.status).toBe('STAGING');
    expect(status.resources).toEqual({ cpus: 0.1 + 0.01, mem: 132, disk: 10, gpus: 0 });
    expect(status.containers[0]!.resources).toEqual({ cpus: 0.01, mem: 100, disk: 0, gpus: 0 });
    expect(status.containers[0]!.conditions).toEqual([]);
  });

  it('running without health information: DEGRADED, healthy=false unreported', () => {
    const status = renderPodInstanceStatus(POD, instance('Running'));
    expect(status.status).toBe('DEGRADED');
    expect(status.message).toBe('at least one container is not healthy');
    expect(status.containers[0]!.conditions).toEqual([{ name: 'healthy', lastChanged: SINCE, lastUpdated: SINCE, value: 'false', reason: HEALTH_UNREPORTED }]);
    expect(status.containers[0]!.endpoints).toEqual([{ name: 'admin', allocatedHostPort: 1001 }, { name: 'web' }]);
  });

  it('running with a failing endpoint check: DEGRADED, the endpoint says healthy=false', () => {
    const status = renderPodInstanceStatus(POD, instance('Running', false));
    expect(status.status).toBe('DEGRADED');
    expect(status.containers[0]!.conditions[0]).toMatchObject({ value: 'false', reason: HEALTH_REPORTED });
    expect(status.containers[0]!.endpoints).toEqual([
      { name: 'admin', allocatedHostPort: 1001 },
      { name: 'web', healthy: false },
    ]);
  });

  it('running with a passing endpoint check: STABLE', () => {
    const status = renderPodInstanceStatus(POD, instance('Running', true));
    expect(status.status).toBe('STABLE');
    expect(status.message).toBeUndefined();
    expect(status.containers[0]!.conditions[0]).toMatchObject({ value: 'true', reason: HEALTH_REPORTED });
    expect(status.containers[0]!.endpoints).toEqual([
      { name: 'admin', allocatedHostPort: 1001 },
      { name: 'web', healthy: true },
    ]);
  });

  it('command checks report through the task`s health, not an endpoint', () => {
    const missing = renderPodInstanceStatus(COMMAND_CHECKED, instance('Running'));
    expect(missing.containers[0]!.conditions[0]).toMatchObject({ value: 'false', reason: HEALTH_UNREPORTED });
    const passing = renderPodInstanceStatus(COMMAND_CHECKED, instance('Running', true));
    expect(passing.status).toBe('STABLE');
    expect(passing.containers[0]!.endpoints).toEqual([{ name: 'admin', allocatedHostPort: 1001 }, { name: 'web' }]);
  });

  it('unreachable is DEGRADED with its message; killed is TERMINAL, inactive containers show no id, ports or resources', () => {
    expect(renderPodInstanceStatus(POD, instance('Unreachable'))).toMatchObject({ status: 'DEGRADED', message: 'pod instance has become unreachable' });
    const killed = renderPodInstanceStatus(POD, instance('Killed'));
    expect(killed.status).toBe('TERMINAL');
    expect(killed.containers[0]).not.toHaveProperty('containerId');
    expect(killed.containers[0]!.endpoints).toEqual([]);
    expect(killed.containers[0]).not.toHaveProperty('resources');
    expect(killed.containers[0]!.status).toBe('TASK_KILLED');
  });

  it('networks of the tasks are merged by name without duplicate addresses', () => {
    const view = instance('Running', true);
    const networks = [
      { name: 'abc', addresses: ['1.2.3.4'] },
      { name: 'def', addresses: ['5.6.7.8'] },
    ];
    const status = renderPodInstanceStatus(POD, {
      ...view,
      tasks: [
        { ...view.tasks[0]!, networks },
        { ...view.tasks[0]!, networks },
      ],
    });
    expect(status.networks).toEqual(networks);
  });
});

describe('PodStatus', () => {
  const NOW = Date.parse('2024-05-01T12:05:00.000Z');
  it('STABLE once as many instances as wanted are STABLE, DEGRADED before, TERMINAL while being removed', () => {
    const spec = { id: '/foo' };
    const stable = renderPodStatus({ pod: POD, spec, instances: [instance('Running', true)], terminating: false, now: NOW });
    expect(stable).toEqual({
      id: '/foo',
      spec,
      status: 'STABLE',
      statusSince: SINCE,
      instances: [expect.objectContaining({ id: 'foo.instance-1', status: 'STABLE' })],
      terminationHistory: [],
      lastUpdated: '2024-05-01T12:05:00.000Z',
      lastChanged: SINCE,
    });
    expect(renderPodStatus({ pod: POD, spec, instances: [instance('Staging')], terminating: false, now: NOW }).status).toBe('DEGRADED');
    expect(renderPodStatus({ pod: POD, spec, instances: [instance('Running', true)], terminating: true, now: NOW }).status).toBe('TERMINAL');
  });

  it('leaves out freshly scheduled instances (no agent yet); with none shown statusSince is now', () => {
    const scheduled: PodInstanceView = { instanceId: 'foo.instance-2', condition: 'Scheduled', since: NOW - 1000, runSpecVersion: VERSION, tasks: [] };
    const status = renderPodStatus({ pod: POD, spec: {}, instances: [scheduled], terminating: false, now: NOW });
    expect(status.instances).toEqual([]);
    expect(status.statusSince).toBe('2024-05-01T12:05:00.000Z');
    expect(status.status).toBe('DEGRADED');
  });

  it('terminationHistory shows the last failed task while its instance is known', () => {
    const failure = { taskId: 'foo.instance-1.ct1.1', state: 'TASK_FAILED', message: 'Command exited with status 1', timestamp: '2024-05-01T12:04:00.000Z' };
    const status = renderPodStatus({ pod: POD, spec: {}, instances: [instance('Failed')], terminating: false, lastFailure: failure, now: NOW });
    expect(status.terminationHistory).toEqual([
      {
        instanceID: 'foo.instance-1',
        startedAt: SINCE,
        terminatedAt: '2024-05-01T12:04:00.000Z',
        message: 'Command exited with status 1',
        containers: [{ containerId: 'foo.instance-1.ct1.1', lastKnownState: 'TASK_FAILED' }],
      },
    ]);
    expect(renderPodStatus({ pod: POD, spec: {}, instances: [], terminating: false, lastFailure: failure, now: NOW }).terminationHistory).toEqual([]);
  });
});
