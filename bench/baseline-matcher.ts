/**
 * The straightforward matcher the bench compares against, as the issue describes it: "rescans
 * the app's placed tasks for every (task, offer) check and tries tasks first-fit". Tasks take
 * turns round-robin over the apps; each task tries the offers from the first one on. For every
 * (task, offer) pair it examines it checks, in this order:
 *   1. the app's constraints, each one rescanning the app's placed instances (as Marathon's
 *      constraint check did per offer, issue #1421);
 *   2. scalar resources (cpus, mem);
 *   3. ports.
 * The first offer that passes is taken, and the launch carries what the real matcher returns:
 * TaskInfo-ready Mesos resources (cpus and mem slices with the offer's identity fields, the
 * ports as ranges) plus the host ports, so both sides do comparable output work (the real
 * matcher shares equal cpus/mem slices between tasks; this one, being straightforward, builds
 * them per task).
 *
 * Why constraints come first: that is the wording (a rescan for every (task, offer)
 * check). An earlier version checked resources first, which skips the rescan on full agents;
 * `--baseline-order resources-first` still runs that ordering, so both ratios can be printed.
 * Nothing beyond the described algorithm is added: regexes are compiled once per pattern and
 * a full agent costs only the cheap checks after the constraint rescan.
 *
 * Supports the bench's subset (cpus/mem/ports, unreserved resources, UNIQUE/GROUP_BY/MAX_PER/
 * LIKE/UNLIKE/IS/CLUSTER on hostname, @zone, @region and TEXT attributes).
 */
import type { LaunchRequest, MatchOffer, MesosResource, PlacedInstance } from '../src/matching/index.js';

export interface BaselinePlacement {
  readonly appKey: string;
  readonly agentId: string;
  readonly hostPorts: number[];
  /** Resources for TaskInfo.resources, as the real matcher returns them. */
  readonly resources: MesosResource[];
}

export type BaselineOrder = 'constraints-first' | 'resources-first';

function fieldOf(offer: MatchOffer, field: string): string | undefined {
  if (field === 'hostname' || field === '@hostname') return offer.hostname;
  if (field === '@zone') return offer.domain?.fault_domain?.zone?.name;
  if (field === '@region') return offer.domain?.fault_domain?.region?.name;
  return offer.attributes?.find((a) => a.name === field)?.text?.value;
}

function placedField(p: PlacedInstance, field: string): string | undefined {
  if (field === 'hostname' || field === '@hostname') return p.hostname;
  if (field === '@zone') return p.zone;
  if (field === '@region') return p.region;
  return p.attributes?.find((a) => a.name === field)?.text?.value;
}

/** Regexes compiled once per pattern: compiling per check would be extra work, not a rescan. */
const regexes = new Map<string, RegExp>();

function fullMatch(pattern: string, value: string): boolean {
  let regex = regexes.get(pattern);
  if (!regex) regexes.set(pattern, (regex = new RegExp(`^(?:${pattern})$`)));
  return regex.test(value);
}

function meets(constraint: readonly string[], offer: MatchOffer, placed: readonly PlacedInstance[]): boolean {
  const [field, op, value = ''] = constraint as [string, string, string?];
  const v = fieldOf(offer, field);
  if (v === undefined) return op === 'UNLIKE';
  switch (op) {
    case 'UNIQUE':
      return placed.every((p) => placedField(p, field) !== v);
    case 'LIKE':
      return fullMatch(value, v);
    case 'UNLIKE':
      return !fullMatch(value, v);
    case 'IS':
      return v === value;
    case 'CLUSTER':
      return value !== '' ? v === value : placed.length === 0 || placedField(placed[0]!, field) === v;
    case 'MAX_PER':
      return placed.filter((p) => placedField(p, field) === v).length < Number(value);
    case 'GROUP_BY': {
      const counts = new Map<string | undefined, number>();
      for (const p of placed) counts.set(placedField(p, field), (counts.get(placedField(p, field)) ?? 0) + 1);
      const mine = counts.get(v);
      if (mine === undefined) return true;
      return counts.size >= Number(value || 0) && mine === Math.min(...counts.values());
    }
    default:
      return false;
  }
}

/**
 * Task-centric first fit: tasks in round-robin order over the apps; each task tries the offers
 * from the first one on and takes the first where resources fit and every constraint holds
 * (each check rescanning the app's placed instances).
 */
export function baselineMatch(
  offers: readonly MatchOffer[],
  requests: readonly LaunchRequest[],
  placedByApp: Map<string, PlacedInstance[]>,
  order: BaselineOrder = 'constraints-first',
): BaselinePlacement[] {
  const out: BaselinePlacement[] = [];
  const free = offers.map((offer) => {
    const cpus = offer.resources.find((r) => r.name === 'cpus');
    const mem = offer.resources.find((r) => r.name === 'mem');
    const ports = offer.resources.find((r) => r.name === 'ports');
    return {
      cpus: Math.round((cpus?.scalar?.value ?? 0) * 1000),
      mem: Math.round((mem?.scalar?.value ?? 0) * 1000),
      ports: (ports?.ranges?.range ?? []).map((r) => ({ begin: r.begin, end: r.end })),
      cpusResource: cpus,
      memResource: mem,
      portsResource: ports,
    };
  });
  const constraintsFirst = order === 'constraints-first';
  const pending = requests.map((r) => ({ app: r, left: r.count }));
  let progress = true;
  while (progress) {
    progress = false;
    for (const p of pending) {
      if (p.left === 0) continue;
      const app = p.app;
      const placed = placedByApp.get(app.key) ?? [];
      placedByApp.set(app.key, placed);
      const needCpus = Math.round(app.cpus * 1000);
      const needMem = Math.round(app.mem * 1000);
      let chosen = -1;
      let ports: number[] | undefined;
      for (let i = 0; i < offers.length; i++) {
        const f = free[i]!;
        if (constraintsFirst && !(app.constraints ?? []).every((c) => meets(c, offers[i]!, placed))) continue;
        if (f.cpus < needCpus || f.mem < needMem) continue;
        if (!constraintsFirst && !(app.constraints ?? []).every((c) => meets(c, offers[i]!, placed))) continue;
        ports = takePorts(f.ports, app);
        if (!ports) continue;
        chosen = i;
        break;
      }
      if (chosen < 0) {
        p.left = 0; // identical tasks would fail the same way
        continue;
      }
      const offer = offers[chosen]!;
      const f = free[chosen]!;
      f.cpus -= needCpus;
      f.mem -= needMem;
      const resources: MesosResource[] = [];
      if (needCpus > 0) resources.push({ ...f.cpusResource!, scalar: { value: needCpus / 1000 } });
      if (needMem > 0) resources.push({ ...f.memResource!, scalar: { value: needMem / 1000 } });
      if (ports!.length > 0) resources.push({ ...f.portsResource!, ranges: { range: toRanges(ports!) } });
      p.left--;
      progress = true;
      placed.push({
        hostname: offer.hostname,
        ...(offer.domain?.fault_domain?.zone ? { zone: offer.domain.fault_domain.zone.name } : {}),
        ...(offer.domain?.fault_domain?.region ? { region: offer.domain.fault_domain.region.name } : {}),
        attributes: offer.attributes ?? [],
      });
      out.push({ appKey: app.key, agentId: offer.agent_id.value, hostPorts: ports!, resources });
    }
  }
  return out;
}

/** Fixed ports must be free; dynamic ones are the lowest free. Mutates `free` only on success. */
function takePorts(free: { begin: number; end: number }[], app: LaunchRequest): number[] | undefined {
  const wanted = (app.ports ?? []).map((p) => (app.requirePorts ? p.port : 0));
  const taken = new Set<number>();
  const isFree = (port: number) => !taken.has(port) && free.some((r) => r.begin <= port && port <= r.end);
  for (const p of wanted) {
    if (p !== 0) {
      if (!isFree(p)) return undefined;
      taken.add(p);
    }
  }
  const result: number[] = [];
  for (const p of wanted) {
    if (p !== 0) {
      result.push(p);
      continue;
    }
    let found: number | undefined;
    for (const r of free) {
      for (let port = r.begin; port <= r.end; port++) {
        if (!taken.has(port)) {
          found = port;
          break;
        }
      }
      if (found !== undefined) break;
    }
    if (found === undefined) return undefined;
    taken.add(found);
    result.push(found);
  }
  for (const port of taken) {
    const i = free.findIndex((r) => r.begin <= port && port <= r.end);
    const r = free[i]!;
    const pieces = [...(r.begin <= port - 1 ? [{ begin: r.begin, end: port - 1 }] : []), ...(port + 1 <= r.end ? [{ begin: port + 1, end: r.end }] : [])];
    free.splice(i, 1, ...pieces);
  }
  return result;
}

/** Ports as sorted, merged Mesos ranges. */
function toRanges(ports: readonly number[]): { begin: number; end: number }[] {
  const sorted = [...ports].sort((a, b) => a - b);
  const out: { begin: number; end: number }[] = [];
  for (const port of sorted) {
    const last = out[out.length - 1];
    if (last && last.end + 1 === port) last.end = port;
    else out.push({ begin: port, end: port });
  }
  return out;
}
