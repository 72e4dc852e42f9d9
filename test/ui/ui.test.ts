/**
 * The web UI in headless Chromium against a real `pacer --master local` with three process agents
 * (see target.ts): create an app through the form — a real `python3 -m http.server` per task with
 * a MESOS_HTTP health check — watch it turn healthy through the event stream without a reload,
 * scale it, compare its versions, edit it, read why another app (cpus: 100) is waiting, see a
 * 422 from the server rendered at the offending line, destroy. Screenshots of every step land
 * in test-artifacts/ui/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, HAVE_CHROMIUM, launchBrowser, reportMissingChromium, screenshot, UUID, WAIT } from './browser.js';
import { printLogOnFailure, startTarget, type UiTarget } from './target.js';

reportMissingChromium('ui.test');

const WEB_APP = {
  id: '/ui-test/web',
  cmd: 'exec python3 -m http.server "$PORT0" --bind 127.0.0.1',
  instances: 2,
  cpus: 0.1,
  mem: 32,
  portDefinitions: [{ port: 0, name: 'http' }],
  // The agent probes only after delaySeconds, so each task is first seen running with no verdict.
  healthChecks: [
    {
      protocol: 'MESOS_HTTP',
      path: '/',
      portIndex: 0,
      delaySeconds: 2,
      intervalSeconds: 1,
      timeoutSeconds: 2,
      gracePeriodSeconds: 20,
      maxConsecutiveFailures: 3,
    },
  ],
};

interface HealthHistory {
  /** Each distinct aria-label of the app's health summary, in order. */
  labels: string[];
  /** Task id -> each distinct health word its row showed, in order. */
  tasks: Record<string, string[]>;
  marker: string;
}

describe.skipIf(!HAVE_CHROMIUM)('web UI in headless Chromium against a real pacer --master local', () => {
  let target: UiTarget;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];

  const shot = (name: string): Promise<void> => screenshot(page, name);
  printLogOnFailure(() => target);

  beforeAll(async () => {
    [target, browser] = await Promise.all([startTarget({ name: 'ui-lifecycle', agents: 3 }), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1360, height: 860 }, colorScheme: 'dark' });
    pageErrors = collectPageErrors(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await target?.close();
  }, 30_000);

  it('shows the empty apps list with a live event stream', async () => {
    await page.goto(`${target.baseUrl}/ui/`);
    await page.getByRole('heading', { name: 'Applications' }).waitFor(WAIT);
    await page.locator('#live[data-state="live"]').waitFor(WAIT);
    await page.locator('.summary', { hasText: /^0 apps/ }).waitFor(WAIT);
    await shot('01-empty-list');
  });

  it('creates an app through the form and shows the deployment id', async () => {
    await page.getByRole('link', { name: 'Create application' }).click();
    await page.getByRole('heading', { name: 'Create application' }).waitFor(WAIT);
    expect(await page.locator('#app-json').inputValue()).toContain('"id": "/my-app"');
    // From here on, every health summary the app page shows is recorded in the page itself, and a
    // marker proves later that no reload happened in between.
    await page.evaluate(() => {
      const history: HealthHistory = { labels: [], tasks: {}, marker: 'same-page' };
      (window as unknown as { healthHistory: HealthHistory }).healthHistory = history;
      const record = (): void => {
        const label = document.querySelector('.app-facts .health')?.getAttribute('aria-label');
        if (label != null && label !== history.labels.at(-1)) history.labels.push(label);
        document.querySelectorAll('table[aria-label="Tasks"] tbody tr[data-key]').forEach((row) => {
          const word = row.querySelector('.task-health')?.textContent;
          if (word == null) return;
          const seen = (history.tasks[row.getAttribute('data-key')!] ??= []);
          if (word !== seen.at(-1)) seen.push(word);
        });
      };
      new MutationObserver(record).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
        attributeFilter: ['aria-label', 'class'],
      });
    });
    await page.getByRole('tab', { name: 'JSON' }).click();
    await page.locator('#app-json').fill(JSON.stringify(WEB_APP, null, 2));
    await shot('02-create-form');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: '/ui-test/web' }).waitFor(WAIT);
    const notice = page.locator('.notice.ok', { hasText: 'Created /ui-test/web' });
    await notice.waitFor(WAIT);
    expect(await notice.locator('.deployment-id').textContent()).toMatch(UUID);
  });

  it('shows the app turning healthy live, without reloading the page', async () => {
    await page.locator('.app-facts .health[aria-label="2 healthy, 0 unhealthy, 0 unknown"]').waitFor(WAIT);
    await page.locator('[data-testid="running-count"]', { hasText: '2 of 2' }).waitFor(WAIT);
    await page.locator('.badge', { hasText: 'Running' }).waitFor(WAIT);
    const healthCells = page.locator('table[aria-label="Tasks"] .task-health');
    await healthCells.nth(1).waitFor(WAIT);
    await page.locator('table[aria-label="Tasks"] .task-health.healthy').nth(1).waitFor(WAIT);
    expect(await healthCells.count()).toBe(2);

    const history = await page.evaluate(() => (window as unknown as { healthHistory: HealthHistory }).healthHistory);
    expect(history.marker).toBe('same-page');
    // Every task's health cell first said "unknown" (running, not probed yet: delaySeconds) and
    // then, in the same page, "healthy"; the summary went from no healthy task to two.
    const seen = JSON.stringify(history);
    expect(Object.values(history.tasks), seen).toHaveLength(2);
    for (const words of Object.values(history.tasks)) expect(words, seen).toEqual(['unknown', 'healthy']);
    expect(history.labels[0], seen).toMatch(/^0 healthy, /);
    expect(history.labels.at(-1), seen).toBe('2 healthy, 0 unhealthy, 0 unknown');

    // The tasks really are HTTP servers on the agents' ports.
    const ports = (await page.locator('table[aria-label="Tasks"] td.col-ports').allTextContents()).map(Number);
    expect(ports).toHaveLength(2);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(target.portRange[0]);
      expect(port).toBeLessThanOrEqual(target.portRange[1]);
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) });
      expect(res.status).toBe(200);
    }
    await shot('03-app-healthy');
  });

  it('scales the app through the dialog', async () => {
    await page.getByRole('button', { name: 'Scale', exact: true }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor(WAIT);
    await dialog.getByLabel('Number of instances').fill('3');
    await shot('04-scale-dialog');
    await dialog.getByRole('button', { name: 'Scale' }).click();
    const notice = page.locator('.notice.ok', { hasText: 'Scaling /ui-test/web to 3' });
    await notice.waitFor(WAIT);
    expect(await notice.locator('.deployment-id').textContent()).toMatch(UUID);
    await page.locator('[data-testid="running-count"]', { hasText: '3 of 3' }).waitFor(WAIT);
    await page.locator('.app-facts .health[aria-label="3 healthy, 0 unhealthy, 0 unknown"]').waitFor(WAIT);
    await shot('05-scaled');
  });

  it('diffs two versions of the app', async () => {
    await page.locator('.diff-line.removed', { hasText: '"instances": 2' }).waitFor(WAIT);
    await page.locator('.diff-line.added', { hasText: '"instances": 3' }).waitFor(WAIT);
    await page.locator('.versions-panel').scrollIntoViewIfNeeded();
    await shot('06-versions-diff');
  });

  it('edits the app through the form (PUT) and rolls the change out', async () => {
    await page.locator('.badge', { hasText: 'Running' }).waitFor(WAIT);
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit /ui-test/web' }).waitFor(WAIT);
    const editor = page.locator('#app-json');
    await page.waitForFunction(() => document.querySelector<HTMLTextAreaElement>('#app-json')?.value.includes('"mem": 32') ?? false, undefined, WAIT);
    const current = await editor.inputValue();
    expect(current).not.toContain('"tasksRunning"');
    expect(current).not.toContain('"version"');
    await page.getByRole('tab', { name: 'JSON' }).click();
    await editor.fill(current.replace('"mem": 32', '"mem": 48'));
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('.notice.ok', { hasText: 'Updated /ui-test/web' }).waitFor(WAIT);
    await page.getByRole('heading', { name: '/ui-test/web' }).waitFor(WAIT);
    await page.locator('.app-facts', { hasText: '48 MiB each' }).waitFor(WAIT);
    await page.locator('.diff-line.added', { hasText: '"mem": 48' }).waitFor(WAIT);
    // The rolling restart finishes: three healthy tasks of the new version and nothing else.
    await page.locator('.badge', { hasText: 'Running' }).waitFor(WAIT);
    await page.locator('.app-facts .health[aria-label="3 healthy, 0 unhealthy, 0 unknown"]').waitFor(WAIT);
    await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Tasks"] tbody tr[data-key]').length === 3, undefined, WAIT);
  });

  it('lists the app with status, counts and health', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Applications' }).click();
    // The app lives in the group /ui-test: a folder on the overview, opened with one click.
    await page.locator('tr[data-key="/ui-test/"]').getByRole('link', { name: 'ui-test' }).click();
    await page.getByRole('heading', { name: '/ui-test', exact: true }).waitFor(WAIT);
    const row = page.locator('tr[data-key="/ui-test/web"]');
    await row.waitFor(WAIT);
    await row.locator('.badge', { hasText: 'Running' }).waitFor(WAIT);
    expect(await row.locator('td').nth(2).textContent()).toBe('3 / 3');
    expect(await row.locator('.health').getAttribute('aria-label')).toBe('3 healthy, 0 unhealthy, 0 unknown');
    await page.locator('#app-filter').fill('nothing-matches-this');
    await page.getByText('No applications match.').waitFor(WAIT);
    await page.locator('#app-filter').fill('web');
    await row.waitFor(WAIT);
    await shot('07-apps-list');
  });

  it('explains why an app that no agent can fit (cpus: 100) is waiting, from the real /v2/queue', async () => {
    await page.goto(`${target.baseUrl}/ui/#/new`);
    await page.getByRole('heading', { name: 'Create application' }).waitFor(WAIT);
    await page.getByRole('tab', { name: 'JSON' }).click();
    await page.locator('#app-json').fill(JSON.stringify({ id: '/ui-test/too-big', cmd: 'sleep 1000', instances: 1, cpus: 100, mem: 32 }, null, 2));
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: '/ui-test/too-big' }).waitFor(WAIT);
    await page.locator('.badge', { hasText: 'Waiting' }).waitFor(WAIT);
    const panel = page.locator('.waiting-panel');
    await panel.getByRole('heading', { name: 'Why is it waiting?' }).waitFor(WAIT);
    const cpuRow = panel.locator('table.rejections').first().locator('tr[data-reason="InsufficientCpus"]');
    await cpuRow.waitFor(WAIT);
    expect(await cpuRow.getAttribute('class')).toContain('declining');
    await panel.locator('table.unused-offers tbody tr').first().waitFor(WAIT);

    // What the panel shows is what the server says.
    const queue = await target.api('GET', '/v2/queue');
    expect(queue.status).toBe(200);
    const entry = (
      queue.body as { queue: Array<{ app: { id: string }; processedOffersSummary: { rejectSummaryLastOffers: Array<{ reason: string; declined: number }> } }> }
    ).queue.find((e) => e.app.id === '/ui-test/too-big');
    expect(entry?.processedOffersSummary.rejectSummaryLastOffers.find((r) => r.reason === 'InsufficientCpus')?.declined).toBeGreaterThan(0);
    await shot('08-why-waiting');
  });

  it('meets the deployment lock (409) when scaling the waiting app and retries with force', async () => {
    await page.getByRole('button', { name: 'Scale', exact: true }).click();
    const prompt = page.locator('dialog[open]');
    await prompt.getByLabel('Number of instances').fill('2');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v2/apps/ui-test/too-big') && r.request().method() === 'PUT', WAIT),
      prompt.getByRole('button', { name: 'Scale' }).click(),
    ]);
    expect(refused.status()).toBe(409);
    const lock = page.locator('dialog[open]');
    await lock.getByRole('heading', { name: 'App is locked by a deployment' }).waitFor(WAIT);
    expect(await lock.textContent()).toContain('App is locked by one or more deployments.');
    const [forced] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v2/apps/ui-test/too-big?force=true') && r.request().method() === 'PUT', WAIT),
      lock.getByRole('button', { name: 'Force' }).click(),
    ]);
    expect(forced.status()).toBe(200);
    await page.locator('.notice.ok', { hasText: 'Scaling /ui-test/too-big to 2' }).waitFor(WAIT);
    await page.locator('[data-testid="running-count"]', { hasText: '0 of 2' }).waitFor(WAIT);
  });

  it('destroys the waiting app after confirmation', async () => {
    await page.getByRole('button', { name: 'Destroy' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.getByRole('heading', { name: 'Destroy /ui-test/too-big?' }).waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Destroy' }).click();
    await page.locator('.notice.ok', { hasText: 'Destroying /ui-test/too-big' }).waitFor(WAIT);
    await page.getByRole('heading', { name: 'Applications' }).waitFor(WAIT);
    await page.locator('tr[data-key="/ui-test/web"]').waitFor(WAIT);
    await page.locator('tr[data-key="/ui-test/too-big"]').waitFor({ state: 'detached', ...WAIT });
    expect((await target.api('GET', '/v2/apps/ui-test/too-big')).status).toBe(404);
  });

  it('renders a 422 from the server next to the editor and highlights the offending line', async () => {
    await page.goto(`${target.baseUrl}/ui/#/new`);
    const text = JSON.stringify({ id: '/ui-test/broken', cmd: 'sleep 1', instances: 1, cpus: 0.1, mem: -5 }, null, 2);
    const memLine = text.split('\n').findIndex((l) => l.includes('"mem"')) + 1;
    await page.getByRole('heading', { name: 'Create application' }).waitFor(WAIT);
    await page.getByRole('tab', { name: 'JSON' }).click();
    await page.locator('#app-json').fill(text);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v2/apps') && r.request().method() === 'POST', WAIT),
      page.getByRole('button', { name: 'Create' }).click(),
    ]);
    expect(response.status()).toBe(422);
    const body = (await response.json()) as { message: string; details: Array<{ path: string; errors: string[] }> };
    expect(body.details.map((d) => d.path)).toContain('/mem');

    const problem = page.locator('.problem-item[data-path="/mem"]');
    await problem.waitFor(WAIT);
    const serverMessages = body.details.find((d) => d.path === '/mem')!.errors;
    const shown = await problem.locator('.problem-messages li').allTextContents();
    expect(shown).toHaveLength(serverMessages.length);
    serverMessages.forEach((message, i) => expect(shown[i]!.startsWith(message), `${shown[i]} shows ${message}`).toBe(true));
    expect(await problem.locator('button[data-line]').getAttribute('data-line')).toBe(String(memLine));
    await page.locator(`.bands .band[data-line="${memLine}"]`).waitFor(WAIT);
    expect(await page.locator('.gutter .ln.marked').textContent()).toBe(String(memLine));
    expect(await page.locator('.problem-summary').textContent()).toContain('422');
    await shot('09-validation-error');
    expect((await target.api('GET', '/v2/apps/ui-test/broken')).status).toBe(404);
  });

  it('flags text that is not JSON before sending it', async () => {
    let sent = 0;
    const countPosts = (r: { url(): string; method(): string }): void => {
      if (r.url().includes('/v2/apps') && r.method() === 'POST') sent++;
    };
    page.on('request', countPosts);
    await page.locator('#app-json').fill('{\n  "id": "/x",\n  "cmd": "sleep 1"\n  "instances": 1\n}');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('.problem-item', { hasText: 'Not valid JSON' }).waitFor(WAIT);
    await page.locator('.bands .band[data-line="4"]').waitFor(WAIT);
    page.off('request', countPosts);
    expect(sent).toBe(0);
  });

  it('destroys the app after confirmation and its tasks stop', async () => {
    await page.goto(`${target.baseUrl}/ui/#/apps/ui-test/web`);
    await page.locator('[data-testid="running-count"]', { hasText: '3 of 3' }).waitFor(WAIT);
    const ports = (await page.locator('table[aria-label="Tasks"] td.col-ports').allTextContents()).map(Number);
    await page.getByRole('button', { name: 'Destroy' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.getByRole('heading', { name: 'Destroy /ui-test/web?' }).waitFor(WAIT);
    await shot('10-destroy-confirm');
    await dialog.getByRole('button', { name: 'Destroy' }).click();
    const notice = page.locator('.notice.ok', { hasText: 'Destroying /ui-test/web' });
    await notice.waitFor(WAIT);
    expect(await notice.locator('.deployment-id').textContent()).toMatch(UUID);
    await page.locator('tr[data-key="/ui-test/web"]').waitFor({ state: 'detached', ...WAIT });
    await page.locator('.summary', { hasText: /^0 apps/ }).waitFor(WAIT);
    await shot('11-destroyed');
    // The HTTP servers are gone once the kill deployment is done.
    await expect.poll(async () => ((await target.api('GET', '/v2/deployments')).body as unknown[]).length, { timeout: WAIT.timeout, interval: 250 }).toBe(0);
    for (const port of ports) {
      await expect
        .poll(
          () =>
            fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) }).then(
              () => 'answering',
              () => 'closed',
            ),
          { timeout: 10_000, interval: 250 },
        )
        .toBe('closed');
    }
    expect(pageErrors).toEqual([]);
  });
});
