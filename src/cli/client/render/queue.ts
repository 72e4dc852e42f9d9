/**
 * The launch queue, with why each app is still waiting: its backoff delay, or the offers it
 * turned down, summarised from Marathon's `processedOffersSummary` (largest cause first).
 */
import type { QueueItemJson, RejectSummaryJson } from '../types.js';
import { dash } from './format.js';
import { renderTable, type Column } from './table.js';

const REASON_TEXT: Record<string, string> = {
  UnfulfilledRole: 'offered resources were for other roles',
  UnfulfilledConstraint: 'constraints not met',
  NoCorrespondingReservationFound: 'no matching reservation',
  AgentMaintenance: 'agent in maintenance',
  InsufficientCpus: 'not enough cpus',
  InsufficientMemory: 'not enough memory',
  InsufficientDisk: 'not enough disk',
  InsufficientGpus: 'not enough gpus',
  InsufficientPorts: 'required ports not free',
  DeclinedScarceResources: 'declined scarce resources (gpus)',
};

const COLUMNS: Column[] = [
  { header: 'APP', minWidth: 12 },
  { header: 'WAITING', align: 'right' },
  { header: 'DELAY' },
  { header: 'OFFERS', align: 'right' },
  { header: 'SINCE' },
];

function idOf(item: QueueItemJson): string {
  return item.app?.id ?? item.pod?.id ?? '?';
}

export function delayCell(item: QueueItemJson): string {
  const d = item.delay;
  if (d === undefined) return '-';
  if (d.overdue === true || (d.timeLeftSeconds ?? 0) <= 0) return 'none';
  return `${d.timeLeftSeconds}s backoff`;
}

function offersCell(item: QueueItemJson): string {
  const s = item.processedOffersSummary;
  if (s === undefined) return '-';
  return `${s.unusedOffersCount ?? 0}/${s.processedOffersCount ?? 0} unused`;
}

/** "not enough cpus (InsufficientCpus: 75 of 123 offers)", largest first; only reasons that declined something. */
export function rejectReasons(summary: readonly RejectSummaryJson[] | undefined): string[] {
  return (summary ?? [])
    .filter((r) => r.declined > 0)
    .sort((a, b) => b.declined - a.declined)
    .map((r) => `${REASON_TEXT[r.reason] ?? r.reason} (${r.reason}: ${r.declined} of ${r.processed} offers)`);
}

/** One sentence on why the item still waits. */
export function waitingBecause(item: QueueItemJson): string {
  const d = item.delay;
  if (d !== undefined && d.overdue !== true && (d.timeLeftSeconds ?? 0) > 0) {
    return `backing off after failures; next launch in ${d.timeLeftSeconds}s`;
  }
  const s = item.processedOffersSummary;
  // The launch attempt's summary counts the same offers as the OFFERS column
  // (processedOffersCount); the last-offers one counts one offer per agent and would not add up.
  const attempt = rejectReasons(s?.rejectSummaryLaunchAttempt);
  const reasons = attempt.length > 0 ? attempt : rejectReasons(s?.rejectSummaryLastOffers);
  if (reasons.length > 0) return `offers declined: ${reasons.join('; ')}`;
  if (s === undefined || (s.processedOffersCount ?? 0) === 0) return 'no offers received yet';
  return 'waiting for a matching offer';
}

export function renderQueue(items: readonly QueueItemJson[], maxWidth?: number): string {
  if (items.length === 0) return 'The launch queue is empty.\n';
  const rows = items.map((i) => [idOf(i), String(i.count ?? 0), delayCell(i), offersCell(i), dash(i.since)]);
  const why = items.map((i) => `${idOf(i)}: ${waitingBecause(i)}`);
  return `${renderTable(COLUMNS, rows, maxWidth)}\n${why.join('\n')}\n`;
}
