import { describe, expect, it } from 'vitest';
import type { AppDefinition, RootGroup } from '../../../src/scheduler/contracts.js';
import { computePlan, renderDeployment, renderLightPlan } from '../../../src/scheduler/deployments/plan.js';
import { revertDeployment } from '../../../src/scheduler/deployments/revert.js';
import {
  assignServicePorts,
  assignVersions,
  emptyRootGroup,
  findGroup,
  putApp,
  removeApp,
  removeGroup,
  setGroupDependencies,
} from '../../../src/scheduler/groups/index.js';
import { app } from '../fakes/apps.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let clock = Date.parse('2024-01-01T00:00:00.000Z');

function next(from: RootGroup, change: (root: RootGroup) => RootGroup, restarts?: Set<string>): RootGroup {
  clock += 1000;
  return assignVersions(from, assignServicePorts(from, change(from)), new Date(clock).toISOString(), restarts);
}

function stepsOf(from: RootGroup, to: RootGroup, restarts?: Set<string>): string[][] {
  return computePlan(from, to, { restarts }).plan.steps.map((s) => s.actions.map((a) => `${a.action} ${a.app}`));
}

const base = next(emptyRootGroup(), (r) => putApp(putApp(r, app('/a', { instances: 2 })), app('/b')));
const put = (a: AppDefinition) => (r: RootGroup) => putApp(r, a);

describe('computePlan', () => {
  it('new app: [[StartApplication], [ScaleApplication]], with a v4 id and the target version', () => {
    const target = next(base, put(app('/c')));
    const { plan } = computePlan(base, target);
    expect(plan.steps).toEqual([{ actions: [{ action: 'StartApplication', app: '/c' }] }, { actions: [{ action: 'ScaleApplication', app: '/c' }] }]);
    expect(plan.id).toMatch(UUID_V4);
    expect(plan.version).toBe(target.version);
    expect(plan.affectedApps).toEqual(['/c']);
    expect(plan.currentStep).toBe(0);
  });

  it('scale-only change: ScaleApplication', () => {
    const target = next(base, put({ ...base.apps.get('/a')!, instances: 5 }));
    expect(stepsOf(base, target)).toEqual([['ScaleApplication /a']]);
  });

  it('config change: RestartApplication; config change to 0 instances: ScaleApplication', () => {
    const changed = next(base, put({ ...base.apps.get('/a')!, cmd: 'sleep 5' }));
    expect(stepsOf(base, changed)).toEqual([['RestartApplication /a']]);
    const toZero = next(base, put({ ...base.apps.get('/a')!, cmd: 'sleep 5', instances: 0 }));
    expect(stepsOf(base, toZero)).toEqual([['ScaleApplication /a']]);
  });

  it('restart without change: RestartApplication', () => {
    const target = next(base, (r) => r, new Set(['/b']));
    expect(stepsOf(base, target, new Set(['/b']))).toEqual([['RestartApplication /b']]);
  });

  it('removal: StopApplication', () => {
    const target = next(base, (r) => removeApp(r, '/b'));
    expect(stepsOf(base, target)).toEqual([['StopApplication /b']]);
  });

  it('no change: no steps', () => {
    const target = next(base, (r) => r);
    const { plan } = computePlan(base, target);
    expect(plan.steps).toEqual([]);
    expect(plan.affectedApps).toEqual([]);
  });

  it('orders dependency layers by longest path; stops and starts come first', () => {
    const target = next(base, (r) => {
      let out = removeApp(r, '/a');
      out = putApp(out, app('/svc/db'));
      out = putApp(out, app('/svc/api', { dependencies: ['/svc/db'] }));
      out = putApp(out, app('/svc/web', { dependencies: ['/svc/api'] }));
      out = putApp(out, { ...r.apps.get('/b')!, cmd: 'new', dependencies: ['/svc/db'] });
      return out;
    });
    expect(stepsOf(base, target)).toEqual([
      ['StopApplication /a'],
      ['StartApplication /svc/api', 'StartApplication /svc/db', 'StartApplication /svc/web'],
      ['ScaleApplication /svc/db'],
      ['RestartApplication /b', 'ScaleApplication /svc/api'],
      ['ScaleApplication /svc/web'],
    ]);
  });

  it('renders /v2/deployments and the light event plan with Marathon field names', () => {
    const target = next(base, put(app('/c')));
    const { plan } = computePlan(base, target);
    expect(Object.keys(renderDeployment(plan))).toEqual([
      'id',
      'version',
      'affectedApps',
      'affectedPods',
      'steps',
      'currentActions',
      'currentStep',
      'totalSteps',
    ]);
    expect(renderDeployment(plan)).toMatchObject({ affectedPods: [], currentActions: [], currentStep: 0, totalSteps: 2 });
    expect(renderLightPlan(plan)).toEqual({ id: plan.id, steps: plan.steps, version: plan.version });
  });
});

describe('revertDeployment', () => {
  it('restores changed and removed apps and removes added ones, keeping unrelated later changes', () => {
    const target = next(base, (r) => putApp(putApp(removeApp(r, '/b'), { ...r.apps.get('/a')!, cmd: 'v2' }), app('/new/x')));
    const dep = computePlan(base, target);
    // Someone else changed /other after the deployment started.
    const current = next(target, put(app('/other')));
    const reverted = revertDeployment(dep.original, dep.target)(current);
    expect(reverted.apps.get('/a')).toEqual(base.apps.get('/a'));
    expect(reverted.apps.get('/b')).toEqual(base.apps.get('/b'));
    expect(reverted.apps.has('/new/x')).toBe(false);
    expect(findGroup(reverted, '/new')).toBeUndefined();
    expect(reverted.apps.has('/other')).toBe(true);
  });

  it('undoes group dependency changes and restores removed groups', () => {
    const withGroup = next(base, (r) => setGroupDependencies(putApp(r, app('/g/one')), '/g', ['/a']));
    const target = next(withGroup, (r) => setGroupDependencies(removeGroup(r, '/g'), '/h', ['/b']));
    const dep = computePlan(withGroup, target);
    const reverted = revertDeployment(dep.original, dep.target)(target);
    expect(findGroup(reverted, '/g')?.dependencies).toEqual(['/a']);
    expect(reverted.apps.has('/g/one')).toBe(true);
    expect(findGroup(reverted, '/h')).toBeUndefined();
  });
});
