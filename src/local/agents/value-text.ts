import type { ValueRange } from '../../mesos/types.js';

/**
 * A value written the way Mesos agent flags write them: `2.5` (scalar), `[31000-32000,33000-33010]`
 * (ranges), `{a,b}` (set), anything else is text. Follows the classification rules of upstream's
 * values parsing (src/common/values.cpp): spaces are dropped, a negative or non-finite number is
 * text, not a scalar.
 */
export type ParsedValue =
  { type: 'SCALAR'; scalar: number } | { type: 'RANGES'; ranges: ValueRange[] } | { type: 'SET'; items: string[] } | { type: 'TEXT'; text: string };

export class ValueTextError extends Error {
  readonly code = 'PACER_INVALID_VALUE_TEXT';
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_NEGATIVE_INTEGER = /^\d+$/;
const SMALLEST_NORMAL_DOUBLE = 2.2250738585072014e-308;

export function parseValueText(text: string): ParsedValue {
  const compact = text.replaceAll(' ', '');
  if (compact.length === 0) throw new ValueTextError('Expecting non-empty string');
  if (!bracketsBalanced(compact, '{', '}') || !bracketsBalanced(compact, '[', ']') || !bracketsBalanced(compact, '(', ')')) {
    throw new ValueTextError(`Mismatched brackets in '${text}'`);
  }

  const square = compact.indexOf('[');
  if (square === 0) return { type: 'RANGES', ranges: parseRanges(compact) };
  if (square > 0) throw new ValueTextError(`Unexpected '[' found in '${text}'`);

  const curly = compact.indexOf('{');
  if (curly === 0) return { type: 'SET', items: tokenize(compact, '{},\n') };
  if (curly > 0) throw new ValueTextError(`Unexpected '{' found in '${text}'`);

  if (DECIMAL.test(compact)) {
    const scalar = Number(compact);
    if (scalar !== 0 && Math.abs(scalar) < SMALLEST_NORMAL_DOUBLE) {
      throw new ValueTextError(`Subnormal values not supported: '${text}'`);
    }
    if (Number.isFinite(scalar) && scalar >= 0) return { type: 'SCALAR', scalar };
  }
  return { type: 'TEXT', text: compact };
}

function parseRanges(compact: string): ValueRange[] {
  const tokens = tokenize(compact, '[]-,\n');
  if (tokens.length % 2 !== 0) throw new ValueTextError(`Expecting one or more "ranges" in '${compact}'`);
  const ranges: ValueRange[] = [];
  for (let i = 0; i < tokens.length; i += 2) {
    const begin = tokens[i]!;
    const end = tokens[i + 1]!;
    if (!NON_NEGATIVE_INTEGER.test(begin) || !NON_NEGATIVE_INTEGER.test(end)) {
      throw new ValueTextError(`Expecting non-negative integers in '${compact}'`);
    }
    ranges.push({ begin: Number(begin), end: Number(end) });
  }
  return coalesceRanges(ranges);
}

/** Sorts and merges overlapping or adjacent ranges, as upstream does after parsing. */
export function coalesceRanges(ranges: readonly ValueRange[]): ValueRange[] {
  const sorted = ranges.filter((r) => r.begin <= r.end).sort((a, b) => a.begin - b.begin);
  const inverted = ranges.filter((r) => r.begin > r.end);
  const merged: ValueRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && range.begin <= last.end + 1) {
      last.end = Math.max(last.end, range.end);
    } else {
      merged.push({ begin: range.begin, end: range.end });
    }
  }
  // Inverted ranges are kept so that resource validation can reject them with a clear message.
  return [...merged, ...inverted];
}

/** Splits on any of `delimiters`, dropping empty tokens (stout's strings::tokenize). */
export function tokenize(text: string, delimiters: string): string[] {
  const tokens: string[] = [];
  let current = '';
  for (const ch of text) {
    if (delimiters.includes(ch)) {
      if (current.length > 0) tokens.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.length > 0) tokens.push(current);
  return tokens;
}

function bracketsBalanced(text: string, open: string, close: string): boolean {
  let depth = 0;
  for (const ch of text) {
    if (ch === open) depth += 1;
    else if (ch === close) {
      depth -= 1;
      if (depth < 0) return false;
    }
  }
  return depth === 0;
}
