import { describe, expect, it } from 'vitest';
import { ServerError } from '../../src/cli/client/errors.js';
import { renderAppsTable, renderAppDetail } from '../../src/cli/client/render/apps.js';
import { renderDeploymentsTable } from '../../src/cli/client/render/deployments.js';
import { formatError } from '../../src/cli/client/render/errors.js';
import { formatEventLine } from '../../src/cli/client/render/events.js';
import { renderQueue, waitingBecause } from '../../src/cli/client/render/queue.js';
import { renderTable } from '../../src/cli/client/render/table.js';
import type { QueueItemJson } from '../../src/cli/client/types.js';
import type { DeploymentJson } from '../../src/cli/client/types.js';

/** Shapes as GET /v2/deployments and GET /v2/queue answer them (RAML types deployment, queue). */
const deployments: DeploymentJson[] = [
  {
    id: '4f0b5a3e-2c1d-4e8f-9a7b-6c5d4e3f2a1b',
    version: '2024-05-01T12:00:00.000Z',
    affectedApps: ['/api'],
    affectedPods: ['/batch'],
    steps: [{ actions: [{ action: 'RestartApplication', app: '/api' }] }, { actions: [{ action: 'ScalePod', pod: '/batch' }] }],
    currentActions: [{ action: 'RestartApplication', app: '/api', readinessCheckResults: [{ name: 'ready', taskId: 'api.1', ready: false }] }],
    currentStep: 1,
    totalSteps: 2,
  },
];
const queueExample: { queue: QueueItemJson[] } = {
  queue: [
    {
      app: { id: '/infra/collector', instances: 3 },
      count: 1,
      role: '*',
      delay: { timeLeftSeconds: 0, overdue: true },
      since: '2024-05-01T11:00:00.000Z',
      processedOffersSummary: { processedOffersCount: 40, unusedOffersCount: 0 },
    },
    {
      app: { id: '/api', instances: 2 },
      count: 2,
      role: '*',
      delay: { timeLeftSeconds: 0, overdue: true },
      since: '2024-05-01T11:30:00.000Z',
      processedOffersSummary: {
        processedOffersCount: 90,
        unusedOffersCount: 90,
        rejectSummaryLastOffers: [
          { reason: 'UnfulfilledRole', declined: 0, processed: 90 },
          { reason: 'UnfulfilledConstraint', declined: 0, processed: 90 },
          { reason: 'InsufficientCpus', declined: 50, processed: 90 },
          { reason: 'InsufficientMemory', declined: 30, processed: 40 },
          { reason: 'InsufficientDisk', declined: 10, processed: 10 },
          { reason: 'InsufficientGpus', declined: 0, processed: 0 },
        ],
      },
    },
  ],
};

describe('renderTable', () => {
  it('aligns columns two spaces apart, numbers to the right, without trailing blanks', () => {
    const out = renderTable(
      [{ header: 'ID' }, { header: 'N', align: 'right' }, { header: 'NOTE' }],
      [
        ['/a', '1', 'x'],
        ['/longer', '100', ''],
      ],
    );
    expect(out).toBe('ID         N  NOTE\n/a         1  x\n/longer  100\n');
  });

  it('cuts the widest columns with an ellipsis to fit a width, never below their minimum', () => {
    const rows = [['/a/very/long/application/identifier', 'TASK_RUNNING', 'agent-1.example.com']];
    const out = renderTable([{ header: 'ID', minWidth: 12 }, { header: 'STATE' }, { header: 'HOST' }], rows, 40);
    for (const line of out.trimEnd().split('\n')) expect([...line].length).toBeLessThanOrEqual(40);
    expect(out).toContain('…');
    expect(out).toContain('TASK_RUNNING');
    // Without a width (a pipe) nothing is cut.
    expect(renderTable([{ header: 'ID' }], rows)).toContain('/a/very/long/application/identifier');
  });

  it('keeps one row per line even when a cell holds a newline', () => {
    expect(renderTable([{ header: 'A' }, { header: 'B' }], [['x\ny', 'z']])).toBe('A    B\nx y  z\n');
  });
});

describe('app views', () => {
  const app = {
    id: '/web',
    instances: 3,
    tasksRunning: 2,
    tasksStaged: 1,
    tasksHealthy: 2,
    tasksUnhealthy: 0,
    cpus: 0.1,
    mem: 128,
    healthChecks: [{}],
    deployments: [{ id: '97c136bf-5a28-4821-9d94-480d9fbb01c8' }],
  };

  it('lists running/target, staged, health, short deployment ids', () => {
    expect(renderAppsTable([app, { id: '/bare', instances: 0 }])).toBe(
      'ID           INSTANCES  HEALTH     DEPLOYMENTS  CPUS  MEM\n' +
        '/bare              0/0  -          -               -    -\n' +
        '/web   2/3 (+1 staged)  2 healthy  97c136bf      0.1  128\n',
    );
    expect(renderAppsTable([])).toBe('No apps.\n');
  });

  it('shows an app with its last failure and its tasks', () => {
    const out = renderAppDetail({
      ...app,
      cmd: 'python3 -m http.server',
      lastTaskFailure: { taskId: 'web.1', state: 'TASK_FAILED', message: 'exit 1', timestamp: '2024-05-01T12:00:00.000Z', host: 'a1' },
      tasks: [{ id: 'web.1', appId: '/web', state: 'TASK_RUNNING', host: 'a1', ports: [31000, 31001], healthCheckResults: [{ alive: false }] }],
    });
    expect(out).toContain('Command:      python3 -m http.server\n');
    expect(out).toContain('Last failure: 2024-05-01T12:00:00.000Z TASK_FAILED web.1 on a1: exit 1\n');
    expect(out).toMatch(/\nID\s+STATE\s+HOST\s+PORTS\s+HEALTH\s+STARTED\nweb\.1\s+TASK_RUNNING\s+a1\s+31000,31001\s+unhealthy\s+-\n$/);
  });
});

describe('deployments and queue', () => {
  it('renders deployments with their step and current actions', () => {
    expect(renderDeploymentsTable(deployments)).toBe(
      'ID                                    AFFECTED     STEP  CURRENT ACTIONS          VERSION\n' +
        '4f0b5a3e-2c1d-4e8f-9a7b-6c5d4e3f2a1b  /api,/batch   1/2  RestartApplication /api  2024-05-01T12:00:00.000Z\n',
    );
    expect(renderDeploymentsTable([])).toBe('No deployments.\n');
  });

  it('explains why each queued app waits, largest cause first', () => {
    const out = renderQueue(queueExample.queue);
    expect(out).toMatch(
      /^APP\s+WAITING\s+DELAY\s+OFFERS\s+SINCE\n\/infra\/collector\s+1\s+none\s+0\/40 unused\s+2024-05-01T11:00:00.000Z\n\/api\s+2\s+none\s+90\/90 unused/,
    );
    expect(out).toContain('/infra/collector: waiting for a matching offer\n');
    expect(out).toContain(
      '/api: offers declined: not enough cpus (InsufficientCpus: 50 of 90 offers); not enough memory (InsufficientMemory: 30 of 40 offers); not enough disk (InsufficientDisk: 10 of 10 offers)\n',
    );
    expect(waitingBecause({ count: 1, delay: { timeLeftSeconds: 12, overdue: false } })).toBe('backing off after failures; next launch in 12s');
    expect(waitingBecause({ count: 1 })).toBe('no offers received yet');
    expect(renderQueue([])).toBe('The launch queue is empty.\n');
  });
});

describe('event lines', () => {
  it('prints time, type and the identifying fields of Marathon events', () => {
    const status = JSON.stringify({
      slaveId: 'S6',
      taskId: 'foo.1',
      taskStatus: 'TASK_FAILED',
      message: 'Failed to launch',
      appId: '/foo',
      host: 'srv5',
      eventType: 'status_update_event',
      timestamp: '2015-09-30T12:44:45.681Z',
    });
    expect(formatEventLine('status_update_event', status)).toBe(
      '2015-09-30T12:44:45.681Z status_update_event app=/foo task=foo.1 status=TASK_FAILED host=srv5 message="Failed to launch"',
    );
    const info = JSON.stringify({
      plan: { id: 'd1' },
      currentStep: { actions: [{ action: 'ScaleApplication', app: '/foo' }] },
      eventType: 'deployment_info',
      timestamp: 't',
    });
    expect(formatEventLine('deployment_info', info)).toBe('t deployment_info deployment=d1 actions=ScaleApplication:/foo');
    expect(formatEventLine('odd', 'not json')).toBe('odd not json');
  });
});

describe('formatError', () => {
  it('prints the status, message, each path with its errors, and lock holders', () => {
    const body = {
      message: 'Object is not valid',
      details: [
        { path: '/', errors: ['a', 'b'] },
        { path: '/mem', errors: ['error.min'] },
      ],
    };
    expect(formatError(new ServerError(422, 'POST', '/v2/apps', body, JSON.stringify(body)))).toBe(
      'pacer: POST /v2/apps: HTTP 422: Object is not valid\n  /: a; b\n  /mem: error.min\n',
    );
    const lock = { message: 'App is locked', deployments: [{ id: 'd1' }] };
    expect(formatError(new ServerError(409, 'PUT', '/v2/apps/x', lock, ''))).toBe(
      'pacer: PUT /v2/apps/x: HTTP 409: App is locked\n  locked by deployment d1 (--force overrides)\n',
    );
    expect(formatError(new ServerError(502, 'GET', '/v2/apps', {}, '<html>Bad Gateway</html>'))).toBe(
      'pacer: GET /v2/apps: HTTP 502: <html>Bad Gateway</html>\n',
    );
  });

  it('explains the wait with the same offers the OFFERS column counts (issue #14)', () => {
    // Two rounds of three agents: six offers in the launch attempt, the last three of them per agent.
    const funnel = (processed: number, cpus: number) => [
      { reason: 'UnfulfilledRole', declined: 0, processed },
      { reason: 'InsufficientCpus', declined: cpus, processed },
    ];
    const item = {
      count: 1,
      delay: { timeLeftSeconds: 0, overdue: true },
      since: '2024-05-01T11:00:00.000Z',
      app: { id: '/big' },
      processedOffersSummary: {
        processedOffersCount: 6,
        unusedOffersCount: 6,
        rejectSummaryLastOffers: funnel(3, 3),
        rejectSummaryLaunchAttempt: funnel(6, 6),
      },
    };
    const out = renderQueue([item]);
    expect(out).toMatch(/6\/6 unused/);
    expect(out).toContain('InsufficientCpus: 6 of 6 offers');
  });
});
