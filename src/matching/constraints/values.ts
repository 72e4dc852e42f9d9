/**
 * Constraint field values: how Marathon turns an agent's hostname, fault domain or attribute
 * into the string that constraints compare, and a per-round dictionary that numbers those
 * strings so placement counters are typed arrays instead of string maps.
 */
import type { MatchOffer, MesosAttribute, PlacedInstance } from '../types.js';

/** Java `DecimalFormat("0.###")`: at most three decimals, HALF_EVEN on the exact binary value. */
export function formatDecimal3(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  const negative = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  let digits: string;
  if (!Number.isFinite(a)) digits = '\u221e';
  else if (a >= 1e21) digits = BigInt(a).toString();
  else {
    const sixteenths = a * 16;
    // a·1000 ends in exactly .5 only when a·16 is an odd integer; toFixed would round that up.
    if (Number.isInteger(sixteenths) && sixteenths % 2 === 1) {
      const floor = Math.floor(a * 1000);
      const even = floor % 2 === 0 ? floor : floor + 1;
      digits = stripZeros((even / 1000).toFixed(3));
    } else {
      digits = stripZeros(a.toFixed(3));
    }
  }
  return negative ? `-${digits}` : digits;
}

function stripZeros(fixed: string): string {
  if (!fixed.includes('.')) return fixed;
  return fixed.replace(/0+$/, '').replace(/\.$/, '');
}

/** Mesos attribute formatting used by Marathon: TEXT as is, SCALAR `0.###`, `[b-e,…]`, `{a,b}`. */
export function formatAttribute(attribute: MesosAttribute): string {
  switch (attribute.type) {
    case 'TEXT':
      return attribute.text?.value ?? '';
    case 'SCALAR':
      return formatDecimal3(attribute.scalar?.value ?? 0);
    case 'RANGES': {
      const ranges = [...(attribute.ranges?.range ?? [])].sort((x, y) => x.begin - y.begin);
      return `[${ranges.map((r) => `${r.begin}-${r.end}`).join(',')}]`;
    }
    case 'SET':
      return `{${[...(attribute.set?.item ?? [])].sort().join(',')}}`;
  }
}

const SCALAR_LIKE = /^[0-9]+(\.[0-9]+)?$/;

/** The value an IS constraint compares with: scalars are normalized the way attributes are. */
export function normalizeIsValue(value: string): string {
  return SCALAR_LIKE.test(value) ? formatDecimal3(Number.parseFloat(value)) : value;
}

export function isHostnameField(field: string): boolean {
  return field === 'hostname' || field === '@hostname';
}

function attributeValue(attributes: readonly MesosAttribute[] | undefined, field: string): string | undefined {
  if (!attributes) return undefined;
  for (const a of attributes) if (a.name === field) return formatAttribute(a);
  return undefined;
}

export function offerFieldValue(offer: MatchOffer, field: string): string | undefined {
  if (isHostnameField(field)) return offer.hostname;
  if (field === '@region') return offer.domain?.fault_domain?.region?.name;
  if (field === '@zone') return offer.domain?.fault_domain?.zone?.name;
  return attributeValue(offer.attributes, field);
}

export function placedFieldValue(placed: PlacedInstance, field: string): string | undefined {
  if (isHostnameField(field)) return placed.hostname;
  if (field === '@region') return placed.region;
  if (field === '@zone') return placed.zone;
  return attributeValue(placed.attributes, field);
}

/** Value id 0 means "the agent has no such field". */
export const MISSING_VALUE = 0;

/** Numbers the distinct values of one field in this round. */
export class FieldDictionary {
  readonly field: string;
  /** Value id per agent group. */
  readonly agentValues: Int32Array;
  readonly strings: (string | undefined)[] = [undefined];
  readonly #ids = new Map<string, number>();
  #byValue: { readonly offsets: Int32Array; readonly list: Int32Array } | undefined;

  constructor(field: string, agentOffers: readonly MatchOffer[]) {
    this.field = field;
    this.agentValues = new Int32Array(agentOffers.length);
    for (let g = 0; g < agentOffers.length; g++) {
      this.agentValues[g] = this.idOf(offerFieldValue(agentOffers[g]!, field));
    }
  }

  idOf(value: string | undefined): number {
    if (value === undefined) return MISSING_VALUE;
    let id = this.#ids.get(value);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(value);
      this.#ids.set(value, id);
    }
    return id;
  }

  /** Agent groups by value id: those with value v are `list[offsets[v] .. offsets[v + 1])`. */
  groupsByValue(): { readonly offsets: Int32Array; readonly list: Int32Array } {
    if (this.#byValue) return this.#byValue;
    const offsets = new Int32Array(this.size + 1);
    for (let g = 0; g < this.agentValues.length; g++) offsets[this.agentValues[g]! + 1]!++;
    for (let v = 0; v < this.size; v++) offsets[v + 1]! += offsets[v]!;
    const next = offsets.slice(0, this.size);
    const list = new Int32Array(this.agentValues.length);
    for (let g = 0; g < this.agentValues.length; g++) list[next[this.agentValues[g]!]!++] = g;
    this.#byValue = { offsets, list };
    return this.#byValue;
  }

  /** Id of a value already numbered, else undefined (never adds). */
  find(value: string): number | undefined {
    return this.#ids.get(value);
  }

  get size(): number {
    return this.strings.length;
  }
}
