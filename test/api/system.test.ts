/** Deployments, queue, info, leader, ping, root redirect, headers and unknown routes. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMPTY_QUEUE_OFFER_STATS } from '../../src/matching/index.js';
import { createApp, harness, instancesOf, json, SLEEP_APP, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.app.close();
});

describe('/v2/deployments', () => {
  it('lists running deployments in Marathon shape', async () => {
    const created = json(await h.app.inject({ method: 'POST', url: '/v2/apps', payload: SLEEP_APP }));
    const list = json(await h.app.inject({ method: 'GET', url: '/v2/deployments' })) as unknown as Array<Record<string, any>>;
    const steps = [{ actions: [{ action: 'StartApplication', app: '/sleep' }] }, { actions: [{ action: 'ScaleApplication', app: '/sleep' }] }];
    // The plan runs at once: the current step (1-based) is the first or, once the empty start
    // step is done, the second; its actions are the current ones.
    const currentStep = list[0]?.currentStep as number;
    expect([1, 2]).toContain(currentStep);
    expect(list).toEqual([
      {
        id: created.deployments[0].id,
        version: created.version,
        affectedApps: ['/sleep'],
        affectedPods: [],
        steps,
        currentActions: steps[currentStep - 1]!.actions.map((a) => ({ ...a, readinessCheckResults: [] })),
        currentStep,
        totalSteps: 2,
      },
    ]);
  });

  it('DELETE with force answers 202 without a body; without force 200 with the revert deployment', async () => {
    const first = json(await h.app.inject({ method: 'POST', url: '/v2/apps', payload: SLEEP_APP })).deployments[0].id;
    const forced = await h.app.inject({ method: 'DELETE', url: `/v2/deployments/${first}?force=true` });
    expect(forced.statusCode).toBe(202);
    expect(forced.body).toBe('');
    expect(h.service.deployments()).toHaveLength(0);

    const second = json(await h.app.inject({ method: 'POST', url: '/v2/apps', payload: { ...SLEEP_APP, id: '/two' } })).deployments[0].id;
    const reverted = await h.app.inject({ method: 'DELETE', url: `/v2/deployments/${second}` });
    expect(reverted.statusCode).toBe(200);
    const body = json(reverted);
    expect(body.deploymentId).not.toBe(second);
    expect(reverted.headers['marathon-deployment-id']).toBe(body.deploymentId);

    const missing = await h.app.inject({ method: 'DELETE', url: '/v2/deployments/nope' });
    expect(missing.statusCode).toBe(404);
    expect(json(missing)).toEqual({ message: 'DeploymentPlan nope does not exist' });
  });
});

describe('/v2/queue', () => {
  it('renders queue items from the matcher statistics, lastUnusedOffers only when embedded', async () => {
    await createApp(h);
    h.queueEntries = [
      {
        app: h.service.app('/sleep')!,
        count: 2,
        delay: { timeLeftSeconds: 0, overdue: true },
        since: '2024-05-01T11:00:00.000Z',
        processedOffersSummary: EMPTY_QUEUE_OFFER_STATS,
        lastUnusedOffers: [],
      },
    ];
    const plain = json(await h.app.inject({ method: 'GET', url: '/v2/queue' })).queue[0];
    expect(Object.keys(plain)).toEqual(['count', 'role', 'delay', 'since', 'processedOffersSummary', 'app']);
    expect(plain).toMatchObject({ count: 2, role: '*', delay: { timeLeftSeconds: 0, overdue: true }, since: '2024-05-01T11:00:00.000Z' });
    expect(plain.processedOffersSummary).toMatchObject({ processedOffersCount: 0, unusedOffersCount: 0 });
    expect(plain.processedOffersSummary.rejectSummaryLaunchAttempt[0]).toEqual({ reason: 'UnfulfilledRole', declined: 0, processed: 0 });
    expect(plain.app.id).toBe('/sleep');
    const embedded = json(await h.app.inject({ method: 'GET', url: '/v2/queue?embed=lastUnusedOffers' })).queue[0];
    expect(embedded.lastUnusedOffers).toEqual([]);
  });

  it('DELETE /v2/queue/{id}/delay: 204 when an instance waits, 404 otherwise', async () => {
    await createApp(h);
    const missing = await h.app.inject({ method: 'DELETE', url: '/v2/queue/sleep/delay' });
    expect(missing.statusCode).toBe(404);
    expect(json(missing)).toEqual({ message: 'Application /sleep not found in tasks queue.' });
    expect(h.cluster.queue.resets).toEqual([]);
    // A task fails; its instance waits in the launch queue for a relaunch.
    h.cluster.fail(instancesOf(h, '/sleep')[0]!.instanceId);
    h.cluster.tick();
    expect(instancesOf(h, '/sleep').map((i) => i.condition)).toContain('Scheduled');
    const reset = await h.app.inject({ method: 'DELETE', url: '/v2/queue//sleep/delay' });
    expect(reset.statusCode).toBe(204);
    expect(h.cluster.queue.resets).toEqual(['/sleep']);
  });
});

describe('/v2/info and /v2/leader', () => {
  it('reports identity, leadership and every marathon_config key, with credentials redacted', async () => {
    const info = json(await h.app.inject({ method: 'GET', url: '/v2/info' }));
    expect(info).toMatchObject({ name: 'marathon', version: '1.11.0', elected: true, leader: '127.0.0.1:8080', frameworkId: 'fw-0000' });
    expect(info.marathon_config.master).toBe('zk://xxxxxxxx:xxxxxxxx@127.0.0.1:2181/mesos');
    expect(info.marathon_config.mesos_leader_ui_url).toBe('http://127.0.0.1:5050/');
    expect(info.http_config).toEqual({ http_port: 8080, https_port: 8443 });
    expect(info.zookeeper_config.zk).toBe('zk://127.0.0.1:2181/pacer');
  });

  it('answers the leader, or 404 when there is none', async () => {
    expect(json(await h.app.inject({ method: 'GET', url: '/v2/leader' }))).toEqual({ leader: '127.0.0.1:8080' });
    const leaderless = await harness({ leadership: () => ({ elected: false, leaderHostPort: undefined }) });
    try {
      const res = await leaderless.app.inject({ method: 'GET', url: '/v2/leader' });
      expect(res.statusCode).toBe(404);
      expect(json(res)).toEqual({ message: 'There is no leader' });
      expect(res.headers['x-marathon-leader']).toBeUndefined();
    } finally {
      await leaderless.app.close();
    }
  });
});

describe('system endpoints and cross-cutting behaviour', () => {
  it.each([
    [undefined, 200, 'text/plain', 'pong'],
    ['*/*', 200, 'text/plain', 'pong'],
    ['application/json', 200, 'application/json', '"pong"'],
    ['text/html', 200, 'text/html', 'pong'],
    ['text/*', 200, 'text/plain', 'pong'],
    ['application/json;q=0.5, text/plain', 200, 'text/plain', 'pong'],
    ['image/png', 204, undefined, ''],
  ])('GET /ping with Accept %s', async (accept, status, type, body) => {
    const res = await h.app.inject({ method: 'GET', url: '/ping', headers: accept === undefined ? {} : { accept } });
    expect(res.statusCode).toBe(status);
    expect(res.body).toBe(body);
    if (type !== undefined) expect(res.headers['content-type']).toMatch(new RegExp(`^${type.replace('*', '\\*')}`));
  });

  it('redirects / to /ui/', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/ui/');
  });

  it('answers unknown routes like Marathon: 500 "URI not found"', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/v2/nothing-here' });
    expect(res.statusCode).toBe(500);
    expect(json(res)).toEqual({ message: 'URI not found' });
  });

  it('puts cache and leader headers on every answer, errors included', async () => {
    for (const url of ['/v2/apps', '/v2/apps/missing', '/v2/unknown', '/ping']) {
      const res = await h.app.inject({ method: 'GET', url });
      expect(res.headers['cache-control']).toBe('no-cache, no-store, must-revalidate');
      expect(res.headers.pragma).toBe('no-cache');
      expect(res.headers.expires).toBe('0');
      expect(res.headers['x-marathon-leader']).toBe('http://127.0.0.1:8080');
    }
  });
});
