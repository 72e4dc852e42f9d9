import { describe, expect, it } from 'vitest';
import {
  EMPTY_QUEUE_OFFER_STATS,
  formatDiagnosis,
  match,
  recordRound,
  renderLastUnusedOffers,
  renderProcessedOffersSummary,
} from '../../src/matching/index.js';
import { app, NOW, offer, text } from './fixtures.js';

const offers = () => [
  offer({ id: 'small', agent: 'small', cpus: 0.5, mem: 4096 }),
  offer({ id: 'lowmem', agent: 'lowmem', cpus: 4, mem: 64 }),
  offer({ id: 'rack2', agent: 'rack2', cpus: 4, mem: 4096, attributes: [text('rack', 'r2')] }),
  offer({ id: 'fits', agent: 'fits', cpus: 1, mem: 4096, attributes: [text('rack', 'r1')] }),
  offer({ id: 'other-role', agent: 'other', role: 'batch' }),
];

describe('explanations', () => {
  it('counts every offer a waiting app turned down under Marathon funnel reasons', () => {
    const result = match({
      offers: offers(),
      requests: [app('/web', { count: 3, cpus: 1, mem: 128, constraints: [['rack', 'IS', 'r1']] })],
      options: { now: NOW },
    });
    const outcome = result.requests[0]!;
    expect(outcome).toMatchObject({ key: '/web', requested: 3, placed: 1, unplaced: 2 });
    const d = outcome.diagnosis;
    expect(d.offersProcessed).toBe(5);
    expect(d.offersUsed).toBe(1);
    expect(d.offersUnused).toBe(4);
    // Funnel: role before constraint before resources.
    expect(d.rejectSummary).toEqual({ UnfulfilledRole: 1, UnfulfilledConstraint: 3 });
    expect(d.reasonCounts).toEqual({ UnfulfilledConstraint: 4, InsufficientCpus: 2, InsufficientMemory: 2, UnfulfilledRole: 1 });
    // Agent order; every reason is listed (the agent of other-role has no rack either).
    expect(d.unusedOffers.map((u) => [u.offer.id.value, u.reasons])).toEqual([
      ['lowmem', ['UnfulfilledConstraint', 'InsufficientMemory']],
      ['other-role', ['UnfulfilledRole', 'UnfulfilledConstraint', 'InsufficientCpus', 'InsufficientMemory']],
      ['rack2', ['UnfulfilledConstraint']],
      ['small', ['UnfulfilledConstraint', 'InsufficientCpus']],
    ]);
    expect(formatDiagnosis(outcome)).toBe('1/5 offers used by /web (1 placed, 2 waiting): 3 UnfulfilledConstraint, 1 UnfulfilledRole');
  });

  it('a satisfied app only counts offers it used or refused', () => {
    const result = match({ offers: offers(), requests: [app('/one', { cpus: 1, mem: 128, constraints: [['rack', 'IS', 'r1']] })], options: { now: NOW } });
    const d = result.requests[0]!.diagnosis;
    expect(d.offersUsed).toBe(1);
    // Static refusals are processed offers; nothing else was needed.
    expect(d.rejectSummary).toEqual({ UnfulfilledRole: 1, UnfulfilledConstraint: 3 });
  });

  it('declines unused offers: short refuse where a waiting app could fit later, long otherwise; suppress when done', () => {
    const waiting = match({
      offers: offers(),
      requests: [app('/web', { count: 6, cpus: 1, mem: 128 })],
      options: { now: NOW, declineRefuseSeconds: 120, starvedRefuseSeconds: 3 },
    });
    const byRefuse = Object.fromEntries(waiting.declines.map((d) => [d.refuseSeconds, d.offerIds.sort()]));
    expect(byRefuse).toEqual({ 3: ['lowmem', 'small'], 120: ['other-role'] });
    expect(waiting.suppress).toBe(false);
    const idle = match({ offers: offers(), requests: [], options: { now: NOW } });
    expect(idle.suppress).toBe(true);
    expect(idle.launches).toEqual([]);
    expect(idle.declines).toEqual([{ offerIds: ['fits', 'lowmem', 'other-role', 'rack2', 'small'], refuseSeconds: 120 }]);
  });

  it('malformed offers are reported with a typed error and declined', () => {
    const bad = { ...offer({ id: 'bad', agent: 'x' }), resources: [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: -1 } }] };
    const result = match({ offers: [bad], requests: [app('/a')], options: { now: NOW } });
    expect(result.invalidOffers.map((i) => [i.offerId, i.error.code])).toEqual([['bad', 'PACER_MATCH_BAD_OFFER']]);
    expect(result.declines.flatMap((d) => d.offerIds)).toEqual(['bad']);
  });
});

describe('Marathon /v2/queue projection', () => {
  it('renders processedOffersSummary and lastUnusedOffers in Marathon shape', () => {
    const result = match({
      offers: offers(),
      requests: [app('/web', { count: 3, cpus: 1, mem: 128, constraints: [['rack', 'IS', 'r1']] })],
      options: { now: NOW },
    });
    let stats = recordRound(EMPTY_QUEUE_OFFER_STATS, result.requests[0]!, NOW);
    stats = recordRound(stats, result.requests[0]!, NOW + 1000);
    const summary = renderProcessedOffersSummary(stats);
    expect(summary.processedOffersCount).toBe(10);
    expect(summary.unusedOffersCount).toBe(8);
    expect(summary.lastUnusedOfferAt).toBe(new Date(NOW + 1000).toISOString());
    expect(summary.lastUsedOfferAt).toBe(new Date(NOW + 1000).toISOString());
    expect(summary.rejectSummaryLaunchAttempt.slice(0, 3)).toEqual([
      { reason: 'UnfulfilledRole', declined: 2, processed: 10 },
      { reason: 'UnfulfilledConstraint', declined: 6, processed: 8 },
      { reason: 'NoCorrespondingReservationFound', declined: 0, processed: 2 },
    ]);
    expect(summary.rejectSummaryLaunchAttempt).toHaveLength(10);
    // Last offers: one per agent (4 agents turned the app down).
    expect(summary.rejectSummaryLastOffers[0]).toEqual({ reason: 'UnfulfilledRole', declined: 1, processed: 4 });
    const last = renderLastUnusedOffers(stats);
    expect(last).toHaveLength(4);
    const rack2 = last.find((u) => u.offer.id === 'rack2')!;
    expect(rack2).toEqual({
      offer: {
        id: 'rack2',
        hostname: 'rack2',
        agentId: 'rack2',
        resources: [
          { name: 'cpus', role: '*', scalar: 4 },
          { name: 'mem', role: '*', scalar: 4096 },
          { name: 'ports', role: '*', ranges: [{ begin: 31000, end: 32000 }] },
        ],
        attributes: [{ name: 'rack', text: 'r2' }],
      },
      timestamp: new Date(NOW + 1000).toISOString(),
      reason: ['UnfulfilledConstraint'],
    });
  });
});
