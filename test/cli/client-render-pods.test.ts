import { describe, expect, it } from 'vitest';
import { renderPodDetail, renderPodsTable } from '../../src/cli/client/render/pods.js';
import type { PodStatusJson } from '../../src/cli/client/types.js';

/** A PodStatus as GET /v2/pods/{id}::status answers it (RAML podStatus.raml): two instances, one still staging. */
const status: PodStatusJson = {
  id: '/web',
  spec: {
    id: '/web',
    version: '2024-05-01T12:00:00.000Z',
    scaling: { kind: 'fixed', instances: 2 },
    containers: [
      {
        name: 'server',
        resources: { cpus: 0.2, mem: 64 },
        exec: { command: { shell: 'python3 -m http.server $ENDPOINT_HTTP' } },
        endpoints: [{ name: 'http', hostPort: 0 }],
      },
      { name: 'sidecar', resources: { cpus: 0.1, mem: 32 }, image: { id: 'busybox' } },
    ],
    executorResources: { cpus: 0.1, mem: 32, disk: 10 },
  },
  status: 'DEGRADED',
  instances: [
    {
      id: 'web.instance-b',
      status: 'STAGING',
      agentHostname: 'agent-2',
      containers: [
        { name: 'server', status: 'TASK_STAGING', endpoints: [{ name: 'http', allocatedHostPort: 31002 }] },
        { name: 'sidecar', status: 'TASK_STAGING' },
      ],
    },
    {
      id: 'web.instance-a',
      status: 'STABLE',
      agentHostname: 'agent-1',
      containers: [
        { name: 'server', status: 'TASK_RUNNING', endpoints: [{ name: 'http', allocatedHostPort: 31001, healthy: true }] },
        { name: 'sidecar', status: 'TASK_RUNNING' },
      ],
    },
  ],
};

describe('pod views', () => {
  it('lists pods with stable/target instances, containers and per-instance resources including the executor', () => {
    expect(renderPodsTable([status])).toBe(
      ['ID    STATUS            INSTANCES  CONTAINERS      CPUS  MEM', '/web  DEGRADED  1/2 (+1 starting)  server,sidecar   0.4  128', ''].join('\n'),
    );
    expect(renderPodsTable([])).toBe('No pods.\n');
  });

  it('shows a pod: its containers, then one row per instance container with its state, host, ports and health', () => {
    const lines = renderPodDetail(status).split('\n');
    expect(lines.slice(0, 7)).toEqual([
      'ID:                /web',
      'Status:            DEGRADED',
      'Instances:         1/2 (+1 starting)',
      "Per instance:      cpus 0.4, mem 128 (with the executor's)",
      'Version:           2024-05-01T12:00:00.000Z',
      'Container server:  python3 -m http.server $ENDPOINT_HTTP  [cpus 0.2, mem 64]',
      'Container sidecar: (image busybox)  [cpus 0.1, mem 32]',
    ]);
    expect(lines.slice(8, 13)).toEqual([
      'INSTANCE        STATUS   CONTAINER  STATE         HOST     ENDPOINTS   HEALTH',
      'web.instance-a  STABLE   server     TASK_RUNNING  agent-1  http:31001  healthy',
      'web.instance-a  STABLE   sidecar    TASK_RUNNING  agent-1  -           -',
      'web.instance-b  STAGING  server     TASK_STAGING  agent-2  http:31002  -',
      'web.instance-b  STAGING  sidecar    TASK_STAGING  agent-2  -           -',
    ]);
  });
});
