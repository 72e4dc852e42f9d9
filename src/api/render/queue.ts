/**
 * Launch queue items (RAML types/queue.raml, QueueInfoConversion): `count, role, delay, since,
 * processedOffersSummary, lastUnusedOffers?` and `app` or, for a pod (QueuePod), `pod`. The service may hand over offer statistics
 * as the matcher's `QueueOfferStats` (rendered here with the matcher's own renderers) or as
 * already rendered JSON (passed through).
 */
import { renderApp } from '../../model/apps/index.js';
import { renderPod } from '../../model/pods/index.js';
import { renderLastUnusedOffers, renderProcessedOffersSummary, type QueueOfferStats } from '../../matching/index.js';
import type { QueueEntry } from '../../scheduler/contracts.js';

function isOfferStats(v: unknown): v is QueueOfferStats {
  return typeof v === 'object' && v !== null && (v as { lastUnusedByAgent?: unknown }).lastUnusedByAgent instanceof Map;
}

const EMPTY_SUMMARY = {
  processedOffersCount: 0,
  unusedOffersCount: 0,
  rejectSummaryLastOffers: [],
  rejectSummaryLaunchAttempt: [],
};

export function renderQueueEntry(entry: QueueEntry, withLastUnusedOffers: boolean): Record<string, unknown> {
  const stats = entry.processedOffersSummary;
  const out: Record<string, unknown> = {
    count: entry.count,
    role: entry.pod?.role ?? entry.app.role,
    delay: { timeLeftSeconds: entry.delay.timeLeftSeconds, overdue: entry.delay.overdue },
    since: entry.since,
    processedOffersSummary: isOfferStats(stats) ? renderProcessedOffersSummary(stats) : (stats ?? EMPTY_SUMMARY),
  };
  if (withLastUnusedOffers) {
    out.lastUnusedOffers = isOfferStats(stats) ? renderLastUnusedOffers(stats) : [...entry.lastUnusedOffers];
  }
  if (entry.pod !== undefined) out.pod = renderPod(entry.pod);
  else out.app = renderApp(entry.app);
  return out;
}
