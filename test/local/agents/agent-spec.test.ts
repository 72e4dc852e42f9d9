import { pino } from 'pino';
import { describe, expect, it } from 'vitest';

import {
  AgentSpecError,
  agentHostnameFor,
  agentIdFor,
  completeAgentResources,
  parseAgentAttributes,
  parseAgentResources,
  portRangeSlice,
} from '../../../src/local/agents/agent-spec.js';
import { createLocalAgents } from '../../../src/local/agents/local-agents.js';

function expectSpecError(run: () => unknown, code: string, message: RegExp): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AgentSpecError);
    expect((error as AgentSpecError).code).toBe(code);
    expect((error as AgentSpecError).message).toMatch(message);
    return;
  }
  throw new Error('expected an AgentSpecError');
}

describe('parseAgentResources', () => {
  it('parses scalars, ranges, sets and roles', () => {
    expect(parseAgentResources('cpus:4;mem:8192.5;disk:20000;ports:[31000-32000, 40000-40010];gpus(ml):2;zones:{a,b}')).toEqual([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 4 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 8192.5 } },
      { name: 'disk', type: 'SCALAR', scalar: { value: 20000 } },
      {
        name: 'ports',
        type: 'RANGES',
        ranges: {
          range: [
            { begin: 31000, end: 32000 },
            { begin: 40000, end: 40010 },
          ],
        },
      },
      { name: 'gpus', type: 'SCALAR', scalar: { value: 2 }, reservations: [{ type: 'STATIC', role: 'ml' }] },
      { name: 'zones', type: 'SET', set: { item: ['a', 'b'] } },
    ]);
  });

  it('coalesces adjacent and overlapping ranges', () => {
    expect(parseAgentResources('ports:[5-10,1-4,8-12]')[0]!.ranges).toEqual({ range: [{ begin: 1, end: 12 }] });
  });

  it('reads the JSON array form, upgrading the old role field', () => {
    expect(
      parseAgentResources('[{"name":"cpus","type":"SCALAR","scalar":{"value":2},"role":"web"},{"name":"mem","type":"SCALAR","scalar":{"value":512}}]'),
    ).toEqual([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 2 }, reservations: [{ type: 'STATIC', role: 'web' }] },
      { name: 'mem', type: 'SCALAR', scalar: { value: 512 } },
    ]);
  });

  it('returns no resources for an empty string', () => {
    expect(parseAgentResources('')).toEqual([]);
  });

  it.each([
    ['cpus', /missing or extra ':'/],
    ['cpus:1:2', /missing or extra ':'/],
    ['cpus:-1', /expected a non-negative number/],
    ['cpus:abc', /expected a non-negative number/],
    ['ports:[1-2', /Mismatched brackets/],
    ['ports:[a-b]', /non-negative integers/],
    ['ports:[1-2-3]', /Expecting one or more "ranges"/],
    ['ports:[10-5]', /begin > end/],
    ['cpus(role:1', /mismatched parentheses/],
    ['cpus(-bad):1', /starts with a dash/],
    ['zones:{a,a}', /duplicated elements/],
    ['x:1;x:[1-2]', /same name \('x'\) but different types/],
    ['[{"name":"cpus"}]', /'type' must be one of/],
    ['[{"name":"cpus","type":"SCALAR","scalar":{"value":1},"reservations":[{"type":"DYNAMIC","role":"r"}]}]', /Dynamic reservations/],
    ['[{"name":', /malformed|not formatted|missing or extra/],
  ])('rejects %s with a typed error', (text, message) => {
    expectSpecError(() => parseAgentResources(text), 'PACER_INVALID_AGENT_RESOURCES', message);
  });
});

describe('parseAgentAttributes', () => {
  it('decides TEXT, SCALAR and RANGES as Mesos does', () => {
    expect(parseAgentAttributes('rack:r1;zone:z1;level:3;ports:[1-2];neg:-4;url:http://x')).toEqual([
      { name: 'rack', type: 'TEXT', text: { value: 'r1' } },
      { name: 'zone', type: 'TEXT', text: { value: 'z1' } },
      { name: 'level', type: 'SCALAR', scalar: { value: 3 } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 1, end: 2 }] } },
      { name: 'neg', type: 'TEXT', text: { value: '-4' } },
      { name: 'url', type: 'TEXT', text: { value: 'http://x' } },
    ]);
  });

  it.each([
    ['rack', /Invalid attribute key:value pair/],
    [':r1', /Invalid attribute key:value pair/],
    ['rack:', /Invalid attribute key:value pair/],
    ['os:{linux,mac}', /type SET/],
    ['ports:[1-', /Mismatched brackets/],
  ])('rejects %s with a typed error', (text, message) => {
    expectSpecError(() => parseAgentAttributes(text), 'PACER_INVALID_AGENT_ATTRIBUTES', message);
  });
});

describe('agent defaults and names', () => {
  it('fills in the resources a Mesos agent would detect', () => {
    const completed = completeAgentResources(parseAgentResources('cpus:2'), { memMb: 1024 });
    expect(completed.map((r) => r.name)).toEqual(['cpus', 'mem', 'disk', 'ports']);
    expect(completed[0]!.scalar!.value).toBe(2);
    expect(completed[1]!.scalar!.value).toBe(1024);
    expect(completed[3]!.ranges!.range).toEqual([{ begin: 31000, end: 32000 }]);
  });

  it('slices a port range into disjoint parts', () => {
    expect([0, 1, 2].map((i) => portRangeSlice(i, 3))).toEqual([
      { begin: 31000, end: 31332 },
      { begin: 31333, end: 31665 },
      { begin: 31666, end: 32000 },
    ]);
    expect(() => portRangeSlice(3, 3)).toThrow(RangeError);
  });

  it('mints agent ids and hostnames', () => {
    expect(agentIdFor('c0ffee-1', 7)).toBe('c0ffee-1-S7');
    expect(agentHostnameFor('simulated', 7)).toBe('simulated-agent-7.localhost');
    expect(agentHostnameFor('process', 0, 'box.example')).toBe('box.example');
  });
});

describe('createLocalAgents', () => {
  it('builds process then simulated agents with ids, hostnames and disjoint ports', async () => {
    const agents = createLocalAgents({
      masterId: 'm1',
      processAgents: 2,
      simulatedAgents: 2,
      resources: 'cpus:2;mem:1024;disk:100',
      attributes: 'rack:r1',
      workDir: '/tmp/unused-by-this-test',
      sink: { statusUpdate: () => undefined },
      logger: pino({ level: 'silent' }),
    });
    expect(agents.map((a) => a.id)).toEqual(['m1-S0', 'm1-S1', 'm1-S2', 'm1-S3']);
    expect(agents.map((a) => a.hostname)).toEqual(['localhost', 'localhost', 'simulated-agent-2.localhost', 'simulated-agent-3.localhost']);
    const ports = agents.map((a) => a.resources.find((r) => r.name === 'ports')!.ranges!.range);
    expect(ports[0]).toEqual([{ begin: 31000, end: 31499 }]);
    expect(ports[1]).toEqual([{ begin: 31500, end: 32000 }]);
    expect(ports[2]).toEqual([{ begin: 31000, end: 32000 }]);
    expect(agents[0]!.attributes).toEqual([{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }]);
    await Promise.all(agents.map((a) => a.close()));
  });

  it('throws a typed error for bad flags', () => {
    expect(() =>
      createLocalAgents({
        masterId: 'm',
        processAgents: 1,
        simulatedAgents: 0,
        resources: 'cpus:x',
        workDir: '/tmp',
        sink: { statusUpdate: () => undefined },
        logger: pino({ level: 'silent' }),
      }),
    ).toThrow(AgentSpecError);
  });
});
