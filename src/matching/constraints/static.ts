/**
 * Constraints that depend only on the agent (LIKE, UNLIKE, IS, CLUSTER with a value). Their
 * verdict per agent is fixed for the round, so it is computed once per agent and cached.
 */
import type { ParsedConstraint } from './parse.js';

/** Marathon: an agent without the field satisfies only UNLIKE. LIKE is a full match. */
export function staticConstraintHolds(c: ParsedConstraint, value: string | undefined): boolean {
  if (value === undefined) return c.operator === 'UNLIKE';
  switch (c.operator) {
    case 'LIKE':
      return c.regex!.test(value);
    case 'UNLIKE':
      return !c.regex!.test(value);
    case 'IS':
      return value === c.isValue;
    case 'CLUSTER':
      return value === c.value;
    default:
      throw new TypeError(`${c.operator} is not a static constraint`);
  }
}
