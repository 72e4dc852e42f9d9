/**
 * Constraints that depend on where the app's instances already are (UNIQUE, MAX_PER, GROUP_BY,
 * CLUSTER without a value). Each keeps counts per field value, updated as instances are placed,
 * so a check is O(1) and never rescans tasks.
 */
import type { ParsedConstraint } from './parse.js';
import { MISSING_VALUE, type FieldDictionary } from './values.js';

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

  constructor(constraint: ParsedConstraint, dictionary: FieldDictionary) {
    this.constraint = constraint;
    this.dictionary = dictionary;
    this.#counts = new Int32Array(dictionary.size);
  }

  countOf(valueId: number): number {
    return this.#counts[valueId]!;
  }

  add(valueId: number): void {
    if (this.#clusterAnchor < 0) this.#clusterAnchor = valueId;
    const before = this.#counts[valueId]!;
    this.#counts[valueId] = before + 1;
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
    switch (this.constraint.operator) {
      case 'UNIQUE':
        return count === 0;
      case 'MAX_PER':
        return count < this.constraint.number!;
      case 'CLUSTER':
        return this.#clusterAnchor < 0 || this.#clusterAnchor === valueId;
      case 'GROUP_BY':
        // Marathon 1.10 semantics (docs/constraints.md): a value not used yet is always fine;
        // a used one only once the desired number of groups exists and it is among the smallest.
        return count === 0 || (this.#groups >= this.constraint.number! && count === this.#minCount);
      default:
        return true;
    }
  }

  /** A refusal that later placements in the same round can lift (only GROUP_BY). */
  get refusalIsTemporary(): boolean {
    return this.constraint.operator === 'GROUP_BY';
  }
}
