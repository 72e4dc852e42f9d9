import { describe, expect, it } from 'vitest';
import { buildTaskInfo } from '../../../src/scheduler/core/task-builder.js';
import { appOf } from './fixtures.js';

const resources = [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }];

function envOf(task: ReturnType<typeof buildTaskInfo>): Record<string, string> {
  return Object.fromEntries((task.command?.environment?.variables ?? []).map((v) => [v.name, v.value ?? '']));
}

describe('buildTaskInfo', () => {
  const web = appOf({
    id: '/prod/web',
    cmd: 'python3 -m http.server $PORT0',
    cpus: 0.5,
    mem: 64,
    disk: 10,
    env: { GREETING: 'hi', PORT: 'overridden-by-app' },
    labels: { team: 'core', 'tier.name': 'front' },
    portDefinitions: [
      { port: 0, name: 'http' },
      { port: 0, protocol: 'udp,tcp' },
    ],
    fetch: [
      { uri: 'https://example.com/a.tgz', destPath: 'a.tgz' },
      { uri: 'https://example.com/run.sh', executable: true, extract: false },
    ],
    taskKillGracePeriodSeconds: 7,
    user: 'nobody',
    healthChecks: [
      {
        protocol: 'MESOS_HTTP',
        path: '/health',
        portIndex: 0,
        delaySeconds: 2,
        intervalSeconds: 5,
        timeoutSeconds: 3,
        gracePeriodSeconds: 30,
        maxConsecutiveFailures: 4,
      },
    ],
  });
  const task = buildTaskInfo({ app: web, taskId: 'prod_web.instance-x._app.1', agentId: 'agent-1', hostname: 'node-1', resources, hostPorts: [31001, 31002] });

  it('names the task by the reversed path and keeps ids and resources', () => {
    expect(task.name).toBe('web.prod');
    expect(task.task_id).toEqual({ value: 'prod_web.instance-x._app.1' });
    expect(task.agent_id).toEqual({ value: 'agent-1' });
    expect(task.resources).toEqual(resources);
    expect(task.labels).toEqual({
      labels: [
        { key: 'team', value: 'core' },
        { key: 'tier.name', value: 'front' },
      ],
    });
  });

  it('puts --env_vars_prefix before the port variables and HOST only, as Marathon does', () => {
    const prefixed = envOf(
      buildTaskInfo({ app: web, taskId: 't1', agentId: 'agent-1', hostname: 'node-1', resources, hostPorts: [31001, 31002], envVarsPrefix: 'MY_' }),
    );
    expect(prefixed).toMatchObject({
      MY_PORT0: '31001',
      MY_PORT1: '31002',
      MY_PORT: '31001',
      MY_PORTS: '31001,31002',
      MY_PORT_HTTP: '31001',
      MY_HOST: 'node-1',
    });
    expect(prefixed).toMatchObject({ MESOS_TASK_ID: 't1', MARATHON_APP_ID: '/prod/web', GREETING: 'hi', PORT: 'overridden-by-app' });
    expect(Object.keys(prefixed)).not.toContain('PORT0');
    expect(Object.keys(prefixed)).not.toContain('HOST');
  });

  it("sets Marathon's environment, with the app's own variables winning", () => {
    const env = envOf(task);
    expect(env).toMatchObject({
      MESOS_TASK_ID: 'prod_web.instance-x._app.1',
      MARATHON_APP_ID: '/prod/web',
      MARATHON_APP_VERSION: '2024-01-01T00:00:00.000Z',
      MARATHON_APP_RESOURCE_CPUS: '0.5',
      MARATHON_APP_RESOURCE_MEM: '64.0',
      MARATHON_APP_RESOURCE_DISK: '10.0',
      MARATHON_APP_RESOURCE_GPUS: '0',
      MARATHON_APP_LABELS: 'TEAM TIER_NAME',
      MARATHON_APP_LABEL_TEAM: 'core',
      MARATHON_APP_LABEL_TIER_NAME: 'front',
      PORT0: '31001',
      PORT1: '31002',
      PORT_31001: '31001',
      PORT_31002: '31002',
      PORT_HTTP: '31001',
      PORTS: '31001,31002',
      HOST: 'node-1',
      GREETING: 'hi',
      PORT: 'overridden-by-app',
    });
    expect(env).not.toHaveProperty('MARATHON_APP_DOCKER_IMAGE');
  });

  it('runs cmd through the shell with user and fetch URIs', () => {
    expect(task.command).toMatchObject({ value: 'python3 -m http.server $PORT0', user: 'nobody' });
    expect(task.command?.shell).toBeUndefined();
    expect(task.command?.uris).toEqual([
      { value: 'https://example.com/a.tgz', extract: true, executable: false, cache: false, output_file: 'a.tgz' },
      { value: 'https://example.com/run.sh', extract: false, executable: true, cache: false },
    ]);
  });

  it('turns args into a non-shell command', () => {
    const app = appOf({ id: '/argv', args: ['/bin/echo', 'a b'] });
    const t = buildTaskInfo({ app, taskId: 't', agentId: 'a', hostname: 'h', resources: [], hostPorts: [] });
    expect(t.command).toMatchObject({ shell: false, value: '/bin/echo', arguments: ['/bin/echo', 'a b'] });
  });

  it('converts the kill grace period to nanoseconds', () => {
    expect(task.kill_policy).toEqual({ grace_period: { nanoseconds: 7_000_000_000 } });
  });

  it('sends the Mesos health check against the host port of its portIndex', () => {
    expect(task.health_check).toEqual({
      type: 'HTTP',
      http: { scheme: 'http', port: 31001, path: '/health' },
      delay_seconds: 2,
      interval_seconds: 5,
      timeout_seconds: 3,
      consecutive_failures: 4,
      grace_period_seconds: 30,
    });
    const command = { ...web, healthChecks: [{ ...web.healthChecks[0]!, protocol: 'COMMAND' as const, command: { value: 'true' } }] };
    expect(buildTaskInfo({ app: command, taskId: 't', agentId: 'a', hostname: 'h', resources: [], hostPorts: [] }).health_check).toMatchObject({
      type: 'COMMAND',
      command: { value: 'true' },
    });
    // HTTP checks are Marathon's (Pacer's) to run, never the agent's.
    const marathonRun = { ...web, healthChecks: [{ ...web.healthChecks[0]!, protocol: 'HTTP' as const }] };
    expect(
      buildTaskInfo({ app: marathonRun, taskId: 't', agentId: 'a', hostname: 'h', resources: [], hostPorts: [31000, 31001] }).health_check,
    ).toBeUndefined();
  });

  it('advertises host ports in discovery, split per protocol', () => {
    expect(task.discovery).toEqual({
      visibility: 'FRAMEWORK',
      name: 'web.prod',
      ports: {
        ports: [
          { number: 31001, protocol: 'tcp', name: 'http' },
          { number: 31002, protocol: 'udp' },
          { number: 31002, protocol: 'tcp' },
        ],
      },
    });
  });

  it('builds a DOCKER container with bridge port mappings', () => {
    const app = appOf({
      id: '/d/nginx',
      container: {
        type: 'DOCKER',
        docker: { image: 'nginx:1.25', forcePullImage: true },
        portMappings: [{ containerPort: 80, hostPort: 0, name: 'web' }, { containerPort: 9000 }],
      },
      networks: [{ mode: 'container/bridge' }],
    });
    const t = buildTaskInfo({ app, taskId: 'd_nginx.instance-y._app.1', agentId: 'a', hostname: 'h', resources: [], hostPorts: [31005, 31006] });
    expect(t.container).toEqual({
      type: 'DOCKER',
      docker: {
        image: 'nginx:1.25',
        network: 'BRIDGE',
        privileged: false,
        force_pull_image: true,
        parameters: [{ key: 'label', value: 'MESOS_TASK_ID=d_nginx.instance-y._app.1' }],
        port_mappings: [
          { host_port: 31005, container_port: 80, protocol: 'tcp' },
          { host_port: 31006, container_port: 9000, protocol: 'tcp' },
        ],
      },
    });
    const env = envOf(t);
    expect(env).toMatchObject({ MARATHON_APP_DOCKER_IMAGE: 'nginx:1.25', PORT0: '31005', PORT_80: '31005', PORT_WEB: '31005' });
    expect(t.discovery?.ports?.ports?.[0]).toEqual({
      number: 31005,
      protocol: 'tcp',
      name: 'web',
      labels: { labels: [{ key: 'network-scope', value: 'host' }] },
    });
  });

  it('builds a MESOS container for a docker image', () => {
    const app = appOf({ id: '/m/img', cmd: 'run', container: { type: 'MESOS', docker: { image: 'busybox' } } });
    const t = buildTaskInfo({ app, taskId: 't', agentId: 'a', hostname: 'h', resources: [], hostPorts: [] });
    expect(t.container).toEqual({ type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name: 'busybox' }, cached: true } } });
  });
});
