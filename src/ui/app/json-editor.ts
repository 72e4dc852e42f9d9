/// <reference lib="dom" />
/**
 * A plain textarea with line numbers and highlighted lines. Highlights are bands drawn behind
 * the (transparent-backed) textarea at the lines' offsets, so the text stays a native,
 * accessible, undo-able textarea.
 */
import { h, replaceChildren } from './dom.js';

export interface LineMark {
  line: number;
  /** Shown as a tooltip on the line number. */
  message: string;
}

export class JsonEditor {
  readonly element: HTMLDivElement;
  readonly textarea: HTMLTextAreaElement;
  private readonly gutter: HTMLDivElement;
  private readonly gutterInner: HTMLDivElement;
  private readonly bands: HTMLDivElement;
  private marks: LineMark[] = [];
  private lineCount = 0;

  constructor(id: string, label: string, onInput: () => void) {
    this.textarea = h('textarea', {
      id,
      class: 'code-input',
      wrap: 'off',
      spellcheck: 'false',
      autocapitalize: 'off',
      autocomplete: 'off',
      'aria-label': label,
      'aria-describedby': 'problems',
    });
    this.gutterInner = h('div', { class: 'gutter-inner' });
    this.gutter = h('div', { class: 'gutter', 'aria-hidden': 'true' }, this.gutterInner);
    this.bands = h('div', { class: 'bands', 'aria-hidden': 'true' });
    this.element = h('div', { class: 'editor' }, this.gutter, h('div', { class: 'editor-stack' }, this.bands, this.textarea));
    this.textarea.addEventListener('input', () => {
      this.renderGutter();
      onInput();
    });
    this.textarea.addEventListener('scroll', () => this.syncScroll());
    this.textarea.addEventListener('keydown', (e) => this.onKey(e));
  }

  get value(): string {
    return this.textarea.value;
  }

  set value(text: string) {
    this.textarea.value = text;
    this.renderGutter();
  }

  setMarks(marks: LineMark[]): void {
    this.marks = marks;
    this.textarea.setAttribute('aria-invalid', String(marks.length > 0));
    const byLine = new Map<number, string[]>();
    for (const m of marks) byLine.set(m.line, [...(byLine.get(m.line) ?? []), m.message]);
    replaceChildren(
      this.bands,
      ...[...byLine.keys()].map((line) => {
        const band = h('div', { class: 'band', 'data-line': line });
        band.style.top = `calc(var(--code-pad) + ${line - 1} * var(--code-lh))`;
        return band;
      }),
    );
    this.renderGutter(true);
    this.syncScroll();
  }

  /** Selects line `line` and scrolls it into view. */
  revealLine(line: number): void {
    const text = this.textarea.value;
    let start = 0;
    for (let i = 1; i < line && start >= 0; i++) start = text.indexOf('\n', start) + 1;
    if (start < 0) start = text.length;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    this.textarea.focus();
    this.textarea.setSelectionRange(start, end);
    const lh = parseFloat(getComputedStyle(this.textarea).lineHeight) || 20;
    this.textarea.scrollTop = Math.max(0, (line - 1) * lh - this.textarea.clientHeight / 3);
    this.syncScroll();
  }

  private renderGutter(force = false): void {
    const count = this.textarea.value.split('\n').length;
    if (count === this.lineCount && !force) return;
    this.lineCount = count;
    const marked = new Map(this.marks.map((m) => [m.line, m.message]));
    const numbers: HTMLDivElement[] = [];
    for (let i = 1; i <= count; i++) {
      const message = marked.get(i);
      numbers.push(h('div', { class: message === undefined ? 'ln' : 'ln marked', title: message }, i));
    }
    replaceChildren(this.gutterInner, ...numbers);
    this.syncScroll();
  }

  private syncScroll(): void {
    const y = this.textarea.scrollTop;
    this.gutterInner.style.transform = `translateY(${-y}px)`;
    this.bands.style.transform = `translateY(${-y}px)`;
  }

  /** Tab indents by two spaces instead of leaving the field; Escape then Tab still leaves it. */
  private onKey(e: KeyboardEvent): void {
    if (e.key !== 'Tab' || e.shiftKey || e.altKey || e.ctrlKey || e.metaKey || this.escapeArmed) {
      this.escapeArmed = e.key === 'Escape';
      return;
    }
    e.preventDefault();
    const { selectionStart: s, selectionEnd: end } = this.textarea;
    this.textarea.setRangeText('  ', s, end, 'end');
    this.textarea.dispatchEvent(new Event('input'));
  }

  private escapeArmed = false;
}
