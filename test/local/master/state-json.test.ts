/**
 * /master/state keys that upstream writes (src/master/readonly_handler.cpp, src/common/http.cpp) and the real-Mesos differential test
 * (test/mesos-real/differential.test.ts) compares: the master's capabilities at the top
 * (MasterInfo.capabilities, as type names like every capability there) and each framework's
 * offer_constraints (written always, an empty object when the framework set none).
 */
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMesosLocal, type MesosLocalHandle } from '../../../src/local/index.js';
import { rawRequest, subscribeJson } from '../wire-client.js';

let local: MesosLocalHandle;

beforeAll(async () => {
  local = await startMesosLocal({ ip: '127.0.0.1', port: 0, agents: 0, simulatedAgents: 1, allocationIntervalMs: 100 }, pino({ level: 'silent' }));
});

afterAll(async () => {
  await local?.close();
});

it('writes the master capabilities and every framework offer_constraints as upstream does', async () => {
  const { stream, frameworkId } = await subscribeJson(local.url, 'state-keys');
  try {
    const state = JSON.parse((await rawRequest(local.url, { method: 'GET', path: '/master/state' })).text) as Record<string, any>;
    expect(state.capabilities).toEqual(local.masterInfo.capabilities!.map((c) => c.type));
    expect(state.capabilities.length).toBeGreaterThan(0);
    const framework = (state.frameworks as Array<Record<string, any>>).find((f) => f.id === frameworkId);
    expect(framework?.offer_constraints).toEqual({});
  } finally {
    stream.close();
  }
});
