/** The pure parts of the deployments and queue pages: routes, a deployment's targets and step states, the queue's decline reasons. */
import { describe, expect, it } from 'vitest';
import { deploymentTargets, stepState } from '../../src/ui/app/deployments-view.js';
import type { QueueEntry } from '../../src/ui/app/marathon-types.js';
import { declineReasons, queuedRunSpec } from '../../src/ui/app/queue-view.js';
import { parseRoute } from '../../src/ui/app/router.js';

describe('deployments and queue routes', () => {
  it('parses #/deployments and #/queue, with or without a trailing slash', () => {
    expect(parseRoute('#/deployments')).toEqual({ view: 'deployments' });
    expect(parseRoute('#/deployments/')).toEqual({ view: 'deployments' });
    expect(parseRoute('#/queue')).toEqual({ view: 'queue' });
    // An app may be called /queue: its page is still #/apps/queue.
    expect(parseRoute('#/apps/queue')).toEqual({ view: 'app', appId: '/queue' });
  });
});

describe('deployment model', () => {
  it('names every app and pod a deployment touches, from its affected lists and its steps', () => {
    const targets = deploymentTargets({
      id: 'd',
      affectedApps: ['/b'],
      steps: [{ actions: [{ action: 'StartApplication', app: '/a' }] }, { actions: [{ action: 'StartPod', pod: '/p' }] }],
    });
    expect(targets).toEqual({ apps: ['/a', '/b'], pods: ['/p'] });
  });

  it('marks steps done, running and pending from the 1-based currentStep', () => {
    expect([0, 1, 2].map((i) => stepState(i, 2))).toEqual(['done', 'current', 'pending']);
    expect([0, 1].map((i) => stepState(i, 0))).toEqual(['pending', 'pending']);
  });
});

describe('queue model', () => {
  const entry = (summary: QueueEntry['processedOffersSummary']): QueueEntry => ({ app: { id: '/a' }, count: 1, processedOffersSummary: summary });

  it('lists only the checks that declined something, most declining over the last offers first', () => {
    const reasons = declineReasons(
      entry({
        rejectSummaryLastOffers: [
          { reason: 'UnfulfilledRole', declined: 0, processed: 5 },
          { reason: 'InsufficientMemory', declined: 1, processed: 5 },
          { reason: 'InsufficientCpus', declined: 4, processed: 5 },
        ],
        rejectSummaryLaunchAttempt: [
          { reason: 'InsufficientCpus', declined: 9, processed: 12 },
          { reason: 'UnfulfilledConstraint', declined: 2, processed: 12 },
        ],
      }),
    );
    expect(reasons.map((r) => r.reason)).toEqual(['InsufficientCpus', 'InsufficientMemory', 'UnfulfilledConstraint']);
    expect(reasons[0]).toEqual({ reason: 'InsufficientCpus', declined: 4, processed: 5, declinedInAttempt: 9 });
    expect(declineReasons(entry(undefined))).toEqual([]);
  });

  it('tells an app entry from a pod entry', () => {
    expect(queuedRunSpec({ app: { id: '/a' } })).toEqual({ id: '/a', kind: 'app' });
    expect(queuedRunSpec({ pod: { id: '/p' } })).toEqual({ id: '/p', kind: 'pod' });
    expect(queuedRunSpec({})).toBeUndefined();
  });
});
