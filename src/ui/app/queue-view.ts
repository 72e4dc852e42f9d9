/// <reference lib="dom" />
/**
 * `#/queue`: every app and pod with instances waiting to launch, how many and since when, its
 * launch backoff (with "Reset delay"), and why it waits: the offer checks that declined the last
 * offers (InsufficientCpus, UnfulfilledConstraint, …) as Pacer's matcher counted them. Offer
 * statistics change with every offer but emit no event, so main.ts re-reads the queue while
 * this page is open.
 */
import type { MarathonClient } from './api.js';
import { fill } from './cells.js';
import { notify, setBusy } from './dialogs.js';
import { appHref, h, podHref, replaceChildren, setText } from './dom.js';
import { ago, countdown, humaniseReason } from './format.js';
import type { QueueEntry, RejectionCount } from './marathon-types.js';
import { describeError, type Store } from './store.js';
import { delayLeft } from './waiting-panel.js';

export interface QueuedRunSpec {
  id: string;
  kind: 'app' | 'pod';
}

export function queuedRunSpec(entry: QueueEntry): QueuedRunSpec | undefined {
  if (entry.pod?.id !== undefined) return { id: entry.pod.id, kind: 'pod' };
  if (entry.app?.id !== undefined) return { id: entry.app.id, kind: 'app' };
  return undefined;
}

export interface DeclineReason {
  reason: string;
  /** Over the last offers (Marathon's rejectSummaryLastOffers). */
  declined: number;
  processed: number;
  /** Over the whole launch attempt (rejectSummaryLaunchAttempt). */
  declinedInAttempt: number;
}

/** The offer checks that declined anything, most-declining (over the last offers) first. */
export function declineReasons(entry: QueueEntry): DeclineReason[] {
  const summary = entry.processedOffersSummary ?? {};
  const last = summary.rejectSummaryLastOffers ?? [];
  const attempt = summary.rejectSummaryLaunchAttempt ?? [];
  const find = (list: RejectionCount[], reason: string): RejectionCount | undefined => list.find((c) => c.reason === reason);
  const reasons = [...new Set([...last, ...attempt].map((c) => c.reason))];
  return reasons
    .map((reason) => ({
      reason,
      declined: find(last, reason)?.declined ?? 0,
      processed: find(last, reason)?.processed ?? 0,
      declinedInAttempt: find(attempt, reason)?.declined ?? 0,
    }))
    .filter((r) => r.declined > 0 || r.declinedInAttempt > 0)
    .sort((a, b) => b.declined - a.declined || b.declinedInAttempt - a.declinedInAttempt);
}

interface Row {
  element: HTMLTableRowElement;
  count: HTMLTableCellElement;
  since: HTMLTableCellElement;
  delay: HTMLTableCellElement;
  offers: HTMLTableCellElement;
  why: HTMLTableCellElement;
  reset: HTMLButtonElement;
  spec: QueuedRunSpec;
  entry: QueueEntry;
}

export class QueueView {
  readonly element: HTMLElement;
  private readonly summary: HTMLParagraphElement;
  private readonly problem: HTMLDivElement;
  private readonly empty: HTMLParagraphElement;
  private readonly table: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;
  private readonly rows = new Map<string, Row>();

  constructor(
    private readonly store: Store,
    private readonly api: MarathonClient,
  ) {
    this.summary = h('p', { class: 'summary', 'aria-live': 'polite' }, 'Loading…');
    this.problem = h('div', { class: 'problem', role: 'alert', hidden: true });
    this.empty = h('p', { class: 'panel empty dq-empty', hidden: true }, 'Nothing is waiting to launch.');
    this.body = h('tbody');
    const headers = ['Application or pod', 'Waiting', 'Since', 'Launch delay', 'Offers unused', 'Why it waits', ''];
    const classes = ['col-id', 'col-num', 'col-time', 'dq-col-delay', 'col-num dq-col-offers', 'dq-col-why', 'dq-col-act'];
    this.table = h(
      'table',
      { class: 'grid queue-table', 'aria-labelledby': 'queue-title', hidden: true },
      h('thead', null, h('tr', null, ...headers.map((t, i) => h('th', { scope: 'col', class: classes[i] }, t)))),
      this.body,
    );
    this.element = h(
      'section',
      { class: 'view queue-view', 'aria-labelledby': 'queue-title' },
      h('div', { class: 'view-head' }, h('h1', { id: 'queue-title' }, 'Launch queue')),
      h('div', { class: 'toolbar' }, this.summary),
      this.problem,
      this.empty,
      h('div', { class: 'panel dq-table-panel' }, this.table),
    );
  }

  /** Whether a backoff countdown is running (then the page re-renders every second). */
  get counting(): boolean {
    return this.store.queue.some((e) => delayLeft(e, this.store.fetchedAt, Date.now()) > 0);
  }

  render(): void {
    const loaded = this.store.listLoaded;
    const error = this.store.listError;
    this.problem.hidden = error === undefined;
    if (error !== undefined) fill(this.problem, error, () => [h('strong', null, 'Cannot load the launch queue. '), error]);
    const entries = this.store.queue
      .flatMap((entry) => {
        const spec = queuedRunSpec(entry);
        return spec === undefined ? [] : [{ spec, entry }];
      })
      .sort((a, b) => a.spec.id.localeCompare(b.spec.id));
    this.empty.hidden = !loaded || entries.length > 0;
    this.table.hidden = entries.length === 0;
    const waiting = entries.reduce((n, e) => n + (e.entry.count ?? 0), 0);
    setText(
      this.summary,
      !loaded
        ? 'Loading…'
        : entries.length === 0
          ? ''
          : `${waiting} ${waiting === 1 ? 'instance' : 'instances'} of ${entries.length} ${entries.length === 1 ? 'run spec' : 'run specs'} waiting to launch`,
    );

    const now = Date.now();
    const seen = new Set<string>();
    const ordered: HTMLTableRowElement[] = [];
    for (const { spec, entry } of entries) {
      const key = `${spec.kind}:${spec.id}`;
      seen.add(key);
      let row = this.rows.get(key);
      if (row === undefined) {
        row = this.createRow(spec, entry);
        this.rows.set(key, row);
      }
      row.entry = entry;
      this.updateRow(row, now);
      ordered.push(row.element);
    }
    for (const [key, row] of this.rows) {
      if (seen.has(key)) continue;
      row.element.remove();
      this.rows.delete(key);
    }
    const current = Array.from(this.body.children);
    if (current.length !== ordered.length || ordered.some((el, i) => current[i] !== el)) replaceChildren(this.body, ...ordered);
  }

  private createRow(spec: QueuedRunSpec, entry: QueueEntry): Row {
    const cell = (cls?: string): HTMLTableCellElement => h('td', { class: cls });
    const reset = h('button', { type: 'button', class: 'btn small', 'aria-label': `Reset delay of ${spec.id}` }, 'Reset delay');
    const row: Row = {
      element: h('tr', { 'data-queue-id': spec.id, 'data-kind': spec.kind }),
      count: cell('col-num dq-count'),
      since: cell('col-time'),
      delay: cell('dq-delay'),
      offers: cell('col-num dq-offers'),
      why: cell('dq-why'),
      reset,
      spec,
      entry,
    };
    const link = h(
      'a',
      { href: spec.kind === 'pod' ? podHref(spec.id) : appHref(spec.id), class: 'app-link', title: spec.id },
      spec.id,
      spec.kind === 'pod' ? h('span', { class: 'muted' }, ' (pod)') : null,
    );
    row.element.append(h('td', { class: 'col-id' }, link), row.count, row.since, row.delay, row.offers, row.why, h('td', { class: 'dq-col-act' }, reset));
    reset.addEventListener('click', () => void this.resetDelay(row));
    return row;
  }

  private updateRow(row: Row, now: number): void {
    const e = row.entry;
    setText(row.count, String(e.count ?? 0));
    fill(row.since, `${e.since ?? ''}/${Math.floor(now / 10_000)}`, () => (e.since === undefined ? '–' : h('span', { title: e.since }, ago(e.since, now))));
    const left = delayLeft(e, this.store.fetchedAt, now);
    const delayState = left > 0 ? 'backoff' : e.delay?.overdue === true ? 'overdue' : 'none';
    row.element.dataset.delay = delayState;
    fill(row.delay, `${delayState}/${Math.ceil(left)}`, () =>
      left > 0
        ? h(
            'span',
            { class: 'badge status-delayed', title: 'Backing off after failed launches' },
            h('span', { class: 'dot', 'aria-hidden': 'true' }),
            `${countdown(left)} left`,
          )
        : h('span', { class: 'muted', title: 'No backoff: launches as soon as an offer fits' }, delayState === 'overdue' ? 'none (overdue)' : 'none'),
    );
    // Nothing to reset without a running backoff; the button stays busy-disabled while a reset runs.
    if (row.reset.getAttribute('aria-busy') !== 'true') row.reset.disabled = left <= 0;
    row.reset.title = left > 0 ? 'End the backoff now' : 'No backoff running';
    const summary = e.processedOffersSummary ?? {};
    fill(row.offers, `${summary.processedOffersCount ?? 0}/${summary.unusedOffersCount ?? 0}`, () =>
      h(
        'span',
        { title: `${summary.processedOffersCount ?? 0} offers processed, ${summary.unusedOffersCount ?? 0} of them unused` },
        `${summary.unusedOffersCount ?? 0} of ${summary.processedOffersCount ?? 0}`,
      ),
    );
    const reasons = declineReasons(e);
    fill(row.why, JSON.stringify([reasons, delayState]), () => {
      if (reasons.length === 0) {
        return h('span', { class: 'muted' }, delayState === 'backoff' ? 'Backing off after failed launches' : 'No offer declined yet');
      }
      return h(
        'ul',
        { class: 'dq-reasons' },
        ...reasons.map((r) =>
          h(
            'li',
            { 'data-reason': r.reason },
            h('strong', null, humaniseReason(r.reason)),
            h('span', { class: 'muted' }, r.processed > 0 ? ` · ${r.declined} of ${r.processed} last offers` : ` · ${r.declinedInAttempt} offers this attempt`),
            h('span', { class: 'reason-code' }, r.reason),
          ),
        ),
      );
    });
  }

  private async resetDelay(row: Row): Promise<void> {
    const { id } = row.spec;
    setBusy(row.reset, true);
    try {
      await this.api.resetDelay(id);
      notify('ok', `Launch delay of ${id} reset: it launches with the next offer that fits.`);
    } catch (err) {
      notify('error', `Resetting the delay of ${id} failed: ${describeError(err)}`);
    } finally {
      setBusy(row.reset, false);
    }
    await this.store.refreshNow();
  }
}
