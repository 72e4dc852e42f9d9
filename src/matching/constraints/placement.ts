/**
 * Constraints that depend on where the app's instances already are (UNIQUE, MAX_PER, GROUP_BY,
 * CLUSTER without a value). Each keeps counts per field value, updated as instances are placed,
 * so a check is O(1) and never rescans tasks.
 */
import type { ParsedConstraint } from './parse.js';
import { MISSING_VALUE, type FieldDictionary } from './values.js';

/** CLUSTER anchored at a value no agent of the round has: nothing qualifies. */
const FOREIGN_ANCHOR = -2;

/** Operators as small integers: `allows` runs once per visited agent. */
const UNIQUE = 1;
const MAX_PER = 2;
const CLUSTER = 3;
const GROUP_BY = 4;
const OPERATOR_CODE: Partial<Record<ParsedConstraint['operator'], number>> = { UNIQUE, MAX_PER, CLUSTER, GROUP_BY };

export class PlacementCounter {
  readonly constraint: ParsedConstraint;
  readonly dictionary: FieldDictionary;
  readonly #counts: Int32Array;
  /** Distinct values holding at least one instance, agents without the field forming one group. */
  #groups = 0;
  #minCount = 0;
  /** #groupsWithCount[c] = number of groups holding exactly c instances. */
  readonly #groupsWithCount: number[] = [0];
  /** CLUSTER without value: value id of the first counted instance, -1 before any. */
  #clusterAnchor = -1;
  /** Value ids of the round's agents that hold at least one instance, in first-count order. */
  readonly countedValues: number[] = [];
  /** Counts of values only placed instances have (no agent of the round offers them). */
  #foreign: Map<string, number> | undefined;

  /** `counts` (zeroed, at least `dictionary.size` long) lets the round supply scratch memory. */
  readonly #operator: number;
  readonly #limit: number;

  constructor(constraint: ParsedConstraint, dictionary: FieldDictionary, counts?: Int32Array) {
    this.constraint = constraint;
    this.#operator = OPERATOR_CODE[constraint.operator] ?? 0;
    this.#limit = constraint.number ?? 0;
    this.dictionary = dictionary;
    this.#counts = counts ?? new Int32Array(dictionary.size);
  }

  /**
   * Count an instance placed before the round by its field value. Values no agent of the round
   * has are kept apart: UNIQUE and MAX_PER never ask about them, but they are groups for
   * GROUP_BY and may anchor CLUSTER.
   */
  addPlaced(value: string | undefined): void {
    const id = value === undefined ? MISSING_VALUE : this.dictionary.find(value);
    if (id !== undefined) {
      this.add(id);
      return;
    }
    if (this.#clusterAnchor === -1) this.#clusterAnchor = FOREIGN_ANCHOR;
    const foreign = (this.#foreign ??= new Map<string, number>());
    const before = foreign.get(value!) ?? 0;
    foreign.set(value!, before + 1);
    this.#count(before);
  }

  countOf(valueId: number): number {
    return this.#counts[valueId]!;
  }

  add(valueId: number): void {
    if (this.#clusterAnchor === -1) this.#clusterAnchor = valueId;
    const before = this.#counts[valueId]!;
    this.#counts[valueId] = before + 1;
    if (before === 0) this.countedValues.push(valueId);
    this.#count(before);
  }

  /** Histogram update for one group going from `before` to `before + 1` instances. */
  #count(before: number): void {
    const hist = this.#groupsWithCount;
    while (hist.length <= before + 1) hist.push(0);
    if (before === 0) {
      this.#groups++;
      this.#minCount = 1;
    } else {
      hist[before]!--;
      if (before === this.#minCount && hist[before] === 0) this.#minCount = before + 1;
    }
    hist[before + 1]!++;
  }

  /** Whether an agent whose field has `valueId` may take one more instance. */
  allows(valueId: number): boolean {
    if (valueId === MISSING_VALUE) return false;
    const count = this.#counts[valueId]!;
    switch (this.#operator) {
      case UNIQUE:
        return count === 0;
      case MAX_PER:
        return count < this.#limit;
      case CLUSTER:
        return this.#clusterAnchor === -1 || this.#clusterAnchor === valueId;
      case GROUP_BY:
        // Marathon 1.10 semantics (docs/constraints.md): a value not used yet is always fine;
        // a used one only once the desired number of groups exists and it is among the smallest.
        return count === 0 || (this.#groups >= this.#limit && count === this.#minCount);
      default:
        return true;
    }
  }

  /**
   * Whether every value this counter refuses is MISSING_VALUE or in `countedValues` (true unless
   * MAX_PER allows none or CLUSTER is anchored), so refusals can be listed without a full scan.
   */
  get refusalsAreSparse(): boolean {
    switch (this.constraint.operator) {
      case 'MAX_PER':
        return this.constraint.number! >= 1;
      case 'CLUSTER':
        return this.#clusterAnchor === -1;
      default:
        return true;
    }
  }

  /** A refusal that later placements in the same round can lift (only GROUP_BY). */
  get refusalIsTemporary(): boolean {
    return this.constraint.operator === 'GROUP_BY';
  }
}
