/** Scenario inputs for bench/matching.ts: agents as Mesos offers, apps as launch requests. */
import type { LaunchRequest, MatchOffer, MesosResource, PlacementStrategy } from '../src/matching/index.js';

export interface Scenario {
  readonly name: string;
  readonly agents: MatchOffer[];
  readonly apps: LaunchRequest[];
  readonly strategy: PlacementStrategy;
}

const GIB = 1024;

function agentName(i: number): string {
  return `agent-${String(i).padStart(5, '0')}`;
}

function fragmentedPorts(fragments: number): { begin: number; end: number }[] {
  // 20 fragments of 25 ports with 25-port gaps, inside [31000, 32000).
  const out: { begin: number; end: number }[] = [];
  const span = Math.floor(1000 / fragments);
  for (let f = 0; f < fragments; f++) out.push({ begin: 31000 + f * span, end: 31000 + f * span + Math.floor(span / 2) - 1 });
  return out;
}

function agents(count: number, portRanges: { begin: number; end: number }[], round: number): MatchOffer[] {
  const out: MatchOffer[] = [];
  for (let i = 0; i < count; i++) {
    const name = agentName(i);
    const resources: MesosResource[] = [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 8 }, role: '*' },
      { name: 'mem', type: 'SCALAR', scalar: { value: 32 * GIB }, role: '*' },
      { name: 'ports', type: 'RANGES', ranges: { range: portRanges }, role: '*' },
    ];
    out.push({
      id: { value: `offer-${round}-${name}` },
      framework_id: { value: 'bench' },
      agent_id: { value: name },
      hostname: name,
      resources,
      attributes: [{ name: 'rack', type: 'TEXT', text: { value: `rack-${Math.floor(i / 40)}` } }],
      domain: { fault_domain: { region: { name: 'region-1' }, zone: { name: `zone-${i % 3}` } } },
    });
  }
  return out;
}

function apps(count: number, instances: number, shape: (i: number) => Partial<LaunchRequest>): LaunchRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `/bench/app-${String(i).padStart(3, '0')}`,
    count: instances,
    cpus: 1,
    mem: 1 * GIB,
    ports: [{ port: 0 }],
    ...shape(i),
  }));
}

const DEFAULT_PORTS = [{ begin: 31000, end: 32000 }];

export function scenarios(round = 0): Scenario[] {
  return [
    { name: 'S1', agents: agents(10_000, DEFAULT_PORTS, round), apps: apps(100, 100, () => ({})), strategy: 'binpack' },
    {
      name: 'S2',
      agents: agents(10_000, DEFAULT_PORTS, round),
      apps: apps(100, 100, (i) => ({
        constraints:
          i % 2 === 0
            ? [
                ['hostname', 'UNIQUE'],
                ['@zone', 'GROUP_BY', '3'],
              ]
            : [['hostname', 'UNIQUE']],
      })),
      strategy: 'binpack',
    },
    {
      name: 'S3',
      agents: agents(10_000, DEFAULT_PORTS, round),
      apps: apps(100, 100, () => ({
        constraints: [
          ['rack', 'MAX_PER', '40'],
          ['hostname', 'LIKE', 'agent-.*[02468]'],
        ],
      })),
      strategy: 'binpack',
    },
    {
      name: 'S4',
      agents: agents(10_000, fragmentedPorts(20), round),
      apps: apps(100, 100, (i) =>
        i % 10 === 0
          ? { requirePorts: true, ports: [0, 1, 2, 3, 4].map((k) => ({ port: 31000 + 50 * (i / 10) + k })) }
          : { ports: [0, 1, 2, 3, 4].map(() => ({ port: 0 })) },
      ),
      strategy: 'binpack',
    },
    { name: 'S5', agents: agents(20_000, DEFAULT_PORTS, round), apps: apps(100, 500, () => ({})), strategy: 'spread' },
  ];
}
