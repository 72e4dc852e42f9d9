/// <reference lib="dom" />
/**
 * "Why is it waiting?": the launch queue entry of one app, as an operator wants to read it —
 * which offer checks failed how often, how long the backoff still runs, and the last offers
 * that did not fit.
 */
import { h } from './dom.js';
import { ago, countdown, humaniseReason } from './format.js';
import type { QueueEntry, RejectionCount, UnusedOffer } from './marathon-types.js';

/** Seconds of backoff left now, given the value fetched at `fetchedAt`. */
export function delayLeft(entry: QueueEntry, fetchedAt: number, now: number): number {
  const delay = entry.delay;
  if (delay === undefined || delay.overdue) return 0;
  return Math.max(0, delay.timeLeftSeconds - (now - fetchedAt) / 1000);
}

export function waitingPanel(entry: QueueEntry, fetchedAt: number, now: number): HTMLElement {
  const summary = entry.processedOffersSummary ?? {};
  const left = delayLeft(entry, fetchedAt, now);
  const headline =
    left > 0
      ? h(
          'p',
          { class: 'wait-headline delayed' },
          'Backing off after failures: next launch attempt in ',
          h('strong', { class: 'countdown', 'data-countdown': '' }, countdown(left)),
          '.',
        )
      : h('p', { class: 'wait-headline waiting' }, 'Waiting for a resource offer that fits.');

  const facts = h(
    'dl',
    { class: 'facts' },
    fact('Instances to launch', String(entry.count ?? 0)),
    fact('Waiting since', entry.since === undefined ? '–' : ago(entry.since, now), entry.since),
    fact('Role', entry.role ?? '*'),
    fact('Offers processed', String(summary.processedOffersCount ?? 0)),
    fact('Offers unused', String(summary.unusedOffersCount ?? 0)),
    fact('Last unused offer', summary.lastUnusedOfferAt === undefined ? '–' : ago(summary.lastUnusedOfferAt, now), summary.lastUnusedOfferAt),
    fact('Last used offer', summary.lastUsedOfferAt === undefined ? '–' : ago(summary.lastUsedOfferAt, now), summary.lastUsedOfferAt),
  );

  return h(
    'section',
    { class: 'panel waiting-panel', 'aria-labelledby': 'waiting-title' },
    h('h2', { id: 'waiting-title' }, 'Why is it waiting?'),
    headline,
    facts,
    rejectionTable(summary.rejectSummaryLastOffers ?? [], summary.rejectSummaryLaunchAttempt ?? []),
    unusedOffersTable(entry.lastUnusedOffers ?? [], now),
  );
}

function fact(term: string, value: string, title?: string): HTMLDivElement {
  return h('div', null, h('dt', null, term), h('dd', { title }, value));
}

/**
 * One row per offer check that declined something, with the counts over the last offers and
 * over the whole launch attempt; the checks that passed every offer are listed in one line.
 */
function rejectionTable(lastOffers: RejectionCount[], launchAttempt: RejectionCount[]): HTMLElement | null {
  const reasons = [...new Set([...lastOffers, ...launchAttempt].map((c) => c.reason))];
  if (reasons.length === 0) return null;
  const find = (list: RejectionCount[], reason: string): RejectionCount | undefined => list.find((c) => c.reason === reason);
  const declining = reasons
    .filter((r) => (find(lastOffers, r)?.declined ?? 0) > 0 || (find(launchAttempt, r)?.declined ?? 0) > 0)
    .sort((a, b) => (find(lastOffers, b)?.declined ?? 0) - (find(lastOffers, a)?.declined ?? 0));
  const passed = reasons.filter((r) => !declining.includes(r));
  const counts = (c: RejectionCount | undefined): string => (c === undefined ? '–' : `${c.declined} / ${c.processed}`);
  return h(
    'div',
    { class: 'rejections-block' },
    declining.length === 0
      ? h('p', { class: 'muted' }, 'No offer check has declined an offer yet.')
      : h(
          'table',
          { class: 'grid compact rejections' },
          h('caption', null, 'Offer checks that declined offers'),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, 'Check'),
              h('th', { scope: 'col', class: 'col-num' }, 'Last offers'),
              h('th', { scope: 'col' }, 'Share declined'),
              h('th', { scope: 'col', class: 'col-num' }, 'Whole attempt'),
            ),
          ),
          h(
            'tbody',
            null,
            ...declining.map((reason) => {
              const last = find(lastOffers, reason);
              const share = last !== undefined && last.processed > 0 ? last.declined / last.processed : 0;
              const bar = h('span', { class: 'share-fill' });
              bar.style.width = `${Math.round(share * 100)}%`;
              return h(
                'tr',
                { class: 'declining', 'data-reason': reason },
                h('th', { scope: 'row' }, humaniseReason(reason), h('span', { class: 'reason-code' }, reason)),
                h('td', { class: 'col-num' }, counts(last)),
                h('td', null, h('span', { class: 'share', role: 'img', 'aria-label': `${Math.round(share * 100)}% declined` }, bar)),
                h('td', { class: 'col-num' }, counts(find(launchAttempt, reason))),
              );
            }),
          ),
        ),
    passed.length === 0
      ? null
      : h('p', { class: 'passed-checks' }, h('span', { class: 'muted' }, 'Passed every offer: '), passed.map(humaniseReason).join(' · ')),
  );
}

function unusedOffersTable(offers: UnusedOffer[], now: number): HTMLElement | null {
  if (offers.length === 0) return null;
  return h(
    'table',
    { class: 'grid compact unused-offers' },
    h('caption', null, `Last ${offers.length} unused offers`),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { scope: 'col' }, 'Agent'),
        h('th', { scope: 'col' }, 'Resources'),
        h('th', { scope: 'col' }, 'Rejected because'),
        h('th', { scope: 'col' }, 'When'),
      ),
    ),
    h(
      'tbody',
      null,
      ...offers
        .slice(0, 50)
        .map((o) =>
          h(
            'tr',
            null,
            h('td', { title: o.offer.agentId }, o.offer.hostname ?? o.offer.agentId ?? '–'),
            h('td', { class: 'mono' }, describeResources(o)),
            h('td', null, (o.reason ?? []).map(humaniseReason).join(', ') || '–'),
            h('td', { title: o.timestamp }, ago(o.timestamp, now)),
          ),
        ),
    ),
  );
}

function describeResources(o: UnusedOffer): string {
  const parts: string[] = [];
  for (const r of o.offer.resources ?? []) {
    const role = r.role !== undefined && r.role !== '*' ? `(${r.role})` : '';
    if (r.scalar !== undefined) parts.push(`${r.name} ${r.scalar}${role}`);
    else if (r.ranges !== undefined) parts.push(`${r.name} ${r.ranges.map((x) => `${x.begin}-${x.end}`).join(',')}${role}`);
  }
  return parts.join(' · ') || '–';
}
