/**
 * Marathon constraint arrays → typed constraints, with Marathon's validation rules and
 * messages (SchedulingValidation). Errors are returned as values so one bad app cannot stop a round.
 */
import { MatchingInputError } from '../errors.js';
import { normalizeIsValue } from './values.js';

export const OPERATORS = ['UNIQUE', 'CLUSTER', 'GROUP_BY', 'LIKE', 'UNLIKE', 'MAX_PER', 'IS'] as const;
export type ConstraintOperator = (typeof OPERATORS)[number];

export interface ParsedConstraint {
  readonly field: string;
  readonly operator: ConstraintOperator;
  /** The value as written ('' when absent). */
  readonly value: string;
  /** LIKE/UNLIKE: the value compiled as a full-match regex (Java `String.matches`). */
  readonly regex?: RegExp;
  /** MAX_PER limit, GROUP_BY desired group count (0 when absent). */
  readonly number?: number;
  /** IS: the value after Marathon's scalar normalization. */
  readonly isValue?: string;
}

const IS_VALUE = /^[a-zA-Z0-9_/.-]*$/;
const INTEGER = /^[+-]?[0-9]+$/;
const JAVA_INT_MAX = 2147483647;

function fail(index: number, message: string): MatchingInputError {
  return new MatchingInputError('PACER_MATCH_BAD_CONSTRAINT', `constraints[${index}]`, message);
}

function parseJavaInt(text: string): number | undefined {
  if (!INTEGER.test(text)) return undefined;
  const n = Number(text);
  return n >= -JAVA_INT_MAX - 1 && n <= JAVA_INT_MAX ? n : undefined;
}

/** Parse one constraint; `index` is only used in the error path. */
export function parseConstraint(raw: readonly unknown[], index: number): ParsedConstraint | MatchingInputError {
  if (!Array.isArray(raw) || (raw.length !== 2 && raw.length !== 3)) {
    return fail(index, 'Each constraint must have either 2 or 3 fields');
  }
  if (!raw.every((part) => typeof part === 'string')) return fail(index, 'Constraint fields must be strings');
  const [field, rawOperator, value = ''] = raw;
  if (!field) return fail(index, 'illegal constraint specification');
  const operator = rawOperator!.toUpperCase() as ConstraintOperator;
  if (!OPERATORS.includes(operator)) {
    return fail(index, 'operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS');
  }
  switch (operator) {
    case 'UNIQUE':
      if (value !== '') return fail(index, 'UNIQUE does not accept a value');
      return { field, operator, value };
    case 'CLUSTER':
      return { field, operator, value };
    case 'GROUP_BY': {
      if (value === '') return { field, operator, value, number: 0 };
      const n = value === 'inf' ? JAVA_INT_MAX : parseJavaInt(value);
      if (n === undefined) return fail(index, 'GROUP BY must define an integer value or else no value at all');
      return { field, operator, value, number: Math.max(0, n) };
    }
    case 'MAX_PER': {
      const n = parseJavaInt(value);
      if (n === undefined) return fail(index, 'MAX_PER requires an integer value');
      return { field, operator, value, number: n };
    }
    case 'LIKE':
    case 'UNLIKE': {
      if (value === '') return fail(index, 'LIKE and UNLIKE require a non-empty, regular expression value');
      try {
        return { field, operator, value, regex: new RegExp(`^(?:${value})$`) };
      } catch {
        return fail(index, `'${value}' is not a valid regular expression`);
      }
    }
    case 'IS':
      if (!IS_VALUE.test(value)) {
        return fail(index, 'IS only supports Mesos text and float values (see http://mesos.apache.org/documentation/latest/attributes-resources/)');
      }
      return { field, operator, value, isValue: normalizeIsValue(value) };
  }
}

/** Parse a constraint list; duplicates collapse as in Marathon, which stores a set. */
/**
 * Parsed lists by the list they came from. Run specs are immutable, and the offer path prepares
 * every waiting app's request in every round: one parse per list is enough.
 */
const parsedLists = new WeakMap<object, readonly ParsedConstraint[]>();

export function parseConstraints(raw: readonly (readonly unknown[])[] | undefined): readonly ParsedConstraint[] | MatchingInputError {
  if (raw === undefined) return [];
  const known = parsedLists.get(raw);
  if (known !== undefined) return known;
  const parsed = parseConstraintList(raw);
  if (!(parsed instanceof MatchingInputError)) parsedLists.set(raw, parsed);
  return parsed;
}

function parseConstraintList(raw: readonly (readonly unknown[])[]): ParsedConstraint[] | MatchingInputError {
  const out: ParsedConstraint[] = [];
  const seen = new Set<string>();
  for (const [i, c] of raw.entries()) {
    const parsed = parseConstraint(c, i);
    if (parsed instanceof MatchingInputError) return parsed;
    const key = `${parsed.field}\u0000${parsed.operator}\u0000${parsed.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(parsed);
  }
  return out;
}

/** Operators whose verdict depends only on the agent, never on where instances already are. */
export function isStaticConstraint(c: ParsedConstraint): boolean {
  return c.operator === 'LIKE' || c.operator === 'UNLIKE' || c.operator === 'IS' || (c.operator === 'CLUSTER' && c.value !== '');
}

/**
 * Whether matching needs to know where the app's instances already are (UNIQUE, MAX_PER,
 * GROUP_BY, CLUSTER without a value). Constraints that do not parse count as needing it, so the
 * matcher, not this shortcut, reports them.
 */
export function needsPlacedInstances(raw: readonly (readonly unknown[])[] | undefined): boolean {
  if (raw === undefined || raw.length === 0) return false;
  const parsed = parseConstraints(raw);
  return parsed instanceof MatchingInputError || parsed.some((c) => !isStaticConstraint(c));
}
