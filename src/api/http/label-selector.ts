/**
 * Marathon's label selector for `GET /v2/apps?label=…` (api/v2/LabelSelector.scala):
 *
 *   query    := selector {"," selector}
 *   selector := term ("in"|"notin") "(" [term {"," term}] ")" | term ("=="|"!=") term | term
 *   term     := one or more of [-A-Za-z0-9_.] or a backslash-escaped character
 *
 * Whitespace between tokens is ignored. A selector matches only apps that have the label.
 * A query that does not parse is refused with 422 `Can not parse label selector …`.
 */
import { unprocessable, type HttpError } from './errors.js';

export interface LabelRequirement {
  key: string;
  op: 'exists' | '==' | '!=' | 'in' | 'notin';
  values: string[];
}

export class LabelSelectorSyntaxError extends Error {
  readonly code = 'PACER_LABEL_SELECTOR';
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`Can not parse label selector ${input}. Reason: ${reason}`);
    this.name = 'LabelSelectorSyntaxError';
  }

  toHttpError(): HttpError {
    return unprocessable(this.message);
  }
}

const TERM = /(?:\\.|[-A-Za-z0-9_.])+/y;

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  term(): string | undefined {
    this.skipSpace();
    TERM.lastIndex = this.pos;
    const m = TERM.exec(this.text);
    if (m === null) return undefined;
    this.pos += m[0].length;
    return m[0].replace(/\\(.)/g, '$1');
  }

  literal(...options: string[]): string | undefined {
    this.skipSpace();
    const hit = options.find((o) => this.text.startsWith(o, this.pos));
    if (hit !== undefined) this.pos += hit.length;
    return hit;
  }

  get atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  describeHere(): string {
    return this.atEnd ? 'end of input' : `'${this.text[this.pos]}' at position ${this.pos}`;
  }
}

function setSelector(c: Cursor): LabelRequirement | undefined {
  const key = c.term();
  if (key === undefined) return undefined;
  const op = c.literal('notin', 'in');
  if (op === undefined || c.literal('(') === undefined) return undefined;
  const values: string[] = [];
  const first = c.term();
  if (first !== undefined) {
    values.push(first);
    while (c.literal(',') !== undefined) {
      const next = c.term();
      if (next === undefined) return undefined;
      values.push(next);
    }
  }
  if (c.literal(')') === undefined) return undefined;
  return { key, op: op as 'in' | 'notin', values };
}

function equalitySelector(c: Cursor): LabelRequirement | undefined {
  const key = c.term();
  if (key === undefined) return undefined;
  const op = c.literal('==', '!=');
  if (op === undefined) return undefined;
  const value = c.term();
  if (value === undefined) return undefined;
  return { key, op: op as '==' | '!=', values: [value] };
}

function existenceSelector(c: Cursor): LabelRequirement | undefined {
  const key = c.term();
  return key === undefined ? undefined : { key, op: 'exists', values: [] };
}

/** First alternative that parses wins, as in Scala's `|` combinator. */
function selector(c: Cursor): LabelRequirement | undefined {
  for (const alternative of [setSelector, equalitySelector, existenceSelector]) {
    const start = c.pos;
    const found = alternative(c);
    if (found !== undefined) return found;
    c.pos = start;
  }
  return undefined;
}

export function parseLabelSelector(input: string): LabelRequirement[] {
  const c = new Cursor(input);
  const out: LabelRequirement[] = [];
  if (c.atEnd) return out;
  for (;;) {
    const found = selector(c);
    if (found === undefined) throw new LabelSelectorSyntaxError(input, `expected a label selector, found ${c.describeHere()}`);
    out.push(found);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- selector() advanced the cursor
    if (c.atEnd) return out;
    if (c.literal(',') === undefined) throw new LabelSelectorSyntaxError(input, `expected ',' or end of input, found ${c.describeHere()}`);
  }
}

export function matchesLabels(requirements: readonly LabelRequirement[], labels: Readonly<Record<string, string>>): boolean {
  return requirements.every((r) => {
    if (!Object.prototype.hasOwnProperty.call(labels, r.key)) return false;
    const value = labels[r.key]!;
    switch (r.op) {
      case 'exists':
        return true;
      case '==':
        return value === r.values[0];
      case '!=':
        return value !== r.values[0];
      case 'in':
        return r.values.includes(value);
      case 'notin':
        return !r.values.includes(value);
    }
  });
}
