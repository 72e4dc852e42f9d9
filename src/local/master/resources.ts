import type { Resource, ResourceDiskInfo, ResourceReservationInfo, ValueRange } from '../../mesos/types.js';
import { InvalidResourceError } from './errors.js';
import { addRanges, formatRanges, normalizeRanges, rangesContain, rangesOverlap, subtractRanges, type FlatRanges } from './ranges.js';

/**
 * Mesos `Resources` arithmetic. Scalars are held in integer thousandths, as upstream compares
 * and adds them in fixed point (so 0.1 + 0.2 cpus is exactly 0.3); ranges are exact interval
 * lists; sets are sorted item lists. Resources of the same name stay distinct when their type,
 * reservation stack, disk, revocable/shared markers, provider or allocation role differ.
 */

type Kind = 'SCALAR' | 'RANGES' | 'SET';

/** The identity of a resource apart from its quantity and its allocation role. */
interface Shape {
  readonly key: string;
  readonly name: string;
  /** Dense index of `name` among scalar names (see `scalarIndex`); -1 for ranges and sets. */
  readonly scalarIndex: number;
  readonly type: Kind;
  /** Normalized reservation stack; empty means unreserved. */
  readonly reservations: readonly ResourceReservationInfo[];
  readonly disk?: ResourceDiskInfo;
  readonly revocable: boolean;
  readonly shared: boolean;
  readonly providerId?: string;
  /** Interned (shape, allocation role) pairs; `undefined` role under the key ''. */
  readonly slots: Map<string, Slot>;
}

/** A shape together with an allocation role: the identity under which amounts add up. */
interface Slot {
  readonly shape: Shape;
  readonly role: string | undefined;
}

class Entry {
  constructor(
    readonly slot: Slot,
    public milli: number,
    public ranges: FlatRanges,
    public items: readonly string[],
  ) {}

  copy(slot: Slot = this.slot): Entry {
    return new Entry(slot, this.milli, this.ranges, this.items);
  }
}

/** The ranges of a scalar or set and the items of a scalar or range: one empty list for all
 * (entries replace their lists, never change them), not two new arrays per entry. */
const NO_RANGES: FlatRanges = Object.freeze([]);
const NO_ITEMS: readonly string[] = Object.freeze([]);

const shapes = new Map<string, Shape>();
const scalarIndexes = new Map<string, number>();

/** A small dense number for each scalar resource name, so that per-client quantities can live in
 * plain number arrays instead of name-keyed maps (DRF touches them once per offer). */
export function scalarIndex(name: string): number {
  let index = scalarIndexes.get(name);
  if (index === undefined) {
    index = scalarIndexes.size;
    scalarIndexes.set(name, index);
  }
  return index;
}

/** The scalar names in index order. */
export function scalarNames(): string[] {
  return [...scalarIndexes.keys()];
}

function slotOf(shape: Shape, role: string | undefined): Slot {
  const key = role === undefined ? '' : `=${role}`;
  let slot = shape.slots.get(key);
  if (slot === undefined) {
    slot = { shape, role };
    shape.slots.set(key, slot);
  }
  return slot;
}

export function toMilli(value: number): number {
  return Math.round(value * 1000);
}

function normalizeReservations(r: Resource): ResourceReservationInfo[] {
  if (r.reservations && r.reservations.length > 0) return r.reservations.map((x) => ({ ...x }));
  if (r.role !== undefined && r.role !== '*') {
    const legacy: ResourceReservationInfo = {
      type: r.reservation ? 'DYNAMIC' : 'STATIC',
      role: r.role,
    };
    if (r.reservation?.principal !== undefined) legacy.principal = r.reservation.principal;
    if (r.reservation?.labels !== undefined) legacy.labels = r.reservation.labels;
    return [legacy];
  }
  return [];
}

/** Shapes of unreserved plain resources by type and name: most resources, found without building a key. */
const plainShapes = new Map<string, Shape>();

function isPlain(r: Resource): boolean {
  return (
    (r.reservations === undefined || r.reservations.length === 0) &&
    (r.role === undefined || r.role === '*') &&
    r.disk === undefined &&
    r.revocable === undefined &&
    r.shared === undefined &&
    r.provider_id === undefined
  );
}

function shapeOf(r: Resource, type: Kind): Shape {
  if (!isPlain(r)) return keyedShapeOf(r, type);
  const plainKey = `${type}\u0000${r.name}`;
  let shape = plainShapes.get(plainKey);
  if (shape === undefined) {
    shape = keyedShapeOf(r, type);
    plainShapes.set(plainKey, shape);
  }
  return shape;
}

function keyedShapeOf(r: Resource, type: Kind): Shape {
  const reservations = normalizeReservations(r);
  const key = JSON.stringify([r.name, type, reservations, r.disk ?? null, r.revocable !== undefined, r.shared !== undefined, r.provider_id?.value ?? null]);
  let shape = shapes.get(key);
  if (shape === undefined) {
    shape = {
      key,
      name: r.name,
      scalarIndex: type === 'SCALAR' ? scalarIndex(r.name) : -1,
      type,
      reservations,
      revocable: r.revocable !== undefined,
      shared: r.shared !== undefined,
      slots: new Map(),
      ...(r.disk !== undefined ? { disk: r.disk } : {}),
      ...(r.provider_id !== undefined ? { providerId: r.provider_id.value } : {}),
    };
    shapes.set(key, shape);
  }
  return shape;
}

function describe(r: Resource): string {
  return `'${r.name}'`;
}

function parseRanges(r: Resource): number[] {
  const list: readonly ValueRange[] = r.ranges?.range ?? [];
  const pairs: [number, number][] = [];
  for (const range of list) {
    const { begin, end } = range;
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end < 0) {
      throw new InvalidResourceError(`Invalid ranges resource ${describe(r)}: bounds must be non-negative integers`);
    }
    if (begin > end) {
      throw new InvalidResourceError(`Invalid ranges resource ${describe(r)}: begin ${begin} is greater than end ${end}`);
    }
    pairs.push([begin, end]);
  }
  const merged = normalizeRanges(pairs);
  const total = pairs.reduce((n, [b, e]) => n + (e - b + 1), 0);
  const mergedTotal = merged.reduce((n, v, i) => (i % 2 === 0 ? n - v : n + v + 1), 0);
  if (total !== mergedTotal) {
    throw new InvalidResourceError(`Invalid ranges resource ${describe(r)}: ranges overlap`);
  }
  return merged;
}

function parseEntry(r: Resource): Entry | undefined {
  if (typeof r.name !== 'string' || r.name === '') {
    throw new InvalidResourceError('Empty resource name');
  }
  const role = r.allocation_info?.role;
  switch (r.type) {
    case 'SCALAR': {
      if (r.scalar === undefined || r.ranges !== undefined || r.set !== undefined) {
        throw new InvalidResourceError(`Invalid scalar resource ${describe(r)}: expecting only 'scalar' to be set`);
      }
      const v = r.scalar.value;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new InvalidResourceError(`Invalid scalar resource ${describe(r)}: value must be a non-negative number`);
      }
      const milli = toMilli(v);
      if (milli === 0) return undefined;
      return new Entry(slotOf(shapeOf(r, 'SCALAR'), role), milli, NO_RANGES, NO_ITEMS);
    }
    case 'RANGES': {
      if (r.ranges === undefined || r.scalar !== undefined || r.set !== undefined) {
        throw new InvalidResourceError(`Invalid ranges resource ${describe(r)}: expecting only 'ranges' to be set`);
      }
      const ranges = parseRanges(r);
      if (ranges.length === 0) return undefined;
      return new Entry(slotOf(shapeOf(r, 'RANGES'), role), 0, ranges, NO_ITEMS);
    }
    case 'SET': {
      if (r.set === undefined || r.scalar !== undefined || r.ranges !== undefined) {
        throw new InvalidResourceError(`Invalid set resource ${describe(r)}: expecting only 'set' to be set`);
      }
      const items = [...(r.set.item ?? [])].sort();
      for (let i = 1; i < items.length; i++) {
        if (items[i] === items[i - 1]) {
          throw new InvalidResourceError(`Invalid set resource ${describe(r)}: duplicate item '${items[i]}'`);
        }
      }
      if (items.length === 0) return undefined;
      return new Entry(slotOf(shapeOf(r, 'SET'), role), 0, NO_RANGES, items);
    }
    default:
      throw new InvalidResourceError(`Invalid resource ${describe(r)}: unsupported type '${String(r.type)}'`);
  }
}

function isEntryEmpty(e: Entry): boolean {
  switch (e.slot.shape.type) {
    case 'SCALAR':
      return e.milli === 0;
    case 'RANGES':
      return e.ranges.length === 0;
    case 'SET':
      return e.items.length === 0;
  }
}

function addSets(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

function setContains(a: readonly string[], b: readonly string[]): boolean {
  if (b.length > a.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export interface ToResourcesOptions {
  /** Pre-RESERVATION_REFINEMENT format: `role` ("*" when unreserved) plus `reservation`. */
  readonly legacyRole?: boolean;
  /** Without `allocation_info`: upstream strips it from offers to frameworks that are not MULTI_ROLE capable (MESOS-8237). */
  readonly withoutAllocationInfo?: boolean;
}

/** Scalar amounts as flat `[index, milli, index, milli, ...]` pairs, index from `scalarIndex`. */
export type ScalarPairs = readonly number[];

export class FrozenResourceBagError extends Error {
  readonly code = 'PACER_FROZEN_RESOURCE_BAG';
}

export class ResourceBag {
  private readonly entries = new Map<Slot, Entry>();
  /** Set by `freeze()`: the bag is shared (between offers, or an agent and its offers) and any
   * change is a bug, so mutators throw instead of silently altering every holder. */
  private frozen = false;
  private scalarPairsCache: number[] | undefined;
  private wireCache: (readonly Resource[])[] | undefined;

  static fromResources(list: readonly Resource[] | undefined): ResourceBag {
    const bag = new ResourceBag();
    for (const r of list ?? []) {
      const e = parseEntry(r);
      if (e !== undefined) bag.addEntry(e);
    }
    return bag;
  }

  /** Checks a resource list the way upstream `Resources::validate` would; returns the problem. */
  static validate(list: readonly Resource[] | undefined): string | undefined {
    try {
      ResourceBag.fromResources(list);
      return undefined;
    } catch (err) {
      if (err instanceof InvalidResourceError) return err.message;
      throw err;
    }
  }

  /** A mutable copy (also of a frozen bag). */
  clone(): ResourceBag {
    const bag = new ResourceBag();
    for (const [k, e] of this.entries) bag.entries.set(k, e.copy());
    return bag;
  }

  /** Makes the bag immutable so that it can be shared; returns it. */
  freeze(): this {
    this.frozen = true;
    return this;
  }

  get isFrozen(): boolean {
    return this.frozen;
  }

  private assertMutable(): void {
    if (this.frozen) throw new FrozenResourceBagError('a frozen ResourceBag is shared and must not change; clone it first');
  }

  /** Scalar amounts as `[index, milli, ...]` pairs; cached on frozen bags, which never change. */
  scalarPairs(): ScalarPairs {
    if (this.scalarPairsCache !== undefined) return this.scalarPairsCache;
    const pairs: number[] = [];
    for (const e of this.entries.values()) {
      const index = e.slot.shape.scalarIndex;
      if (index >= 0) pairs.push(index, e.milli);
    }
    if (this.frozen) this.scalarPairsCache = pairs;
    return pairs;
  }

  isEmpty(): boolean {
    return this.entries.size === 0;
  }

  private addEntry(e: Entry, slot: Slot = e.slot): void {
    this.assertMutable();
    const mine = this.entries.get(slot);
    if (mine === undefined) {
      this.entries.set(slot, e.copy(slot));
      return;
    }
    switch (slot.shape.type) {
      case 'SCALAR':
        mine.milli += e.milli;
        break;
      case 'RANGES':
        mine.ranges = addRanges(mine.ranges, e.ranges);
        break;
      case 'SET':
        mine.items = addSets(mine.items, e.items);
        break;
    }
  }

  add(other: ResourceBag): this {
    for (const e of other.entries.values()) this.addEntry(e);
    return this;
  }

  /** Removes `other`; the caller guarantees `this.contains(other)`. Amounts never go negative. */
  subtract(other: ResourceBag): this {
    this.assertMutable();
    for (const [key, e] of other.entries) {
      const mine = this.entries.get(key);
      if (mine === undefined) continue;
      switch (key.shape.type) {
        case 'SCALAR':
          mine.milli = Math.max(0, mine.milli - e.milli);
          break;
        case 'RANGES':
          mine.ranges = subtractRanges(mine.ranges, e.ranges);
          break;
        case 'SET': {
          const drop = new Set(e.items);
          mine.items = mine.items.filter((x) => !drop.has(x));
          break;
        }
      }
      if (isEntryEmpty(mine)) this.entries.delete(key);
    }
    return this;
  }

  contains(other: ResourceBag): boolean {
    for (const [key, e] of other.entries) {
      const mine = this.entries.get(key);
      if (mine === undefined) return false;
      switch (key.shape.type) {
        case 'SCALAR':
          if (mine.milli < e.milli) return false;
          break;
        case 'RANGES':
          if (!rangesContain(mine.ranges, e.ranges)) return false;
          break;
        case 'SET':
          if (!setContains(mine.items, e.items)) return false;
          break;
      }
    }
    return true;
  }

  /** True when a range or set resource of one bag shares a port/item with the other. */
  overlapsNonScalar(other: ResourceBag): boolean {
    for (const [key, e] of other.entries) {
      const mine = this.entries.get(key);
      if (mine === undefined) continue;
      if (key.shape.type === 'RANGES' && rangesOverlap(mine.ranges, e.ranges)) return true;
      if (key.shape.type === 'SET' && e.items.some((x) => mine.items.includes(x))) return true;
    }
    return false;
  }

  /** A copy with every resource allocated to `role` (or unallocated when undefined). */
  allocatedTo(role: string | undefined): ResourceBag {
    const bag = new ResourceBag();
    for (const e of this.entries.values()) bag.addEntry(e, slotOf(e.slot.shape, role));
    return bag;
  }

  /** The part a framework in `role` may be offered: unreserved resources and those reserved to
   * `role` or one of its ancestors (hierarchical roles). */
  usableBy(role: string): ResourceBag {
    const bag = new ResourceBag();
    for (const e of this.entries.values()) {
      const stack = e.slot.shape.reservations;
      if (stack.length === 0) {
        bag.addEntry(e);
        continue;
      }
      const owner = stack[stack.length - 1]!.role ?? '*';
      if (owner === role || role.startsWith(`${owner}/`)) bag.addEntry(e);
    }
    return bag;
  }

  /** The allocation role shared by every resource (`undefined` when unallocated or empty);
   * `null` when the bag mixes roles. */
  singleAllocationRole(): string | undefined | null {
    let first = true;
    let role: string | undefined;
    for (const e of this.entries.values()) {
      if (first) {
        role = e.slot.role;
        first = false;
      } else if (e.slot.role !== role) return null;
    }
    return role;
  }

  /** Splits the bag by allocation role (`undefined` for unallocated resources). */
  byAllocationRole(): Map<string | undefined, ResourceBag> {
    const out = new Map<string | undefined, ResourceBag>();
    for (const e of this.entries.values()) {
      let bag = out.get(e.slot.role);
      if (bag === undefined) {
        bag = new ResourceBag();
        out.set(e.slot.role, bag);
      }
      bag.addEntry(e);
    }
    return out;
  }

  hasReservations(): boolean {
    for (const e of this.entries.values()) if (e.slot.shape.reservations.length > 0) return true;
    return false;
  }

  /** The allocation roles present, `undefined` standing for resources without one. */
  allocationRoles(): Set<string | undefined> {
    const roles = new Set<string | undefined>();
    for (const e of this.entries.values()) roles.add(e.slot.role);
    return roles;
  }

  hasRevocable(): boolean {
    for (const e of this.entries.values()) if (e.slot.shape.revocable) return true;
    return false;
  }

  hasNonRevocable(): boolean {
    for (const e of this.entries.values()) if (!e.slot.shape.revocable) return true;
    return false;
  }

  /** Sum of a scalar resource across reservations and allocations, in thousandths. */
  scalarMilli(name: string): number {
    let total = 0;
    for (const e of this.entries.values()) {
      if (e.slot.shape.type === 'SCALAR' && e.slot.shape.name === name) total += e.milli;
    }
    return total;
  }

  hasName(name: string): boolean {
    for (const e of this.entries.values()) if (e.slot.shape.name === name) return true;
    return false;
  }

  /** Adds `sign` x every scalar quantity into `into` (name -> thousandths). */
  accumulateScalars(into: Map<string, number>, sign: 1 | -1): void {
    for (const e of this.entries.values()) {
      const { shape } = e.slot;
      if (shape.type !== 'SCALAR') continue;
      into.set(shape.name, (into.get(shape.name) ?? 0) + sign * e.milli);
    }
  }

  /** Calls `fn` with each scalar's name and amount in thousandths (one call per distinct resource). */
  forEachScalar(fn: (name: string, milli: number) => void): void {
    for (const e of this.entries.values()) if (e.slot.shape.type === 'SCALAR') fn(e.slot.shape.name, e.milli);
  }

  /** Upstream's default minimum to be worth offering: 0.01 cpus or 32 MB of memory. */
  meetsMinimumAllocatable(minCpusMilli: number, minMemMilli: number): boolean {
    if (this.entries.size === 0) return false;
    let cpus = 0;
    let mem = 0;
    for (const e of this.entries.values()) {
      const { shape } = e.slot;
      if (shape.type !== 'SCALAR') continue;
      if (shape.name === 'cpus') cpus += e.milli;
      else if (shape.name === 'mem') mem += e.milli;
    }
    return cpus >= minCpusMilli || mem >= minMemMilli;
  }

  /**
   * The wire form of a frozen bag, built once per format and deep-frozen so that the offers
   * sharing it cannot alter each other's; a fresh `toResources()` for a mutable bag.
   */
  sharedResources(options: ToResourcesOptions = {}): readonly Resource[] {
    if (!this.frozen) return this.toResources(options);
    const format = (options.legacyRole ? 1 : 0) + (options.withoutAllocationInfo ? 2 : 0);
    this.wireCache ??= [];
    let wire = this.wireCache[format];
    if (wire === undefined) {
      wire = deepFreeze(this.toResources(options));
      this.wireCache[format] = wire;
    }
    return wire;
  }

  toResources(options: ToResourcesOptions = {}): Resource[] {
    const out: Resource[] = [];
    for (const e of this.entries.values()) {
      const s = e.slot.shape;
      const r: Resource = { name: s.name, type: s.type };
      if (s.type === 'SCALAR') r.scalar = { value: e.milli / 1000 };
      else if (s.type === 'RANGES') {
        const range: ValueRange[] = [];
        for (let i = 0; i < e.ranges.length; i += 2) range.push({ begin: e.ranges[i]!, end: e.ranges[i + 1]! });
        r.ranges = { range };
      } else r.set = { item: [...e.items] };
      if (options.legacyRole) {
        const top = s.reservations[s.reservations.length - 1];
        r.role = top?.role ?? '*';
        if (top !== undefined && top.type === 'DYNAMIC') {
          r.reservation = {
            ...(top.principal !== undefined ? { principal: top.principal } : {}),
            ...(top.labels !== undefined ? { labels: top.labels } : {}),
          };
        }
      } else if (s.reservations.length > 0) {
        r.reservations = s.reservations.map((x) => ({ ...x }));
      }
      if (e.slot.role !== undefined && !options.withoutAllocationInfo) r.allocation_info = { role: e.slot.role };
      if (s.disk !== undefined) r.disk = s.disk;
      if (s.revocable) r.revocable = {};
      if (s.shared) r.shared = {};
      if (s.providerId !== undefined) r.provider_id = { value: s.providerId };
      out.push(r);
    }
    return out;
  }

  /** Upstream's textual form, e.g. `cpus(allocated: web):0.5; ports(allocated: web):[31000-31000]`. */
  /** A text equal for two bags exactly when they hold the same resources (for interning). */
  identityKey(): string {
    const parts: string[] = [];
    for (const e of this.entries.values()) parts.push(JSON.stringify([e.slot.shape.key, e.slot.role ?? null, e.milli, e.ranges, e.items]));
    return parts.join(',');
  }

  toString(): string {
    const parts: string[] = [];
    for (const e of this.entries.values()) {
      const s = e.slot.shape;
      let text = s.name;
      if (e.slot.role !== undefined) text += `(allocated: ${e.slot.role})`;
      if (s.reservations.length > 0) {
        const stack = s.reservations.map((x) => `(${x.type ?? 'STATIC'},${x.role ?? ''}${x.principal ? `,${x.principal}` : ''})`);
        text += `(reservations: [${stack.join(',')}])`;
      }
      if (s.disk?.persistence) text += `[${s.disk.persistence.id}]`;
      if (s.revocable) text += '{REV}';
      if (s.shared) text += '<SHARED>';
      text += ':';
      if (s.type === 'SCALAR') text += String(e.milli / 1000);
      else if (s.type === 'RANGES') text += formatRanges(e.ranges);
      else text += `{${e.items.join(', ')}}`;
      parts.push(text);
    }
    return parts.join('; ');
  }
}

/** Scalar quantities (name -> thousandths), the currency of DRF shares. */
export type ScalarQuantities = Map<string, number>;
