/**
 * Offers → agent groups. All offers of one agent and one allocation role are merged into one
 * group (Mesos accepts them together in one ACCEPT). Inside a group, resources with the same
 * identity (name, reservation, disk, provider, allocation) are merged; resources that differ in
 * any of those stay distinct entries. Scalars become integer milli-units, ports range sets.
 */
import { MatchingInputError } from './errors.js';
import { normalizeRanges, rangeCount, type RangeSet } from './ranges.js';
import type { MatchOffer, MesosReservation, MesosResource } from './types.js';
import { CPUS, DimensionTable, MEM, toMilli } from './units.js';

/** What decides whether a request may use an entry. */
export interface EntryTraits {
  readonly reservationRole: string;
  readonly allocationRole: string | undefined;
  /** Persistent volumes, revocable/shared resources, resident reservations, non-root disks. */
  readonly unusable: boolean;
}

export interface AgentGroup {
  readonly agentId: string;
  readonly hostname: string;
  readonly allocationRole: string | undefined;
  readonly offers: MatchOffer[];
  /** Scalar entries [entryStart, entryEnd) and port entries [portStart, portEnd). */
  entryStart: number;
  entryEnd: number;
  portStart: number;
  portEnd: number;
  gpusOffered: boolean;
}

/** Reservation labels Marathon puts on resources reserved for resident instances. */
const RESIDENT_LABELS = new Set(['marathon_framework_id', 'marathon_task_id']);

function currentReservation(r: MesosResource): MesosReservation | undefined {
  if (r.reservations && r.reservations.length > 0) return r.reservations[r.reservations.length - 1];
  return r.reservation;
}

function traitsOf(r: MesosResource): EntryTraits {
  const reservationRole =
    r.reservations && r.reservations.length > 0 ? (r.reservations[r.reservations.length - 1]!.role ?? '*') : (r.role ?? '*');
  const labels = currentReservation(r)?.labels?.labels ?? [];
  const resident = labels.some((l) => RESIDENT_LABELS.has(l.key));
  const disk = r.disk;
  // Scratch disk comes only from the agent's root disk; PATH/MOUNT/… disks and volumes are not matched.
  const unusable = resident || !!disk?.volume || !!disk?.persistence || !!disk?.source || !!r.revocable || !!r.shared;
  return { reservationRole, allocationRole: r.allocation_info?.role, unusable };
}

const SIMPLE_FIELDS = new Set(['name', 'type', 'scalar', 'ranges', 'set', 'role', 'allocation_info']);

/** Deterministic JSON of a resource without its value: the identity that keeps entries apart. */
function identityKey(r: MesosResource): string {
  // Fast path for the common unreserved resource: name, type, legacy role, allocation role.
  let simple = true;
  for (const k in r) {
    if (!SIMPLE_FIELDS.has(k)) {
      simple = false;
      break;
    }
  }
  const alloc = r.allocation_info;
  if (simple && (alloc === undefined || (Object.keys(alloc).length <= 1 && (alloc.role === undefined || typeof alloc.role === 'string')))) {
    return `s\u0000${r.name}\u0000${r.type}\u0000${r.role ?? '\u0001'}\u0000${alloc?.role ?? '\u0001'}`;
  }
  const { scalar: _s, ranges: _r, set: _set, ...identity } = r;
  return `j\u0000${stableStringify(identity)}`;
}

function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`)
    .join(',')}}`;
}

function validateOffer(offer: MatchOffer): MatchingInputError | undefined {
  const bad = (path: string, message: string) => new MatchingInputError('PACER_ERR_MATCH_BAD_OFFER', path, message);
  if (typeof offer?.id?.value !== 'string') return bad('id', 'offer id.value must be a string');
  if (typeof offer.agent_id?.value !== 'string') return bad('agent_id', 'agent_id.value must be a string');
  if (typeof offer.hostname !== 'string') return bad('hostname', 'hostname must be a string');
  if (!Array.isArray(offer.resources)) return bad('resources', 'resources must be an array');
  for (const [i, r] of offer.resources.entries()) {
    if (typeof r?.name !== 'string') return bad(`resources[${i}].name`, 'resource name must be a string');
    if (r.type === 'SCALAR') {
      const v = r.scalar?.value;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return bad(`resources[${i}].scalar`, 'scalar must be a finite number >= 0');
    } else if (r.type === 'RANGES') {
      for (const range of r.ranges?.range ?? []) {
        if (!Number.isSafeInteger(range?.begin) || !Number.isSafeInteger(range?.end) || range.begin > range.end || range.begin < 0) {
          return bad(`resources[${i}].ranges`, 'ranges must be integer intervals with begin <= end');
        }
      }
    } else if (r.type !== 'SET') {
      return bad(`resources[${i}].type`, `unknown resource type ${String(r.type)}`);
    }
  }
  return undefined;
}

/** All agent groups and their resource entries for one round, as flat arrays. */
export class OfferBook {
  readonly dims = new DimensionTable();
  readonly groups: AgentGroup[] = [];
  readonly invalid: { offer: MatchOffer; error: MatchingInputError }[] = [];
  // Scalar entries.
  entryDim!: Int32Array;
  entryRemaining!: Float64Array;
  entryGroup!: Int32Array;
  readonly entryResource: MesosResource[] = [];
  readonly entryTraits: EntryTraits[] = [];
  // Port entries.
  readonly portFree: RangeSet[] = [];
  readonly portResource: MesosResource[] = [];
  readonly portTraits: EntryTraits[] = [];
  portGroup!: Int32Array;
  /** Remaining cpus and mem of each group over all its entries, for ranking agents. */
  groupCpus!: Float64Array;
  groupMem!: Float64Array;

  constructor(offers: readonly MatchOffer[]) {
    const byKey = new Map<string, MatchOffer[]>();
    for (const offer of offers) {
      const error = validateOffer(offer);
      if (error) {
        this.invalid.push({ offer, error });
        continue;
      }
      const role = offer.allocation_info?.role ?? offer.resources.find((r) => r.allocation_info?.role)?.allocation_info?.role;
      const key = `${offer.agent_id.value}\u0000${role ?? ''}`;
      const list = byKey.get(key);
      if (list) list.push(offer);
      else byKey.set(key, [offer]);
    }
    // Sorted so that the round does not depend on the order offers arrived in.
    const keys = [...byKey.keys()].sort();
    const dimList: number[] = [];
    const remainingList: number[] = [];
    const groupList: number[] = [];
    const portGroupList: number[] = [];
    for (const key of keys) {
      const groupOffers = byKey.get(key)!.sort((a, b) => (a.id.value < b.id.value ? -1 : a.id.value > b.id.value ? 1 : 0));
      const first = groupOffers[0]!;
      const g = this.groups.length;
      const group: AgentGroup = {
        agentId: first.agent_id.value,
        hostname: first.hostname,
        allocationRole: first.allocation_info?.role ?? first.resources.find((r) => r.allocation_info?.role)?.allocation_info?.role,
        offers: groupOffers,
        entryStart: this.entryResource.length,
        entryEnd: 0,
        portStart: this.portResource.length,
        portEnd: 0,
        gpusOffered: false,
      };
      const scalarIndex = new Map<string, number>();
      const portIndex = new Map<string, number>();
      for (const offer of groupOffers) {
        for (const r of offer.resources) {
          if (r.type === 'SCALAR') {
            const milli = toMilli(r.scalar!.value);
            if (r.name === 'gpus' && milli > 0) group.gpusOffered = true;
            const id = identityKey(r);
            const existing = scalarIndex.get(id);
            if (existing !== undefined) {
              remainingList[existing] = remainingList[existing]! + milli;
              continue;
            }
            scalarIndex.set(id, remainingList.length);
            dimList.push(this.dims.idOf(r.name));
            remainingList.push(milli);
            groupList.push(g);
            this.entryResource.push(r);
            this.entryTraits.push(traitsOf(r));
          } else if (r.type === 'RANGES' && r.name === 'ports') {
            const id = identityKey(r);
            const existing = portIndex.get(id);
            const ranges = normalizeRanges(r.ranges?.range ?? []);
            if (existing !== undefined) {
              const merged: { begin: number; end: number }[] = [];
              for (const set of [this.portFree[existing]!, ranges]) {
                for (let i = 0; i < set.length; i += 2) merged.push({ begin: set[i]!, end: set[i + 1]! });
              }
              this.portFree[existing] = normalizeRanges(merged);
              continue;
            }
            portIndex.set(id, this.portFree.length);
            this.portFree.push(ranges);
            this.portResource.push(r);
            this.portTraits.push(traitsOf(r));
            portGroupList.push(g);
          }
          // Other RANGES and SET resources are never requested; they stay in the offer.
        }
      }
      group.entryEnd = this.entryResource.length;
      group.portEnd = this.portResource.length;
      this.groups.push(group);
    }
    this.entryDim = Int32Array.from(dimList);
    this.entryRemaining = Float64Array.from(remainingList);
    this.entryGroup = Int32Array.from(groupList);
    this.portGroup = Int32Array.from(portGroupList);
    this.groupCpus = new Float64Array(this.groups.length);
    this.groupMem = new Float64Array(this.groups.length);
    for (let e = 0; e < this.entryRemaining.length; e++) {
      const d = this.entryDim[e];
      if (d === CPUS) this.groupCpus[this.entryGroup[e]!] += this.entryRemaining[e]!;
      else if (d === MEM) this.groupMem[this.entryGroup[e]!] += this.entryRemaining[e]!;
    }
  }

  freePortCount(portEntry: number): number {
    return rangeCount(this.portFree[portEntry]!);
  }

  /** Whether Marathon's maintenance check declines this group at `nowMs`. */
  inMaintenance(g: number, nowMs: number, drainingSeconds: number): boolean {
    const window = this.groups[g]!.offers[0]!.unavailability;
    if (!window?.start) return false;
    const startMs = window.start.nanoseconds / 1e6;
    if (!(nowMs > startMs - drainingSeconds * 1000)) return false;
    const duration = window.duration;
    return !(duration !== undefined && nowMs > startMs + duration.nanoseconds / 1e6);
  }
}

