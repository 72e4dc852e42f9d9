import { describe, expect, it } from 'vitest';
import type { AppDefinition, RootGroup } from '../../../src/scheduler/contracts.js';
import { PortRangeExhaustedError, assignServicePorts, assignVersions, emptyRootGroup, putApp, servicePorts } from '../../../src/scheduler/groups/index.js';
import { app } from '../fakes/apps.js';

const T0 = '2024-01-01T00:00:00.000Z';
const T1 = '2024-01-01T00:01:00.000Z';
const T2 = '2024-01-01T00:02:00.000Z';

function rootOf(...apps: AppDefinition[]): RootGroup {
  return apps.reduce(putApp, emptyRootGroup());
}

function deploy(from: RootGroup, to: RootGroup, version: string, restarts?: Set<string>): RootGroup {
  return assignVersions(from, assignServicePorts(from, to), version, restarts);
}

describe('service ports', () => {
  it('assigns free ports from the range, never twice across apps, keeping explicit ones', () => {
    const from = rootOf();
    const to = rootOf(
      app('/a', { portDefinitions: [{ port: 0 }, { port: 0 }] }),
      app('/b', { portDefinitions: [{ port: 10001 }, { port: 0 }] }),
      app('/c', { networks: [{ mode: 'container/bridge' }], container: { type: 'DOCKER', docker: { image: 'nginx' }, portMappings: [{ containerPort: 80 }] } }),
    );
    const assigned = assignServicePorts(from, to);
    const all = [...assigned.apps.values()].flatMap(servicePorts);
    // The lowest free ports in app order, skipping the port /b names explicitly.
    expect(servicePorts(assigned.apps.get('/a')!)).toEqual([10000, 10002]);
    expect(servicePorts(assigned.apps.get('/b')!)).toEqual([10001, 10003]);
    expect(new Set(all).size).toBe(all.length);
    expect(all.every((p) => p >= 10000 && p <= 20000)).toBe(true);
    expect(servicePorts(assigned.apps.get('/c')!)[0]).toBeGreaterThanOrEqual(10000);
  });

  it("keeps an app's ports when it is posted again with port 0, and does not touch unchanged apps", () => {
    const first = deploy(rootOf(), rootOf(app('/a'), app('/b')), T0);
    const portsA = servicePorts(first.apps.get('/a')!);
    const portsB = servicePorts(first.apps.get('/b')!);
    // A config change that sends port 0 again gets the app's old port back, not a fresh one.
    const second = deploy(first, putApp(first, app('/a', { cmd: 'sleep 2000' })), T1);
    expect(servicePorts(second.apps.get('/a')!)).toEqual(portsA);
    expect(servicePorts(second.apps.get('/b')!)).toEqual(portsB);
  });

  it('refuses when the range is exhausted', () => {
    const to = rootOf(app('/a', { portDefinitions: [{ port: 0 }, { port: 0 }, { port: 0 }] }));
    expect(() => assignServicePorts(rootOf(), to, { min: 10000, max: 10001 })).toThrow(PortRangeExhaustedError);
  });
});

describe('versionInfo', () => {
  it('new app: version, lastScalingAt and lastConfigChangeAt are all now', () => {
    const root = deploy(rootOf(), rootOf(app('/a')), T0);
    expect(root.apps.get('/a')).toMatchObject({ version: T0, versionInfo: { lastScalingAt: T0, lastConfigChangeAt: T0 } });
    expect(root.version).toBe(T0);
  });

  it('scale only: version and lastScalingAt move', () => {
    const v0 = deploy(rootOf(), rootOf(app('/a')), T0);
    const v1 = deploy(v0, putApp(v0, { ...v0.apps.get('/a')!, instances: 5 }), T1);
    expect(v1.apps.get('/a')).toMatchObject({ version: T1, versionInfo: { lastScalingAt: T1, lastConfigChangeAt: T0 } });
  });

  it('config change: all three move', () => {
    const v0 = deploy(rootOf(), rootOf(app('/a')), T0);
    const v1 = deploy(v0, putApp(v0, { ...v0.apps.get('/a')!, instances: 3 }), T1);
    const v2 = deploy(v1, putApp(v1, { ...v1.apps.get('/a')!, cmd: 'other' }), T2);
    expect(v2.apps.get('/a')).toMatchObject({ version: T2, versionInfo: { lastScalingAt: T2, lastConfigChangeAt: T2 } });
  });

  it('restart: version and lastConfigChangeAt move, lastScalingAt stays', () => {
    const v0 = deploy(rootOf(), rootOf(app('/a')), T0);
    const v1 = deploy(v0, putApp(v0, { ...v0.apps.get('/a')!, instances: 3 }), T1);
    const v2 = deploy(v1, v1, T2, new Set(['/a']));
    expect(v2.apps.get('/a')).toMatchObject({ version: T2, versionInfo: { lastScalingAt: T1, lastConfigChangeAt: T2 } });
  });

  it('unchanged app (even sent without versionInfo) keeps its version', () => {
    const v0 = deploy(rootOf(), rootOf(app('/a'), app('/b')), T0);
    const resent = putApp(v0, { ...v0.apps.get('/b')!, version: undefined, versionInfo: undefined });
    const v1 = deploy(v0, putApp(resent, { ...v0.apps.get('/a')!, cmd: 'changed' }), T1);
    expect(v1.apps.get('/b')).toEqual(v0.apps.get('/b'));
    expect(v1.apps.get('/a')?.version).toBe(T1);
  });
});
