/**
 * Plain-text tables: a header row, columns two spaces apart, numbers right-aligned. Given a
 * width (a terminal), the widest columns are cut with '…' until the table fits; without one
 * (a pipe) nothing is cut, so scripts always see whole ids.
 */

export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** Never cut below this many characters (default 6). */
  minWidth?: number;
}

const GAP = '  ';

function length(s: string): number {
  return [...s].length;
}

function cut(s: string, width: number): string {
  const chars = [...s];
  return chars.length <= width ? s : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

function pad(s: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - length(s)));
  return align === 'right' ? fill + s : s + fill;
}

export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], maxWidth?: number): string {
  const cells = rows.map((r) => columns.map((_, i) => (r[i] ?? '').replace(/[\r\n\t]+/g, ' ')));
  const widths = columns.map((c, i) => Math.max(length(c.header), ...cells.map((r) => length(r[i]!))));
  if (maxWidth !== undefined) {
    const total = (): number => widths.reduce((a, b) => a + b, 0) + GAP.length * (columns.length - 1);
    while (total() > maxWidth) {
      let widest = -1;
      for (let i = 0; i < widths.length; i++) {
        const floor = Math.max(columns[i]!.minWidth ?? 6, length(columns[i]!.header));
        if (widths[i]! > floor && (widest === -1 || widths[i]! > widths[widest]!)) widest = i;
      }
      if (widest === -1) break;
      widths[widest] = widths[widest]! - 1;
    }
  }
  const line = (r: readonly string[]): string =>
    columns
      .map((c, i) => {
        const text = cut(r[i]!, widths[i]!);
        // No trailing blanks after the last column.
        return i === columns.length - 1 && c.align !== 'right' ? text : pad(text, widths[i]!, c.align ?? 'left');
      })
      .join(GAP)
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}
