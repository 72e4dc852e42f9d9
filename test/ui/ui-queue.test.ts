/**
 * The launch queue page in headless Chromium against a real `pacer --master local` with one process
 * agent of 4 CPUs: an app asking for 100 CPUs, an app whose constraint no agent meets and a pod of
 * 100 CPUs are listed with the offer checks that declined them (InsufficientCpus,
 * UnfulfilledConstraint); an app whose
 * command exits 1 is listed in backoff with its delay counting down, and "Reset delay" ends the
 * backoff (the API reports the delay gone, and the app launches again long before the backoff
 * would have let it). Screenshots land in test-artifacts/ui/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/http.js';
import { collectPageErrors, HAVE_CHROMIUM, launchBrowser, reportMissingChromium, screenshot, WAIT } from './browser.js';
import { printLogOnFailure, startTarget, type UiTarget } from './target.js';

reportMissingChromium('ui-queue.test');

const HUGE = '/ui-dq/huge';
const PINNED = '/ui-dq/pinned';
const POD = '/ui-dq/big-pod';
const CRASHING = '/ui-dq/crashing';
/** Long enough that only "Reset delay" can end it within the test. */
const BACKOFF_SECONDS = 600;

interface QueueJson {
  queue: Array<{
    count: number;
    delay: { timeLeftSeconds: number; overdue: boolean };
    app?: { id: string };
    processedOffersSummary: { rejectSummaryLastOffers: Array<{ reason: string; declined: number }> };
  }>;
}

interface AppJson {
  tasksRunning: number;
  tasksStaged: number;
  lastTaskFailure?: { taskId: string };
  tasks: Array<{ id: string }>;
}

describe.skipIf(!HAVE_CHROMIUM)('launch queue page against a real pacer --master local', () => {
  let target: UiTarget;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];

  const shot = (name: string): Promise<void> => screenshot(page, `queue-${name}`);
  const queue = async (): Promise<QueueJson['queue']> => ((await target.api('GET', '/v2/queue')).body as QueueJson).queue;
  const queued = async (id: string): Promise<QueueJson['queue'][number] | undefined> => (await queue()).find((e) => e.app?.id === id);
  const row = (id: string) => page.locator(`.queue-table tr[data-queue-id="${id}"]`);
  printLogOnFailure(() => target);

  beforeAll(async () => {
    [target, browser] = await Promise.all([startTarget({ name: 'ui-queue', agents: 1 }), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1360, height: 820 }, colorScheme: 'dark' });
    pageErrors = collectPageErrors(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await target?.close();
  }, 30_000);

  it('says that nothing waits once the first load has finished', async () => {
    // The first answer is held back: until it arrives the page says it is loading, not that nothing runs.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let heldRequests = 0;
    await page.route(`${target.baseUrl}/v2/queue**`, async (route) => {
      heldRequests++;
      await held;
      await route.continue();
    });
    await page.goto(`${target.baseUrl}/ui/#/queue`);
    await page.locator('.summary', { hasText: 'Loading…' }).waitFor(WAIT);
    await waitFor(() => heldRequests > 0, { timeoutMs: 20_000, what: 'the first list request' });
    expect(await page.getByText('Nothing is waiting to launch.').isHidden()).toBe(true);
    release();
    await page.unrouteAll({ behavior: 'wait' });
    await page.getByRole('heading', { name: 'Launch queue', level: 1 }).waitFor(WAIT);
    await page.locator('#live[data-state="live"]').waitFor(WAIT);
    await page.getByText('Nothing is waiting to launch.').waitFor(WAIT);
    expect(await page.locator('header nav a[aria-current="page"]').textContent()).toBe('Queue');
  });

  it('shows apps that cannot be placed with the reason their offers were declined', async () => {
    const common = { cmd: 'sleep 3600', mem: 16, instances: 1 };
    expect((await target.api('POST', '/v2/apps', { ...common, id: HUGE, cpus: 100 })).status).toBe(201);
    expect((await target.api('POST', '/v2/apps', { ...common, id: PINNED, cpus: 0.1, constraints: [['hostname', 'LIKE', 'no-such-host']] })).status).toBe(201);

    for (const [id, reason] of [
      [HUGE, 'InsufficientCpus'],
      [PINNED, 'UnfulfilledConstraint'],
    ] as const) {
      const r = row(id);
      // Offer statistics emit no event: the page re-reads the queue by itself while it is open.
      await r.locator(`.dq-why li[data-reason="${reason}"]`).waitFor(WAIT);
      expect(await r.locator(`.dq-why li[data-reason="${reason}"] strong`).textContent()).toBe(
        reason === 'InsufficientCpus' ? 'Insufficient cpus' : 'Unfulfilled constraint',
      );
      expect(await r.locator('a.app-link').getAttribute('href')).toBe(`#/apps${id}`);
      expect(await r.locator('.dq-count').textContent()).toBe('1');
      const entry = await queued(id);
      expect(entry?.processedOffersSummary.rejectSummaryLastOffers.find((c) => c.reason === reason)?.declined).toBeGreaterThan(0);
    }
    // A pod is listed as a pod, linked to its own page.
    const pod = {
      id: POD,
      scaling: { kind: 'fixed', instances: 1 },
      containers: [{ name: 'main', exec: { command: { shell: 'sleep 3600' } }, resources: { cpus: 100, mem: 16 } }],
      networks: [{ mode: 'host' }],
    };
    expect((await target.api('POST', '/v2/pods', pod)).status).toBe(201);
    const podRow = page.locator(`.queue-table tr[data-queue-id="${POD}"][data-kind="pod"]`);
    await podRow.locator('.dq-why li[data-reason="InsufficientCpus"]').waitFor(WAIT);
    expect(await podRow.locator('a.app-link').getAttribute('href')).toBe(`#/pods${POD}`);
    await page.locator('.summary', { hasText: '3 instances of 3 run specs waiting to launch' }).waitFor(WAIT);
    await page.getByText('Nothing is waiting to launch.').waitFor({ ...WAIT, state: 'hidden' });
    await shot('01-unplaceable');
  });

  it('shows an app in backoff with its delay; "Reset delay" ends the backoff', async () => {
    const crashing = { id: CRASHING, cmd: 'sleep 2; exit 1', cpus: 0.1, mem: 16, instances: 1, backoffSeconds: BACKOFF_SECONDS, maxLaunchDelaySeconds: 3600 };
    expect((await target.api('POST', '/v2/apps', crashing)).status).toBe(201);
    const r = row(CRASHING);
    await page.locator(`.queue-table tr[data-queue-id="${CRASHING}"][data-delay="backoff"]`).waitFor(WAIT);
    const shown = await r.locator('.dq-delay').textContent();
    // "9m 58s left": a countdown from the 600 s backoff.
    const [, minutes] = /^(\d+)m \d+s left$/.exec(shown ?? '') ?? [];
    expect(Number(minutes)).toBeGreaterThanOrEqual(8);
    const before = await queued(CRASHING);
    expect(before?.delay.overdue).toBe(false);
    expect(before?.delay.timeLeftSeconds).toBeGreaterThan(BACKOFF_SECONDS - 120);
    const failed = ((await target.api('GET', `/v2/apps${CRASHING}`)).body as { app: AppJson }).app.lastTaskFailure?.taskId;
    expect(failed).toBeDefined();
    await shot('02-backoff');

    await r.getByRole('button', { name: `Reset delay of ${CRASHING}` }).click();
    await page.locator('.notice.ok', { hasText: `Launch delay of ${CRASHING} reset` }).waitFor(WAIT);
    // Right after: the backoff is gone (the entry waits overdue, or it has already launched).
    const after = await queued(CRASHING);
    if (after !== undefined) expect(after.delay.overdue || after.delay.timeLeftSeconds === 0).toBe(true);
    // And the app really launches again, minutes before the backoff would have let it.
    await waitFor(
      async () => {
        const app = ((await target.api('GET', `/v2/apps${CRASHING}`)).body as { app: AppJson }).app;
        return app.tasks.length > 0 || (app.lastTaskFailure !== undefined && app.lastTaskFailure.taskId !== failed);
      },
      { timeoutMs: 20_000, what: `${CRASHING} launched again after the reset` },
    );
    await shot('03-reset');
    expect(pageErrors).toEqual([]);
  });
});
