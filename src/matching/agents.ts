/**
 * Offers → agent groups. All offers of one agent and one allocation role are merged into one
 * group (Mesos accepts them together in one ACCEPT). Inside a group, resources with the same
 * identity (name, reservation, disk, provider, allocation) are merged; resources that differ in
 * any of those stay distinct entries. Scalars become integer milli-units, ports range sets.
 */
import { MatchingInputError } from './errors.js';
import { normalizeRanges, rangeCount, type RangeSet } from './ranges.js';
import type { ScratchPool } from './scratch.js';
import type { MatchOffer, MesosReservation, MesosResource } from './types.js';
import { CPUS, DimensionTable, fromMilli, MEM, toMilli } from './units.js';

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
  const reservationRole = r.reservations && r.reservations.length > 0 ? (r.reservations[r.reservations.length - 1]!.role ?? '*') : (r.role ?? '*');
  const labels = currentReservation(r)?.labels?.labels ?? [];
  const resident = labels.some((l) => RESIDENT_LABELS.has(l.key));
  const disk = r.disk;
  // Scratch disk comes only from the agent's root disk; PATH/MOUNT/… disks and volumes are not matched.
  const unusable = resident || !!disk?.volume || !!disk?.persistence || !!disk?.source || !!r.revocable || !!r.shared;
  return { reservationRole, allocationRole: r.allocation_info?.role, unusable };
}

const SIMPLE_FIELDS = new Set(['name', 'type', 'scalar', 'ranges', 'set', 'role', 'allocation_info']);

/** Identity keys of plain resources by name, type, legacy role and allocation role. */
type SimpleKeys = Map<string, Map<string, Map<string, Map<string, string>>>>;

function level<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = new Map<string, V>()));
  return value;
}

/**
 * The identity that keeps entries apart: a resource without its value, as deterministic JSON.
 * Plain unreserved resources (name, type, legacy role, allocation role) are common and get a
 * short key, looked up in `simple` so that each distinct one is built once per round.
 */
function identityKey(r: MesosResource, simple: SimpleKeys): string {
  let plain = true;
  for (const k in r) {
    if (!SIMPLE_FIELDS.has(k)) {
      plain = false;
      break;
    }
  }
  const alloc = r.allocation_info;
  if (plain && (alloc === undefined || (Object.keys(alloc).length <= 1 && (alloc.role === undefined || typeof alloc.role === 'string')))) {
    const role = r.role ?? '\u0001';
    const allocRole = alloc?.role ?? '\u0001';
    const byAlloc = level(level(level(simple, r.name), r.type), role);
    let key = byAlloc.get(allocRole);
    if (key === undefined) byAlloc.set(allocRole, (key = `s\u0000${r.name}\u0000${r.type}\u0000${role}\u0000${allocRole}`));
    return key;
  }
  const { scalar: _s, ranges: _r, set: _set, ...identity } = r;
  return `j\u0000${stableStringify(identity)}`;
}

function stableStringify(value: unknown): string {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify returns undefined for undefined, functions, symbols
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`)
    .join(',')}}`;
}

/** Index in [from, to) of `key` in `keys`, or -1. */
function findKey(keys: readonly string[], from: number, to: number, key: string): number {
  for (let i = from; i < to; i++) if (keys[i] === key) return i;
  return -1;
}

const NO_RANGES: readonly { begin: number; end: number }[] = [];

function bad(path: string, message: string): MatchingInputError {
  return new MatchingInputError('PACER_MATCH_BAD_OFFER', path, message);
}

/** The offer's allocation role: on the offer, else on its first resource that has one. */
function allocationRoleOf(offer: MatchOffer): string | undefined {
  if (offer.allocation_info?.role !== undefined) return offer.allocation_info.role;
  for (let i = 0; i < offer.resources.length; i++) {
    const role = offer.resources[i]!.allocation_info?.role;
    if (role) return role;
  }
  return undefined;
}

/** Array.isArray without widening a typed array to `any[]`. */
const isArray = (value: unknown): value is readonly unknown[] => Array.isArray(value);

/* eslint-disable @typescript-eslint/no-unnecessary-condition -- the offers/requests come from callers in plain JS or JSON too; the types say what is valid, not what arrived */
function validateOffer(offer: MatchOffer): MatchingInputError | undefined {
  if (typeof offer?.id?.value !== 'string') return bad('id', 'offer id.value must be a string');
  if (typeof offer.agent_id?.value !== 'string') return bad('agent_id', 'agent_id.value must be a string');
  if (typeof offer.hostname !== 'string') return bad('hostname', 'hostname must be a string');
  if (!isArray(offer.resources)) return bad('resources', 'resources must be an array');
  for (let i = 0; i < offer.resources.length; i++) {
    const r = offer.resources[i]!;
    if (typeof r?.name !== 'string') return bad(`resources[${i}].name`, 'resource name must be a string');
    if (r.type === 'SCALAR') {
      const v = r.scalar?.value;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return bad(`resources[${i}].scalar`, 'scalar must be a finite number >= 0');
    } else if (r.type === 'RANGES') {
      for (const range of r.ranges?.range ?? NO_RANGES) {
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
/* eslint-enable @typescript-eslint/no-unnecessary-condition */

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
  /** Last launch resource built per scalar entry and its amount, reused for equal slices. */
  #sliceAmount!: Float64Array;
  #slice!: (MesosResource | undefined)[];
  /** Identity key of each scalar entry, and launch resources built per identity and amount. */
  readonly #entryKey: string[];
  readonly #sliceByIdentity = new Map<string, Map<number, MesosResource>>();

  /**
   * `pool` (the round's scratch space) holds the typed tables; without one they are allocated.
   * Tables are sized by the offers' resource counts first, then filled in place.
   */
  constructor(offers: readonly MatchOffer[], pool?: ScratchPool) {
    const byKey = new Map<string, MatchOffer[]>();
    let scalarCapacity = 0;
    let portCapacity = 0;
    for (let o = 0; o < offers.length; o++) {
      const offer = offers[o]!;
      const error = validateOffer(offer);
      if (error) {
        this.invalid.push({ offer, error });
        continue;
      }
      const resources = offer.resources;
      for (let ri = 0; ri < resources.length; ri++) {
        const r = resources[ri]!;
        if (r.type === 'SCALAR') scalarCapacity++;
        else if (r.type === 'RANGES' && r.name === 'ports') portCapacity++;
      }
      const role = allocationRoleOf(offer);
      // Most agents send one offer without an allocation role: the agent id alone is the key.
      const key = role === undefined ? offer.agent_id.value : `${offer.agent_id.value}\u0000${role}`;
      const list = byKey.get(key);
      if (list) list.push(offer);
      else byKey.set(key, [offer]);
    }
    const float64 = (n: number) => (pool ? pool.float64(n) : new Float64Array(n));
    const int32 = (n: number) => (pool ? pool.int32(n) : new Int32Array(n));
    const entryDim = int32(scalarCapacity);
    const entryRemaining = float64(scalarCapacity);
    const entryGroup = int32(scalarCapacity);
    const portGroup = int32(portCapacity);
    // Sorted so that the round does not depend on the order offers arrived in. A key without
    // role sorts like agent id + "\u0000" + "", before the same agent's role keys.
    const keys = [...byKey.keys()].sort();
    // Entries with equal identity have equal traits: computed once per identity in the round.
    const traitsById = new Map<string, EntryTraits>();
    const simpleKeys: SimpleKeys = new Map();
    const traits = (id: string, r: MesosResource): EntryTraits => {
      let t = traitsById.get(id);
      if (!t) traitsById.set(id, (t = traitsOf(r)));
      return t;
    };
    // Identity key per entry; a group has few entries, so a linear search beats a Map per group.
    const scalarKeys: string[] = new Array<string>(scalarCapacity);
    const portKeys: string[] = new Array<string>(portCapacity);
    let scalarCount = 0;
    let portCount = 0;
    for (let k = 0; k < keys.length; k++) {
      const groupOffers = byKey.get(keys[k]!)!;
      if (groupOffers.length > 1) groupOffers.sort((a, b) => (a.id.value < b.id.value ? -1 : a.id.value > b.id.value ? 1 : 0));
      const first = groupOffers[0]!;
      const g = this.groups.length;
      const group: AgentGroup = {
        agentId: first.agent_id.value,
        hostname: first.hostname,
        allocationRole: allocationRoleOf(first),
        offers: groupOffers,
        entryStart: scalarCount,
        entryEnd: 0,
        portStart: portCount,
        portEnd: 0,
        gpusOffered: false,
      };
      for (let o = 0; o < groupOffers.length; o++) {
        const resources = groupOffers[o]!.resources;
        for (let ri = 0; ri < resources.length; ri++) {
          const r = resources[ri]!;
          if (r.type === 'SCALAR') {
            const milli = toMilli(r.scalar!.value);
            if (r.name === 'gpus' && milli > 0) group.gpusOffered = true;
            const id = identityKey(r, simpleKeys);
            const e = findKey(scalarKeys, group.entryStart, scalarCount, id);
            if (e >= 0) {
              entryRemaining[e] = entryRemaining[e]! + milli;
              continue;
            }
            scalarKeys[scalarCount] = id;
            entryDim[scalarCount] = this.dims.idOf(r.name);
            entryRemaining[scalarCount] = milli;
            entryGroup[scalarCount] = g;
            scalarCount++;
            this.entryResource.push(r);
            this.entryTraits.push(traits(id, r));
          } else if (r.type === 'RANGES' && r.name === 'ports') {
            const id = identityKey(r, simpleKeys);
            const pe = findKey(portKeys, group.portStart, portCount, id);
            const ranges = normalizeRanges(r.ranges?.range ?? NO_RANGES);
            if (pe >= 0) {
              const merged: { begin: number; end: number }[] = [];
              for (const set of [this.portFree[pe]!, ranges]) {
                for (let i = 0; i < set.length; i += 2) merged.push({ begin: set[i]!, end: set[i + 1]! });
              }
              this.portFree[pe] = normalizeRanges(merged);
              continue;
            }
            portKeys[portCount] = id;
            portGroup[portCount] = g;
            portCount++;
            this.portFree.push(ranges);
            this.portResource.push(r);
            this.portTraits.push(traits(id, r));
          }
          // Other RANGES and SET resources are never requested; they stay in the offer.
        }
      }
      group.entryEnd = scalarCount;
      group.portEnd = portCount;
      this.groups.push(group);
    }
    this.entryDim = entryDim.subarray(0, scalarCount);
    this.entryRemaining = entryRemaining.subarray(0, scalarCount);
    this.entryGroup = entryGroup.subarray(0, scalarCount);
    this.portGroup = portGroup.subarray(0, portCount);
    scalarKeys.length = scalarCount;
    this.#entryKey = scalarKeys;
    this.#sliceAmount = float64(scalarCount).fill(-1);
    // Sized up front: filled out of order, a growing array could fall back to dictionary storage.
    this.#slice = new Array<MesosResource | undefined>(scalarCount);
    this.groupCpus = float64(this.groups.length);
    this.groupMem = float64(this.groups.length);
    for (let e = 0; e < scalarCount; e++) {
      const d = this.entryDim[e];
      const g = this.entryGroup[e]!;
      if (d === CPUS) this.groupCpus[g] = this.groupCpus[g]! + this.entryRemaining[e]!;
      else if (d === MEM) this.groupMem[g] = this.groupMem[g]! + this.entryRemaining[e]!;
    }
  }

  /**
   * The launch resource for `milli` taken from scalar entry `e`: the offered resource with its
   * identity fields and the amount. Tasks taking equal amounts from entries of equal identity
   * (on any agent) share the (read-only) object, which keeps a round's output small.
   */
  scalarSlice(e: number, milli: number): MesosResource {
    if (this.#sliceAmount[e] === milli) return this.#slice[e]!;
    let byAmount = this.#sliceByIdentity.get(this.#entryKey[e]!);
    if (byAmount === undefined) this.#sliceByIdentity.set(this.#entryKey[e]!, (byAmount = new Map<number, MesosResource>()));
    let resource = byAmount.get(milli);
    if (resource === undefined) byAmount.set(milli, (resource = { ...this.entryResource[e]!, scalar: { value: fromMilli(milli) } }));
    this.#sliceAmount[e] = milli;
    this.#slice[e] = resource;
    return resource;
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
