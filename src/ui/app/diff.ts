/**
 * Line diff by longest common subsequence, for comparing two pretty-printed app versions.
 * Common leading and trailing lines are peeled off first, so the quadratic table only covers
 * the region that actually changed (app JSON differs in a few lines).
 */

export type DiffOp = 'same' | 'added' | 'removed';

export interface DiffLine {
  op: DiffOp;
  text: string;
  /** 1-based line numbers in the old and new text (absent for added / removed lines). */
  oldLine?: number;
  newLine?: number;
}

export class DiffTooLargeError extends Error {
  readonly code = 'PACER_DIFF_TOO_LARGE';
  constructor(cells: number) {
    super(`the changed region needs ${cells} table cells, more than the diff allows`);
    this.name = 'DiffTooLargeError';
  }
}

/** Upper bound on LCS table cells (Uint32, so 4M cells = 16 MB). */
const MAX_CELLS = 4_000_000;

export function diffLines(oldText: string, newText: string): DiffLine[] {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }

  const out: DiffLine[] = [];
  for (let i = 0; i < start; i++) out.push({ op: 'same', text: a[i]!, oldLine: i + 1, newLine: i + 1 });
  middle(a, b, start, endA, start, endB, out);
  for (let i = endA, j = endB; i < a.length; i++, j++) {
    out.push({ op: 'same', text: a[i]!, oldLine: i + 1, newLine: j + 1 });
  }
  return out;
}

function middle(a: string[], b: string[], a0: number, a1: number, b0: number, b1: number, out: DiffLine[]): void {
  const n = a1 - a0;
  const m = b1 - b0;
  const cells = (n + 1) * (m + 1);
  if (cells > MAX_CELLS) throw new DiffTooLargeError(cells);
  // lcs[i][j] = LCS length of a[a0+i..a1) and b[b0+j..b1), row-major in one typed array.
  const width = m + 1;
  const lcs = new Uint32Array(cells);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] = a[a0 + i] === b[b0 + j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[a0 + i] === b[b0 + j]) {
      out.push({ op: 'same', text: a[a0 + i]!, oldLine: a0 + i + 1, newLine: b0 + j + 1 });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
      // Removals first on ties, so a changed line reads as "- old" then "+ new".
      out.push({ op: 'removed', text: a[a0 + i]!, oldLine: a0 + i + 1 });
      i++;
    } else {
      out.push({ op: 'added', text: b[b0 + j]!, newLine: b0 + j + 1 });
      j++;
    }
  }
}

/** Keeps changed lines and `context` lines around them; runs of hidden lines become one marker. */
export function withContext(lines: readonly DiffLine[], context: number): Array<DiffLine | { op: 'skip'; count: number }> {
  const keep = new Uint8Array(lines.length);
  lines.forEach((line, idx) => {
    if (line.op === 'same') return;
    for (let k = Math.max(0, idx - context); k <= Math.min(lines.length - 1, idx + context); k++) keep[k] = 1;
  });
  const out: Array<DiffLine | { op: 'skip'; count: number }> = [];
  let skipped = 0;
  lines.forEach((line, idx) => {
    if (keep[idx] === 1) {
      if (skipped > 0) out.push({ op: 'skip', count: skipped });
      skipped = 0;
      out.push(line);
    } else skipped++;
  });
  if (skipped > 0) out.push({ op: 'skip', count: skipped });
  return out;
}
