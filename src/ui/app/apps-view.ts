/// <reference lib="dom" />
/** The apps overview: a filterable, virtualised table of every app, then the pods. */
import { fill, healthSummary, progressText, statusBadge } from './cells.js';
import { appHref, h, setText } from './dom.js';
import { formatCpus, formatMem } from './format.js';
import { PodsList } from './pods-list.js';
import { healthCounts, matchesFilter } from './status.js';
import type { AppRow, Store } from './store.js';
import { VirtualTable } from './virtual-table.js';

export class AppsView {
  readonly element: HTMLElement;
  private readonly table: VirtualTable<AppRow>;
  private readonly filterInput: HTMLInputElement;
  private readonly summary: HTMLParagraphElement;
  private readonly problem: HTMLDivElement;
  private readonly pods: PodsList;
  private filter = '';

  constructor(
    private readonly store: Store,
    requestRender: () => void,
  ) {
    this.table = new VirtualTable<AppRow>({
      label: 'Applications',
      rowHeight: 44,
      emptyText: 'No applications match.',
      keyOf: (r) => r.app.id,
      columns: [
        {
          header: 'Application',
          className: 'col-id',
          render: (cell, r) => fill(cell, r.app.id, () => h('a', { href: appHref(r.app.id), class: 'app-link', title: r.app.id }, r.app.id)),
        },
        { header: 'Status', className: 'col-status', render: (cell, r) => fill(cell, r.status, () => statusBadge(r.status)) },
        {
          header: 'Running',
          className: 'col-num',
          render: (cell, r) => setText(cell, `${r.app.tasksRunning ?? 0} / ${r.app.instances ?? 0}`),
        },
        {
          header: 'Health',
          className: 'col-health',
          render: (cell, r) => {
            const c = healthCounts(r.app);
            fill(cell, `${c.healthy}/${c.unhealthy}/${c.unknown}/${c.staged}/${r.app.instances}`, () => healthSummary(c, r.app.instances ?? 0));
          },
        },
        { header: 'CPUs', className: 'col-num', render: (cell, r) => setText(cell, formatCpus(r.app.cpus)) },
        { header: 'Memory', className: 'col-num', render: (cell, r) => setText(cell, formatMem(r.app.mem)) },
        {
          header: 'Deployment',
          className: 'col-deploy',
          render: (cell, r) => {
            const p = r.progress;
            fill(cell, p === undefined ? '' : `${p.currentStep}/${p.totalSteps}`, () => (p === undefined ? '' : progressText(p.currentStep, p.totalSteps)));
          },
        },
      ],
    });
    this.filterInput = h('input', {
      type: 'search',
      id: 'app-filter',
      placeholder: 'Filter by id or status…  (press / to focus)',
      'aria-label': 'Filter applications',
      autocomplete: 'off',
      spellcheck: 'false',
    });
    this.filterInput.addEventListener('input', () => {
      this.filter = this.filterInput.value;
      requestRender();
    });
    this.summary = h('p', { class: 'summary', 'aria-live': 'polite' });
    this.problem = h('div', { class: 'problem', role: 'alert', hidden: true });
    this.pods = new PodsList(store);
    this.element = h(
      'section',
      { class: 'view apps-view', 'aria-labelledby': 'apps-title' },
      h('div', { class: 'view-head' }, h('h1', { id: 'apps-title' }, 'Applications'), h('a', { class: 'btn primary', href: '#/new' }, 'Create application')),
      h('div', { class: 'toolbar' }, this.filterInput, this.summary),
      this.problem,
      this.table.element,
      this.pods.element,
    );
  }

  focusFilter(): void {
    this.filterInput.focus();
  }

  render(): void {
    const rows: AppRow[] = [];
    const counts = new Map<string, number>();
    for (const id of this.store.order) {
      const row = this.store.rows.get(id)!;
      counts.set(row.status, (counts.get(row.status) ?? 0) + 1);
      if (matchesFilter(row.app, row.status, this.filter)) rows.push(row);
    }
    this.table.setRows(rows);
    this.table.render();
    this.pods.render();
    const total = this.store.order.length;
    const breakdown = [...counts].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', ');
    setText(
      this.summary,
      !this.store.listLoaded
        ? 'Loading…'
        : `${rows.length === total ? total : `${rows.length} of ${total}`} ${total === 1 ? 'app' : 'apps'}${breakdown ? ` — ${breakdown}` : ''}`,
    );
    this.problem.hidden = this.store.listError === undefined;
    const error = this.store.listError;
    if (error !== undefined) fill(this.problem, error, () => [h('strong', null, 'Cannot load applications. '), error]);
  }
}
