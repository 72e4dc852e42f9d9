/**
 * Exact arithmetic on inclusive integer intervals, kept as flat sorted arrays
 * `[b0, e0, b1, e1, ...]` with no overlapping or adjacent intervals (adjacent ones are merged,
 * as upstream coalesces `[1-2],[3-4]` into `[1-4]`).
 */
export type FlatRanges = readonly number[];

export function normalizeRanges(pairs: readonly (readonly [number, number])[]): number[] {
  if (pairs.length === 0) return [];
  const sorted = [...pairs].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: number[] = [sorted[0]![0], sorted[0]![1]];
  for (let i = 1; i < sorted.length; i++) {
    const [b, e] = sorted[i]!;
    const last = out.length - 1;
    if (b <= out[last]! + 1) {
      if (e > out[last]!) out[last] = e;
    } else {
      out.push(b, e);
    }
  }
  return out;
}

/**
 * The union of two normalized lists, merged in one pass. When `b` adds nothing, `a` itself is
 * returned: summing the ports of 100,000 tasks (a framework's used resources, per render of
 * /master/state) then allocates nothing once the union has them all.
 */
export function addRanges(a: FlatRanges, b: FlatRanges): FlatRanges {
  if (b.length === 0 || rangesContain(a, b)) return a;
  if (a.length === 0) return b;
  const out: number[] = [];
  const append = (begin: number, end: number): void => {
    const last = out.length - 1;
    if (last > 0 && begin <= out[last]! + 1) {
      if (end > out[last]!) out[last] = end;
    } else {
      out.push(begin, end);
    }
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) {
      append(a[i]!, a[i + 1]!);
      i += 2;
    } else {
      append(b[j]!, b[j + 1]!);
      j += 2;
    }
  }
  return out;
}

/** True when every interval of `b` lies inside `a`. Both are normalized, so each interval of
 * `b` must fit inside a single interval of `a`. */
export function rangesContain(a: FlatRanges, b: FlatRanges): boolean {
  let i = 0;
  for (let j = 0; j < b.length; j += 2) {
    const begin = b[j]!;
    const end = b[j + 1]!;
    while (i < a.length && a[i + 1]! < begin) i += 2;
    if (i >= a.length || a[i]! > begin || a[i + 1]! < end) return false;
  }
  return true;
}

export function subtractRanges(a: FlatRanges, b: FlatRanges): number[] {
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let begin = a[i]!;
    const end = a[i + 1]!;
    while (j < b.length && b[j + 1]! < begin) j += 2;
    let k = j;
    while (k < b.length && b[k]! <= end && begin <= end) {
      if (b[k]! > begin) out.push(begin, b[k]! - 1);
      begin = Math.max(begin, b[k + 1]! + 1);
      k += 2;
    }
    if (begin <= end) out.push(begin, end);
  }
  return out;
}

export function rangesOverlap(a: FlatRanges, b: FlatRanges): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i + 1]! < b[j]!) i += 2;
    else if (b[j + 1]! < a[i]!) j += 2;
    else return true;
  }
  return false;
}

export function formatRanges(r: FlatRanges): string {
  const parts: string[] = [];
  for (let i = 0; i < r.length; i += 2) parts.push(`${r[i]}-${r[i + 1]}`);
  return `[${parts.join(', ')}]`;
}
