import { describe, expect, it } from 'vitest';
import { appStatus, appsOfEvent, healthCounts, matchesFilter, progressByApp, queueByApp, taskHealth } from '../../src/ui/app/status.js';
import { parseRoute } from '../../src/ui/app/router.js';
import { countdown, formatMem, humaniseReason } from '../../src/ui/app/format.js';
import type { AppInfo, QueueEntry } from '../../src/ui/app/marathon-types.js';

const app = (fields: Partial<AppInfo>): AppInfo => ({ id: '/a', instances: 2, tasksRunning: 2, deployments: [], ...fields });
const queued = (delay: { timeLeftSeconds: number; overdue: boolean }): QueueEntry => ({ app: { id: '/a' }, count: 1, delay });

describe('appStatus (Marathon UI rules)', () => {
  it('is Running, Deploying or Suspended from the app alone', () => {
    expect(appStatus(app({}), undefined)).toBe('Running');
    expect(appStatus(app({ deployments: [{ id: 'd' }] }), undefined)).toBe('Deploying');
    expect(appStatus(app({ instances: 0, tasksRunning: 0 }), undefined)).toBe('Suspended');
    // Scaling down to zero with tasks still running is not suspended yet.
    expect(appStatus(app({ instances: 0, tasksRunning: 1 }), undefined)).toBe('Running');
  });

  it('lets the launch queue win: Delayed while backing off, Waiting once overdue', () => {
    const deploying = app({ deployments: [{ id: 'd' }] });
    expect(appStatus(deploying, queued({ timeLeftSeconds: 12, overdue: false }))).toBe('Delayed');
    expect(appStatus(deploying, queued({ timeLeftSeconds: 0, overdue: true }))).toBe('Waiting');
    expect(appStatus(deploying, queued({ timeLeftSeconds: 0, overdue: false }))).toBe('Deploying');
  });
});

describe('health', () => {
  it('counts running tasks without a verdict as unknown', () => {
    expect(healthCounts(app({ tasksRunning: 5, tasksHealthy: 2, tasksUnhealthy: 1, tasksStaged: 1 }))).toEqual({
      healthy: 2,
      unhealthy: 1,
      unknown: 2,
      staged: 1,
    });
    expect(healthCounts(app({ tasksRunning: 1, tasksHealthy: 3 })).unknown).toBe(0);
  });

  it('judges a task by all its check results', () => {
    expect(taskHealth({ id: 't', appId: '/a' })).toBe('unknown');
    expect(taskHealth({ id: 't', appId: '/a', healthCheckResults: [{ alive: true }, { alive: true }] })).toBe('healthy');
    expect(taskHealth({ id: 't', appId: '/a', healthCheckResults: [{ alive: true }, { alive: false }] })).toBe('unhealthy');
  });
});

describe('deployments, queue and events', () => {
  it('maps each affected app to its deployment progress', () => {
    const progress = progressByApp([
      {
        id: 'd1',
        affectedApps: ['/a'],
        steps: [{ actions: [{ action: 'ScaleApplication', app: '/a' }] }, { actions: [{ action: 'RestartApplication', app: '/b' }] }],
        currentActions: [{ action: 'ScaleApplication', app: '/a' }],
        currentStep: 1,
        totalSteps: 2,
      },
    ]);
    expect(progress.get('/a')).toEqual({ deploymentId: 'd1', currentStep: 1, totalSteps: 2, actions: ['ScaleApplication'] });
    expect(progress.get('/b')?.actions).toEqual([]);
  });

  it('indexes queue entries by app id and ignores pods', () => {
    const map = queueByApp([queued({ timeLeftSeconds: 0, overdue: true }), { count: 1 }]);
    expect([...map.keys()]).toEqual(['/a']);
  });

  it('finds the apps an event is about, or says it cannot tell', () => {
    expect(appsOfEvent({ eventType: 'status_update_event', appId: '/a' })).toEqual(['/a']);
    expect(appsOfEvent({ eventType: 'instance_changed_event', runSpecId: '/b' })).toEqual(['/b']);
    expect(appsOfEvent({ eventType: 'api_post_event', appDefinition: { id: '/c' } })).toEqual(['/c']);
    expect(
      appsOfEvent({
        eventType: 'deployment_info',
        plan: {
          steps: [
            {
              actions: [
                { action: 'ScaleApplication', app: '/d' },
                { action: 'StopApplication', app: '/d' },
              ],
            },
          ],
        },
      }),
    ).toEqual(['/d']);
    expect(appsOfEvent({ eventType: 'group_change_success' })).toBeUndefined();
  });

  it('filters on every word, case-insensitively, across id and status', () => {
    expect(matchesFilter(app({ id: '/prod/Web' }), 'Waiting', 'web wait')).toBe(true);
    expect(matchesFilter(app({ id: '/prod/web' }), 'Running', 'web wait')).toBe(false);
    expect(matchesFilter(app({ id: '/x' }), 'Running', '   ')).toBe(true);
  });
});

describe('routes and formatting', () => {
  it('parses hash routes with nested app ids', () => {
    expect(parseRoute('')).toEqual({ view: 'apps' });
    expect(parseRoute('#/apps')).toEqual({ view: 'apps' });
    expect(parseRoute('#/apps/prod/web')).toEqual({ view: 'app', appId: '/prod/web' });
    expect(parseRoute('#/apps/a%20b')).toEqual({ view: 'app', appId: '/a b' });
    expect(parseRoute('#/edit/prod/web')).toEqual({ view: 'edit', appId: '/prod/web' });
    expect(parseRoute('#/new')).toEqual({ view: 'new' });
    expect(parseRoute('#/elsewhere')).toEqual({ view: 'apps' });
  });

  it('formats memory, countdowns and offer reasons for people', () => {
    expect(formatMem(64)).toBe('64 MiB');
    expect(formatMem(1536)).toBe('1.5 GiB');
    expect(countdown(3725.2)).toBe('1h 02m 06s');
    expect(countdown(61)).toBe('1m 01s');
    expect(countdown(-3)).toBe('0s');
    expect(humaniseReason('InsufficientMemory')).toBe('Insufficient memory');
  });
});
