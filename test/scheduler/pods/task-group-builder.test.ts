import { describe, expect, it } from 'vitest';
import { match, type MatchOffer } from '../../../src/matching/index.js';
import type { Resource } from '../../../src/mesos/types.js';
import { buildTaskGroup, podPortRequests } from '../../../src/scheduler/core/task-group-builder.js';
import { podRunSpec } from '../../../src/scheduler/pods/run-spec.js';
import { podOf, WEB_AND_SIDECAR } from './fixtures.js';

const INSTANCE = 'web_pod.instance-7e2bba3c-3c55-11ef-9a33-0242ac110002';

function offer(id: string, cpus: number, mem: number, ports: [number, number]): MatchOffer {
  return {
    id: { value: id },
    framework_id: { value: 'fw-1' },
    agent_id: { value: `agent-${id}` },
    hostname: `host-${id}`,
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: cpus }, role: '*' },
      { name: 'mem', type: 'SCALAR', scalar: { value: mem }, role: '*' },
      { name: 'disk', type: 'SCALAR', scalar: { value: 1000 }, role: '*' },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: ports[0], end: ports[1] }] }, role: '*' },
    ],
  };
}

function placePod(offers: MatchOffer[]) {
  const pod = podOf(WEB_AND_SIDECAR);
  const view = podRunSpec(pod);
  const ports = podPortRequests(pod);
  const result = match({
    offers,
    requests: [{ key: 'pod', count: 1, cpus: view.cpus, mem: view.mem, disk: view.disk, gpus: view.gpus, ...ports, role: '*' }],
    options: { now: 0, seed: 1 },
  });
  return { pod, result };
}

describe('matching a pod instance', () => {
  it('places the whole instance on one agent holding the containers’ and the executor’s resources plus the endpoint ports', () => {
    const { pod, result } = placePod([offer('small', 0.35, 4096, [31000, 31010]), offer('big', 2, 4096, [31000, 31010])]);
    expect(podRunSpec(pod)).toMatchObject({ cpus: 0.4, mem: 128, disk: 15 });
    expect(result.launches).toHaveLength(1);
    const [launch] = result.launches;
    expect(launch!.agentId).toBe('agent-big');
    expect(launch!.tasks).toHaveLength(1);
    expect(launch!.tasks[0]!.hostPorts).toHaveLength(1);
  });
});

describe('buildTaskGroup (Marathon TaskGroupBuilder)', () => {
  const { pod, result } = placePod([offer('a', 2, 4096, [31000, 31000])]);
  const placement = result.launches[0]!.tasks[0]!;
  const { executor, taskGroup } = buildTaskGroup({
    pod,
    instanceId: INSTANCE,
    taskIds: [`${INSTANCE}.web.1`, `${INSTANCE}.sidecar.1`],
    agentId: placement.agentId,
    hostname: placement.hostname,
    frameworkId: 'fw-1',
    resources: placement.resources,
    hostPorts: placement.hostPorts,
  });
  const [web, sidecar] = taskGroup.tasks!;
  const env = (task: typeof web) => Object.fromEntries(task!.command!.environment!.variables!.map((v) => [v.name, v.value]));
  const scalar = (resources: Resource[] | undefined, name: string) => resources?.find((r) => r.name === name)?.scalar?.value;

  it('gives a DEFAULT executor with Marathon’s executor id, the executor resources and the host ports', () => {
    expect(executor.type).toBe('DEFAULT');
    expect(executor.executor_id.value).toBe('instance-web_pod.7e2bba3c-3c55-11ef-9a33-0242ac110002');
    expect(executor.framework_id?.value).toBe('fw-1');
    expect(scalar(executor.resources, 'cpus')).toBe(0.1);
    expect(scalar(executor.resources, 'mem')).toBe(32);
    expect(scalar(executor.resources, 'disk')).toBe(10);
    expect(executor.resources?.find((r) => r.name === 'ports')?.ranges?.range).toEqual([{ begin: 31000, end: 31000 }]);
    // The pod has networks and volumes: a MESOS container, host networking adds no network info.
    expect(executor.container).toEqual({ type: 'MESOS' });
    expect(executor.labels).toEqual({ labels: [{ key: 'team', value: 'a' }] });
  });

  it('gives one TaskInfo per container with its own resources, and none of the ports', () => {
    expect(taskGroup.tasks!.map((t) => [t.name, t.task_id.value, t.agent_id.value])).toEqual([
      ['web', `${INSTANCE}.web.1`, 'agent-a'],
      ['sidecar', `${INSTANCE}.sidecar.1`, 'agent-a'],
    ]);
    expect(web!.resources!.map((r) => [r.name, r.scalar?.value])).toEqual([
      ['cpus', 0.2],
      ['mem', 64],
    ]);
    expect(sidecar!.resources!.map((r) => [r.name, r.scalar?.value])).toEqual([
      ['cpus', 0.1],
      ['mem', 32],
      ['disk', 5],
    ]);
    expect(web!.resources![0]!.role).toBe('*');
    expect(web!.executor).toBeUndefined();
  });

  it('writes the command and Marathon’s environment (container env over pod env, endpoint variables)', () => {
    expect(web!.command).toMatchObject({ shell: true, value: WEB_AND_SIDECAR.containers[0]!.exec.command.shell });
    expect(env(web)).toMatchObject({
      POD_ENV: 'pod',
      SHARED: 'container',
      HOST: 'host-a',
      MESOS_TASK_ID: `${INSTANCE}.web.1`,
      MESOS_EXECUTOR_ID: 'instance-web_pod.7e2bba3c-3c55-11ef-9a33-0242ac110002',
      MARATHON_APP_ID: '/web/pod',
      MARATHON_APP_VERSION: '2024-01-01T00:00:00.000Z',
      MARATHON_CONTAINER_ID: 'web',
      MARATHON_CONTAINER_RESOURCE_CPUS: '0.2',
      MARATHON_CONTAINER_RESOURCE_MEM: '64.0',
      MARATHON_CONTAINER_RESOURCE_DISK: '0.0',
      MARATHON_CONTAINER_RESOURCE_GPUS: '0',
      MARATHON_APP_LABELS: 'TEAM ROLE',
      MARATHON_APP_LABEL_ROLE: 'web',
      ENDPOINT_HTTP: '31000',
      EP_HOST_HTTP: '31000',
    });
    // Every container sees every endpoint of the pod.
    expect(env(sidecar)).toMatchObject({ SHARED: 'pod', ENDPOINT_HTTP: '31000', MARATHON_CONTAINER_ID: 'sidecar', MARATHON_APP_LABELS: 'TEAM' });
  });

  it('mounts the ephemeral volume as a PARENT sandbox path under volumes/', () => {
    expect(web!.container).toEqual({
      type: 'MESOS',
      volumes: [{ mode: 'RW', container_path: 'shared', source: { type: 'SANDBOX_PATH', sandbox_path: { type: 'PARENT', path: 'volumes/shared' } } }],
    });
    expect(sidecar!.container!.volumes![0]!.mode).toBe('RO');
  });

  it('points the health check at the endpoint’s host port, sets the kill policy and the discovery info', () => {
    expect(web!.health_check).toMatchObject({ type: 'HTTP', http: { scheme: 'http', port: 31000, path: '/' } });
    expect(sidecar!.health_check).toBeUndefined();
    expect(web!.kill_policy).toEqual({ grace_period: { nanoseconds: 3e9 } });
    expect(web!.labels).toEqual({ labels: [{ key: 'role', value: 'web' }] });
    expect(web!.discovery).toEqual({ visibility: 'FRAMEWORK', name: 'pod.web', ports: { ports: [{ number: 31000, name: 'http', protocol: 'tcp' }] } });
  });
});
