import { describe, expect, it } from 'vitest';
import type { Deployment, PodStatus } from '../../src/ui/app/marathon-types.js';
import { parseRoute } from '../../src/ui/app/router.js';
import { podCounts, podInstanceResources, progressByPod } from '../../src/ui/app/status.js';

const pod: PodStatus = {
  id: '/web',
  status: 'DEGRADED',
  spec: {
    id: '/web',
    scaling: { kind: 'fixed', instances: 3 },
    containers: [
      { name: 'a', resources: { cpus: 0.2, mem: 64 } },
      { name: 'b', resources: { cpus: 0.1, mem: 32 } },
    ],
    executorResources: { cpus: 0.1, mem: 32, disk: 10 },
  },
  instances: [
    { id: 'web.instance-1', status: 'STABLE' },
    { id: 'web.instance-2', status: 'STAGING' },
    { id: 'web.instance-3', status: 'DEGRADED' },
  ],
};

describe('pods in the UI', () => {
  it('counts stable, starting and degraded instances against scaling.instances', () => {
    expect(podCounts(pod)).toEqual({ stable: 1, starting: 1, degraded: 1, target: 3 });
  });

  it("sums an instance's resources: every container plus the executor", () => {
    expect(podInstanceResources(pod.spec)).toEqual({ cpus: expect.closeTo(0.4, 6) as number, mem: 128 });
  });

  it('finds the deployment of a pod from affectedPods and pod actions', () => {
    const deployments: Deployment[] = [
      { id: 'd1', affectedApps: ['/x'], affectedPods: ['/web'], currentStep: 1, totalSteps: 2, currentActions: [{ action: 'ScalePod', pod: '/web' }] },
      { id: 'd2', steps: [{ actions: [{ action: 'StopPod', pod: '/old' }] }], currentStep: 1 },
    ];
    const progress = progressByPod(deployments);
    expect(progress.get('/web')).toEqual({ deploymentId: 'd1', currentStep: 1, totalSteps: 2, actions: ['ScalePod'] });
    expect(progress.get('/old')).toMatchObject({ deploymentId: 'd2', totalSteps: 1 });
    expect(progress.has('/x')).toBe(false);
  });

  it('routes #/pods/<id> to the pod page', () => {
    expect(parseRoute('#/pods/prod/web')).toEqual({ view: 'pod', podId: '/prod/web' });
    expect(parseRoute('#/pods')).toEqual({ view: 'apps' });
  });
});
