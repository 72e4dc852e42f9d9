/// <reference lib="dom" />
/**
 * A table that only keeps the rows near the viewport in the DOM (rows have a fixed height), so
 * 1,000 apps or 10,000 tasks cost the same as 40. Rows are keyed: a row that stays visible
 * keeps its element and its cells are updated in place. Clicks are handled by the caller with
 * one delegated listener on `element`.
 */
import { h, setAttr } from './dom.js';

export interface Column<T> {
  header: string;
  className?: string;
  /** Fills or updates a cell; called for visible rows on every render, so it must be cheap. */
  render(cell: HTMLTableCellElement, row: T): void;
}

export interface VirtualTableOptions<T> {
  label: string;
  columns: Column<T>[];
  keyOf(row: T): string;
  rowHeight: number;
  emptyText: string;
  /** Extra rows rendered above and below the viewport. */
  overscan?: number;
}

export class VirtualTable<T> {
  readonly element: HTMLDivElement;
  private readonly table: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;
  private readonly topSpacer: HTMLTableRowElement;
  private readonly bottomSpacer: HTMLTableRowElement;
  /** Shown instead of the table while there are no rows; its content is the caller's to change. */
  readonly empty: HTMLParagraphElement;
  private rows: readonly T[] = [];
  private readonly rendered = new Map<string, HTMLTableRowElement>();

  constructor(private readonly opts: VirtualTableOptions<T>) {
    const head = h('thead', null, h('tr', null, ...opts.columns.map((c) => h('th', { scope: 'col', class: c.className }, c.header))));
    this.topSpacer = spacer(opts.columns.length);
    this.bottomSpacer = spacer(opts.columns.length);
    this.body = h('tbody', null, this.topSpacer, this.bottomSpacer);
    this.table = h('table', { class: 'grid', 'aria-label': opts.label }, head, this.body);
    this.empty = h('p', { class: 'empty', hidden: true }, opts.emptyText);
    this.element = h('div', { class: 'grid-wrap' }, this.table, this.empty);
  }

  setRows(rows: readonly T[]): void {
    this.rows = rows;
  }

  get rowCount(): number {
    return this.rows.length;
  }

  render(): void {
    const { rowHeight } = this.opts;
    const overscan = this.opts.overscan ?? 10;
    const total = this.rows.length;
    this.empty.hidden = total > 0;
    this.table.hidden = total === 0;
    setAttr(this.table, 'aria-rowcount', String(total + 1));

    // Rows start below the header; find which ones are inside the window's viewport.
    const bodyTop = this.body.getBoundingClientRect().top;
    const first = Math.max(0, Math.floor(-bodyTop / rowHeight) - overscan);
    const visible = Math.ceil(window.innerHeight / rowHeight) + 2 * overscan;
    const last = Math.min(total, first + visible);

    const wanted = new Map<string, T>();
    for (let i = first; i < last; i++) wanted.set(this.opts.keyOf(this.rows[i]!), this.rows[i]!);
    for (const [key, tr] of this.rendered) {
      if (!wanted.has(key)) {
        tr.remove();
        this.rendered.delete(key);
      }
    }

    let cursor: ChildNode = this.topSpacer;
    let index = first;
    for (const [key, row] of wanted) {
      let tr = this.rendered.get(key);
      if (tr === undefined) {
        tr = h('tr', { 'data-key': key }, ...this.opts.columns.map((c) => h('td', { class: c.className })));
        this.rendered.set(key, tr);
      }
      if (cursor.nextSibling !== tr) cursor.after(tr);
      setAttr(tr, 'aria-rowindex', String(index + 2));
      this.opts.columns.forEach((c, i) => c.render(tr.cells[i]!, row));
      cursor = tr;
      index++;
    }
    this.topSpacer.style.height = `${first * rowHeight}px`;
    this.bottomSpacer.style.height = `${(total - last) * rowHeight}px`;
  }
}

function spacer(columns: number): HTMLTableRowElement {
  return h('tr', { class: 'spacer', 'aria-hidden': 'true' }, h('td', { colspan: columns }));
}
