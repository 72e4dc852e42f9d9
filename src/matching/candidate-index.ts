/**
 * Agents ordered by how much they have left, for one class of requests. Agents sit in one of
 * BUCKETS buckets by remaining cpus+mem (higher bucket = more left), each bucket an intrusive
 * doubly linked list, with a bitmap of non-empty buckets. Insert, remove and move are O(1);
 * finding the next non-empty bucket is a scan of BUCKETS/32 words at most. binpack walks from
 * the lowest bucket up (least left that still fits), spread from the highest down.
 *
 * An index may be split into partitions (one per value of a GROUP_BY field) so a request can
 * look only at the values its balance allows.
 */

import type { ScratchPool } from './scratch.js';

export const BUCKETS = 256;
const WORDS = BUCKETS / 32;

export class CandidateIndex {
  readonly partitions: number;
  /** Partition of each agent group, or null for a single partition. */
  readonly partitionOf: Int32Array | null;
  readonly #prev: Int32Array;
  readonly #next: Int32Array;
  readonly #bucketOf: Int32Array;
  readonly #head: Int32Array;
  readonly #tail: Int32Array;
  readonly #bits: Uint32Array;
  size = 0;

  constructor(groupCount: number, partitionOf: Int32Array | null = null, partitions = 1, pool?: ScratchPool) {
    this.partitions = partitions;
    this.partitionOf = partitionOf;
    const int32 = (n: number) => (pool ? pool.int32(n) : new Int32Array(n));
    this.#prev = int32(groupCount);
    this.#next = int32(groupCount);
    this.#bucketOf = int32(groupCount).fill(-1);
    this.#head = int32(partitions * BUCKETS).fill(-1);
    this.#tail = int32(partitions * BUCKETS).fill(-1);
    this.#bits = pool ? pool.uint32(partitions * WORDS) : new Uint32Array(partitions * WORDS);
  }

  has(g: number): boolean {
    return this.#bucketOf[g]! >= 0;
  }

  insert(g: number, bucket: number): void {
    const p = this.partitionOf ? this.partitionOf[g]! : 0;
    const slot = p * BUCKETS + bucket;
    const tail = this.#tail[slot]!;
    this.#prev[g] = tail;
    this.#next[g] = -1;
    if (tail >= 0) this.#next[tail] = g;
    else {
      this.#head[slot] = g;
      this.#bits[p * WORDS + (bucket >> 5)]! |= 1 << (bucket & 31);
    }
    this.#tail[slot] = g;
    this.#bucketOf[g] = bucket;
    this.size++;
  }

  remove(g: number): void {
    const bucket = this.#bucketOf[g]!;
    if (bucket < 0) return;
    const p = this.partitionOf ? this.partitionOf[g]! : 0;
    const slot = p * BUCKETS + bucket;
    const prev = this.#prev[g]!;
    const next = this.#next[g]!;
    if (prev >= 0) this.#next[prev] = next;
    else this.#head[slot] = next;
    if (next >= 0) this.#prev[next] = prev;
    else this.#tail[slot] = prev;
    if (this.#head[slot]! < 0) this.#bits[p * WORDS + (bucket >> 5)]! &= ~(1 << (bucket & 31));
    this.#bucketOf[g] = -1;
    this.size--;
  }

  /** Re-rank an agent whose remaining resources changed; no-op if it is not in this index. */
  move(g: number, bucket: number): void {
    const current = this.#bucketOf[g]!;
    if (current < 0 || current === bucket) return;
    this.remove(g);
    this.insert(g, bucket);
  }

  first(partition: number, bucket: number): number {
    return this.#head[partition * BUCKETS + bucket]!;
  }

  next(g: number): number {
    return this.#next[g]!;
  }

  /** Lowest non-empty bucket ≥ from in the partition, or -1. */
  bucketAtOrAbove(partition: number, from: number): number {
    if (from >= BUCKETS) return -1;
    const base = partition * WORDS;
    let w = from >> 5;
    let word = this.#bits[base + w]! & (~0 << (from & 31));
    while (word === 0) {
      if (++w >= WORDS) return -1;
      word = this.#bits[base + w]!;
    }
    return (w << 5) + (31 - Math.clz32(word & -word));
  }

  /** Highest non-empty bucket ≤ from in the partition, or -1. */
  bucketAtOrBelow(partition: number, from: number): number {
    if (from < 0) return -1;
    const base = partition * WORDS;
    let w = from >> 5;
    const shift = 31 - (from & 31);
    let word = shift === 0 ? this.#bits[base + w]! : this.#bits[base + w]! & (~0 >>> shift);
    while (word === 0) {
      if (--w < 0) return -1;
      word = this.#bits[base + w]!;
    }
    return (w << 5) + (31 - Math.clz32(word));
  }
}
