/**
 * Range arithmetic of the embedded master: the union of two normalized lists against a
 * brute-force union of the integers they cover, over many random lists (seeded).
 */
import { describe, expect, it } from 'vitest';
import { addRanges, normalizeRanges, type FlatRanges } from '../../../src/local/master/ranges.js';

/** Park–Miller: the same lists every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

function randomRanges(next: () => number): FlatRanges {
  const pairs: Array<[number, number]> = [];
  const count = Math.floor(next() * 5);
  for (let i = 0; i < count; i++) {
    const begin = Math.floor(next() * 60);
    pairs.push([begin, begin + Math.floor(next() * 6)]);
  }
  return normalizeRanges(pairs);
}

function covered(r: FlatRanges): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < r.length; i += 2) for (let v = r[i]!; v <= r[i + 1]!; v++) out.add(v);
  return out;
}

function fromCovered(values: Set<number>): number[] {
  return normalizeRanges([...values].map((v) => [v, v] as [number, number]));
}

describe('addRanges', () => {
  it('is the union of what both lists cover, normalized (adjacent intervals merged)', () => {
    const next = random(17);
    for (let n = 0; n < 2_000; n++) {
      const a = randomRanges(next);
      const b = randomRanges(next);
      const expected = fromCovered(new Set([...covered(a), ...covered(b)]));
      expect([...addRanges(a, b)], `${JSON.stringify(a)} + ${JSON.stringify(b)}`).toEqual(expected);
    }
  });

  it('merges intervals that only touch', () => {
    expect([...addRanges([1, 2], [3, 4])]).toEqual([1, 4]);
    expect([...addRanges([3, 4, 10, 12], [1, 2, 5, 9])]).toEqual([1, 12]);
  });

  it('returns the first list itself when the second adds nothing to it', () => {
    const a = normalizeRanges([[31000, 32000]]);
    expect(addRanges(a, [31005, 31005])).toBe(a);
    expect(addRanges(a, [])).toBe(a);
    expect(addRanges(a, [31000, 32001])).not.toBe(a);
  });
});
