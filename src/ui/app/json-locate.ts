/**
 * Maps Marathon validation paths (`/`, `/id`, `/healthChecks(0)/path`) to lines of the JSON
 * text the user typed, so a 422's details can be shown at the offending line. A small scanner
 * of our own walks the text and records where every member and element starts; it also reports
 * where the text stops being JSON, which the editor shows before anything is sent.
 */

export interface JsonSyntaxProblem {
  message: string;
  /** 1-based. */
  line: number;
  column: number;
}

export interface JsonLocations {
  /** Marathon-style path -> 1-based line of the member's key (or the element's first token). */
  lines: Map<string, number>;
  syntax?: JsonSyntaxProblem;
}

class ScanError extends Error {
  readonly code = 'PACER_JSON_SCAN';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ScanError';
  }
}

export function locateJsonPaths(text: string): JsonLocations {
  const lines = new Map<string, number>();
  const scanner = new Scanner(text, lines);
  try {
    scanner.skipSpace();
    lines.set('/', scanner.lineAt(scanner.pos));
    scanner.value('');
    scanner.skipSpace();
    if (scanner.pos < text.length) throw new ScanError('unexpected text after the JSON value', scanner.pos);
    return { lines };
  } catch (err) {
    if (!(err instanceof ScanError)) throw err;
    const { line, column } = scanner.lineAndColumn(err.offset);
    return { lines, syntax: { message: err.message, line, column } };
  }
}

export interface PathLine {
  line: number;
  /** False when only an ancestor of the path was found (e.g. a missing required field). */
  exact: boolean;
}

/** The line for `path`, falling back to its nearest ancestor present in the text. */
export function lineOfPath(locations: JsonLocations, path: string): PathLine | undefined {
  let current = normalisePath(path);
  let exact = true;
  for (;;) {
    const line = locations.lines.get(current);
    if (line !== undefined) return { line, exact };
    if (current === '/') return undefined;
    current = parentPath(current);
    exact = false;
  }
}

/** `cpus`, `/cpus/` and `/cpus` are one path; '' is the root. */
export function normalisePath(path: string): string {
  const trimmed = path.trim();
  if (trimmed === '' || trimmed === '/') return '/';
  const withSlash = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  return withSlash.endsWith('/') ? withSlash.slice(0, -1) : withSlash;
}

/** `/a(0)/b` → `/a(0)` → `/a` → `/`. */
export function parentPath(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('('));
  return cut <= 0 ? '/' : path.slice(0, cut);
}

class Scanner {
  pos = 0;
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly text: string,
    private readonly lines: Map<string, number>,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  lineAt(offset: number): number {
    return this.lineAndColumn(offset).line;
  }

  lineAndColumn(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }

  skipSpace(): void {
    while (this.pos < this.text.length && ' \t\r\n'.includes(this.text[this.pos]!)) this.pos++;
  }

  /** Scans one value whose path prefix is `path` ('' for the root). */
  value(path: string): void {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') this.object(path);
    else if (c === '[') this.array(path);
    else if (c === '"') this.string();
    else if (c !== undefined && /[-0-9]/.test(c)) this.number();
    else if (this.text.startsWith('true', this.pos)) this.pos += 4;
    else if (this.text.startsWith('false', this.pos)) this.pos += 5;
    else if (this.text.startsWith('null', this.pos)) this.pos += 4;
    else throw new ScanError(c === undefined ? 'the text ends where a value should be' : `unexpected ${describe(c)}`, this.pos);
  }

  private object(path: string): void {
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') throw new ScanError('expected a "quoted" member name', this.pos);
      const keyAt = this.pos;
      const key = this.string();
      const childPath = `${path}/${key}`;
      if (!this.lines.has(childPath)) this.lines.set(childPath, this.lineAt(keyAt));
      this.skipSpace();
      if (this.text[this.pos] !== ':') throw new ScanError('expected ":" after the member name', this.pos);
      this.pos++;
      this.value(childPath);
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        return;
      }
      throw new ScanError(c === undefined ? 'the text ends inside an object (missing "}")' : `expected "," or "}" but found ${describe(c)}`, this.pos);
    }
  }

  private array(path: string): void {
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (let index = 0; ; index++) {
      this.skipSpace();
      const childPath = `${path}(${index})`;
      if (!this.lines.has(childPath)) this.lines.set(childPath, this.lineAt(this.pos));
      this.value(childPath);
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return;
      }
      throw new ScanError(c === undefined ? 'the text ends inside an array (missing "]")' : `expected "," or "]" but found ${describe(c)}`, this.pos);
    }
  }

  /** Scans a string literal and returns its decoded value. */
  string(): string {
    const start = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n') throw new ScanError('unterminated string', start);
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\') {
        const e = this.text[this.pos + 1];
        if (e === 'u') {
          const hex = this.text.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new ScanError('bad \\u escape', this.pos);
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 6;
          continue;
        }
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e === undefined || simple[e] === undefined) throw new ScanError('bad escape in string', this.pos);
        out += simple[e];
        this.pos += 2;
        continue;
      }
      out += c;
      this.pos++;
    }
  }

  private number(): void {
    const match = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/.exec(this.text.slice(this.pos, this.pos + 64));
    if (match === null) throw new ScanError('malformed number', this.pos);
    this.pos += match[0].length;
  }
}

function describe(c: string): string {
  return c === '\n' ? 'a line break' : `"${c}"`;
}
