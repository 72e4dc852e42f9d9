/**
 * Range sets as flat sorted arrays `[b0, e0, b1, e1, …]` of inclusive, disjoint, non-adjacent
 * intervals (Mesos ranges are inclusive). Ports are never expanded into per-port arrays.
 */

export type RangeSet = number[];

/** Spare slots in a new range set: the splits of a typical round before its storage must grow. */
const SPLIT_ROOM = 16;

/** Sort and merge arbitrary (possibly overlapping or adjacent) intervals. */
export function normalizeRanges(ranges: readonly { readonly begin: number; readonly end: number }[]): RangeSet {
  // Agents usually send sorted, disjoint ranges: copy them without sorting.
  let ordered = true;
  for (let i = 0; i < ranges.length && ordered; i++) {
    const r = ranges[i]!;
    ordered = r.end >= r.begin && (i === 0 || r.begin > ranges[i - 1]!.end + 1);
  }
  if (ordered) {
    // Sized up front, with room for a few interval splits as ports are taken: growing by push
    // would copy the backing store several times. (Shortening `length` keeps the capacity.)
    const out: RangeSet = new Array<number>(ranges.length * 2 + SPLIT_ROOM);
    for (let i = 0; i < ranges.length; i++) {
      out[2 * i] = ranges[i]!.begin;
      out[2 * i + 1] = ranges[i]!.end;
    }
    out.length = ranges.length * 2;
    return out;
  }
  const sorted = ranges
    .filter((r) => r.end >= r.begin)
    .map((r) => [r.begin, r.end] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: RangeSet = [];
  for (const [b, e] of sorted) {
    const last = out.length - 1;
    if (last > 0 && b <= out[last]! + 1) {
      if (e > out[last]!) out[last] = e;
    } else {
      out.push(b, e);
    }
  }
  return out;
}

export function rangeCount(set: RangeSet): number {
  let n = 0;
  for (let i = 0; i < set.length; i += 2) n += set[i + 1]! - set[i]! + 1;
  return n;
}

/** Index (even) of the interval holding `value`, or -1. Binary search. */
export function findInterval(set: RangeSet, value: number): number {
  let lo = 0;
  let hi = set.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = set[mid * 2]!;
    const e = set[mid * 2 + 1]!;
    if (value < b) hi = mid - 1;
    else if (value > e) lo = mid + 1;
    else return mid * 2;
  }
  return -1;
}

export function rangeContains(set: RangeSet, value: number): boolean {
  return findInterval(set, value) >= 0;
}

/** Remove one value in place (splitting its interval); false if it was not in the set. */
export function removeValue(set: RangeSet, value: number): boolean {
  const i = findInterval(set, value);
  if (i < 0) return false;
  const b = set[i]!;
  const e = set[i + 1]!;
  if (b === e) {
    // Shift left over the emptied interval (splice would allocate the removed part).
    for (let k = i + 2; k < set.length; k++) set[k - 2] = set[k]!;
    set.length -= 2;
  } else if (value === b) set[i] = b + 1;
  else if (value === e) set[i + 1] = e - 1;
  else {
    // Split: make room for one more interval after this one.
    set.push(0, 0);
    for (let k = set.length - 1; k >= i + 4; k--) set[k] = set[k - 2]!;
    set[i + 1] = value - 1;
    set[i + 2] = value + 1;
    set[i + 3] = e;
  }
  return true;
}

/** Add one value in place, merging with neighbours. */
export function addValue(set: RangeSet, value: number): void {
  // Position of the first interval that begins after value.
  let pos = 0;
  while (pos < set.length && set[pos]! <= value) pos += 2;
  const prevEnd = pos > 0 ? set[pos - 1]! : Number.NEGATIVE_INFINITY;
  if (prevEnd >= value) return;
  const joinsPrev = prevEnd === value - 1;
  const joinsNext = pos < set.length && set[pos]! === value + 1;
  if (joinsPrev && joinsNext) set.splice(pos - 1, 2);
  else if (joinsPrev) set[pos - 1] = value;
  else if (joinsNext) set[pos] = value;
  else set.splice(pos, 0, value, value);
}

/** `a` minus `b`, both normalized; returns a new set. */
export function subtractRanges(a: RangeSet, b: RangeSet): RangeSet {
  const out: RangeSet = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let begin = a[i]!;
    const end = a[i + 1]!;
    while (j < b.length && b[j + 1]! < begin) j += 2;
    let k = j;
    while (begin <= end && k < b.length && b[k]! <= end) {
      if (b[k]! > begin) out.push(begin, b[k]! - 1);
      begin = Math.max(begin, b[k + 1]! + 1);
      k += 2;
    }
    if (begin <= end) out.push(begin, end);
  }
  return out;
}

/** Build a normalized set from single values in any order. */
export function rangesFromValues(values: readonly number[]): RangeSet {
  const sorted = values.length > 1 ? [...values].sort((a, b) => a - b) : values;
  const out: RangeSet = [];
  for (const v of sorted) {
    const last = out.length - 1;
    if (last > 0 && v <= out[last]! + 1) {
      if (v > out[last]!) out[last] = v;
    } else out.push(v, v);
  }
  return out;
}

export function toMesosRanges(set: RangeSet): { begin: number; end: number }[] {
  const out: { begin: number; end: number }[] = [];
  for (let i = 0; i < set.length; i += 2) out.push({ begin: set[i]!, end: set[i + 1]! });
  return out;
}

/** The value at `offset` counting through all intervals in order (0 ≤ offset < rangeCount). */
export function valueAt(set: RangeSet, offset: number): number {
  let rest = offset;
  for (let i = 0; i < set.length; i += 2) {
    const size = set[i + 1]! - set[i]! + 1;
    if (rest < size) return set[i]! + rest;
    rest -= size;
  }
  throw new RangeError(`offset ${offset} beyond range set`);
}
