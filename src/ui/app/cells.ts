/// <reference lib="dom" />
/** Cell contents shared by the tables: rebuilt only when what they show has changed. */
import { h, replaceChildren, type Child } from './dom.js';
import type { HealthCounts, AppStatus } from './status.js';

const signatures = new WeakMap<Element, string>();

/** Rebuilds `cell` from `build()` only when `signature` differs from the last one. */
export function fill(cell: Element, signature: string, build: () => Child | Child[]): void {
  if (signatures.get(cell) === signature) return;
  signatures.set(cell, signature);
  const built = build();
  replaceChildren(cell, ...(Array.isArray(built) ? built : [built]));
}

export function statusBadge(status: AppStatus): HTMLSpanElement {
  return h('span', { class: `badge status-${status.toLowerCase()}` }, h('span', { class: 'dot', 'aria-hidden': 'true' }), status);
}

export function healthSummary(counts: HealthCounts, target: number): HTMLSpanElement {
  if (target === 0 && counts.healthy + counts.unhealthy + counts.unknown + counts.staged === 0) {
    return h('span', { class: 'health health-none', 'aria-label': 'no tasks' }, '—');
  }
  const label = `${counts.healthy} healthy, ${counts.unhealthy} unhealthy, ${counts.unknown} unknown`;
  const total = Math.max(target, counts.healthy + counts.unhealthy + counts.unknown + counts.staged, 1);
  const segment = (cls: string, n: number): HTMLSpanElement | null => {
    if (n <= 0) return null;
    const s = h('span', { class: cls });
    s.style.width = `${(100 * n) / total}%`;
    return s;
  };
  return h(
    'span',
    { class: 'health', title: label, 'aria-label': label },
    h(
      'span',
      { class: 'bar', 'aria-hidden': 'true' },
      segment('seg-ok', counts.healthy),
      segment('seg-bad', counts.unhealthy),
      segment('seg-unknown', counts.unknown),
      segment('seg-staged', counts.staged),
    ),
    h(
      'span',
      { class: 'health-counts', 'aria-hidden': 'true' },
      h('span', { class: 'n-ok' }, String(counts.healthy)),
      h('span', { class: 'n-bad' }, String(counts.unhealthy)),
      h('span', { class: 'n-unknown' }, String(counts.unknown)),
    ),
  );
}

export function progressText(current: number, total: number): HTMLSpanElement {
  const p = h('span', { class: 'progress' }, h('progress', { max: Math.max(total, 1), value: current, 'aria-hidden': 'true' }), ` step ${current}/${total}`);
  return p;
}
