/** Tiny builders for matcher tests (agents, offers, apps). */
import type { LaunchRequest, MatchOffer, MesosAttribute, MesosResource } from '../../src/matching/index.js';

export function scalar(name: string, value: number, extra: Partial<MesosResource> = {}): MesosResource {
  return { name, type: 'SCALAR', scalar: { value }, ...extra };
}

export function ports(ranges: [number, number][], extra: Partial<MesosResource> = {}): MesosResource {
  return { name: 'ports', type: 'RANGES', ranges: { range: ranges.map(([begin, end]) => ({ begin, end })) }, ...extra };
}

export function text(name: string, value: string): MesosAttribute {
  return { name, type: 'TEXT', text: { value } };
}

export interface OfferSpec {
  id?: string;
  agent?: string;
  hostname?: string;
  cpus?: number;
  mem?: number;
  disk?: number;
  gpus?: number;
  ports?: [number, number][];
  resources?: MesosResource[];
  attributes?: MesosAttribute[];
  region?: string;
  zone?: string;
  role?: string;
}

let offerSeq = 0;

export function offer(spec: OfferSpec = {}): MatchOffer {
  const agent = spec.agent ?? `agent-${offerSeq}`;
  const allocation = spec.role !== undefined ? { allocation_info: { role: spec.role } } : {};
  const resources: MesosResource[] = spec.resources ?? [
    scalar('cpus', spec.cpus ?? 4, allocation),
    scalar('mem', spec.mem ?? 4096, allocation),
    ...(spec.disk !== undefined ? [scalar('disk', spec.disk, allocation)] : []),
    ...(spec.gpus !== undefined ? [scalar('gpus', spec.gpus, allocation)] : []),
    ports(spec.ports ?? [[31000, 32000]], allocation),
  ];
  const domain =
    spec.region !== undefined || spec.zone !== undefined
      ? {
          domain: {
            fault_domain: {
              ...(spec.region !== undefined ? { region: { name: spec.region } } : {}),
              ...(spec.zone !== undefined ? { zone: { name: spec.zone } } : {}),
            },
          },
        }
      : {};
  return {
    id: { value: spec.id ?? `offer-${offerSeq++}` },
    framework_id: { value: 'fw' },
    agent_id: { value: agent },
    hostname: spec.hostname ?? agent,
    resources,
    attributes: spec.attributes ?? [],
    ...domain,
    ...(spec.role !== undefined ? { allocation_info: { role: spec.role } } : {}),
  };
}

export function app(key: string, spec: Partial<LaunchRequest> = {}): LaunchRequest {
  return { key, count: 1, cpus: 1, mem: 128, ...spec };
}

export const NOW = Date.UTC(2024, 0, 1);
