/**
 * The web UI in a real headless Chromium against a real HTTP server (see target.ts): create an
 * app through the form, watch it turn healthy through the event stream, scale it, compare its
 * versions, read why another app is waiting, see a 422 rendered at the offending line, destroy.
 * Screenshots of every step land in test-artifacts/ui/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './build-ui.js';
import { startTarget, type UiTarget } from './target.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts/ui');
const WAIT = { timeout: 15_000 };
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

if (!HAVE_CHROMIUM) {
  if (process.env.CI === 'true') {
    describe('web UI', () => {
      it('needs Chromium at /usr/bin/chromium (run .ci/install-chromium.sh)', () => {
        throw new Error(`${CHROMIUM} is missing; CI must install it with .ci/install-chromium.sh`);
      });
    });
  } else {
    console.warn(`[ui.test] skipped: ${CHROMIUM} is missing (bash .ci/install-chromium.sh installs it)`);
  }
}

describe.skipIf(!HAVE_CHROMIUM)('web UI in headless Chromium', () => {
  let target: UiTarget;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    target = await startTarget();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1360, height: 860 }, colorScheme: 'dark' });
    page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      // Chromium logs every non-2xx response; the 422 below is expected.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) pageErrors.push(`console: ${msg.text()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await target?.close();
  });

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
    await page.locator('#app-json').fill(
      JSON.stringify(
        {
          id: '/ui-test/web',
          cmd: 'sleep 1000',
          instances: 2,
          cpus: 0.1,
          mem: 32,
          healthChecks: [{ protocol: 'COMMAND', command: { value: 'true' }, gracePeriodSeconds: 5, intervalSeconds: 2 }],
        },
        null,
        2,
      ),
    );
    await shot('02-create-form');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: '/ui-test/web' }).waitFor(WAIT);
    const notice = page.locator('.notice.ok', { hasText: 'Created /ui-test/web' });
    await notice.waitFor(WAIT);
    expect(await notice.locator('.deployment-id').textContent()).toMatch(UUID);
  });

  it('shows the app turning healthy live, without reloading the page', async () => {
    await page.evaluate(() => {
      (window as unknown as { marker: string }).marker = 'same-page';
    });
    await page.locator('[data-testid="running-count"]', { hasText: '2 of 2' }).waitFor(WAIT);
    await page.locator('.app-facts', { hasText: '2 healthy' }).waitFor(WAIT);
    await page.locator('.badge', { hasText: 'Running' }).waitFor(WAIT);
    await page.locator('table[aria-label="Tasks"] tbody tr[data-key]').nth(1).waitFor(WAIT);
    expect(await page.locator('table[aria-label="Tasks"] .task-health.healthy').count()).toBe(2);
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same-page');
    await shot('03-app-healthy');
  });

  it('scales the app through the dialog', async () => {
    await page.getByRole('button', { name: 'Scale' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor(WAIT);
    await dialog.getByLabel('Number of instances').fill('3');
    await shot('04-scale-dialog');
    await dialog.getByRole('button', { name: 'Scale' }).click();
    const notice = page.locator('.notice.ok', { hasText: 'Scaling /ui-test/web to 3' });
    await notice.waitFor(WAIT);
    expect(await notice.locator('.deployment-id').textContent()).toMatch(UUID);
    await page.locator('[data-testid="running-count"]', { hasText: '3 of 3' }).waitFor(WAIT);
    await page.locator('.app-facts', { hasText: '3 healthy' }).waitFor(WAIT);
    await shot('05-scaled');
  });

  it('diffs two versions of the app', async () => {
    await page.locator('.diff-line.removed', { hasText: '"instances": 2' }).waitFor(WAIT);
    await page.locator('.diff-line.added', { hasText: '"instances": 3' }).waitFor(WAIT);
    await page.locator('.versions-panel').scrollIntoViewIfNeeded();
    await shot('06-versions-diff');
  });

  it('edits the app through the form (PUT) and rolls the change out', async () => {
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit /ui-test/web' }).waitFor(WAIT);
    const editor = page.locator('#app-json');
    await page.waitForFunction(() => (document.querySelector('#app-json') as HTMLTextAreaElement | null)?.value.includes('"mem": 32') ?? false, undefined, WAIT);
    const current = await editor.inputValue();
    expect(current).not.toContain('"tasksRunning"');
    expect(current).not.toContain('"version"');
    await editor.fill(current.replace('"mem": 32', '"mem": 48'));
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('.notice.ok', { hasText: 'Updated /ui-test/web' }).waitFor(WAIT);
    await page.getByRole('heading', { name: '/ui-test/web' }).waitFor(WAIT);
    await page.locator('.app-facts', { hasText: '48 MiB each' }).waitFor(WAIT);
    await page.locator('[data-testid="running-count"]', { hasText: '3 of 3' }).waitFor(WAIT);
    await page.locator('.diff-line.added', { hasText: '"mem": 48' }).waitFor(WAIT);
  });

  it('lists the app with status, counts and health', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Applications' }).click();
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

  it('explains why an app that cannot fit any offer is waiting', async () => {
    await page.goto(`${target.baseUrl}/ui/#/new`);
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
    await shot('08-why-waiting');
  });

  it('destroys the waiting app after confirmation', async () => {
    await page.getByRole('button', { name: 'Destroy' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Destroy' }).click();
    await page.locator('.notice.ok', { hasText: 'Destroying /ui-test/too-big' }).waitFor(WAIT);
    await page.getByRole('heading', { name: 'Applications' }).waitFor(WAIT);
    await page.locator('tr[data-key="/ui-test/too-big"]').waitFor({ state: 'detached', ...WAIT });
  });

  it('renders a 422 next to the editor and highlights the offending line', async () => {
    await page.goto(`${target.baseUrl}/ui/#/new`);
    const text = JSON.stringify({ id: '/ui-test/broken', cmd: 'sleep 1', instances: 1, cpus: 0.1, mem: -5 }, null, 2);
    const memLine = text.split('\n').findIndex((l) => l.includes('"mem"')) + 1;
    await page.locator('#app-json').fill(text);
    await page.getByRole('button', { name: 'Create' }).click();
    const problem = page.locator('.problem-item[data-path="/mem"]');
    await problem.waitFor(WAIT);
    expect(await problem.locator('.problem-messages li').count()).toBeGreaterThan(0);
    expect(await problem.locator('button[data-line]').getAttribute('data-line')).toBe(String(memLine));
    await page.locator(`.bands .band[data-line="${memLine}"]`).waitFor(WAIT);
    expect(await page.locator('.gutter .ln.marked').textContent()).toBe(String(memLine));
    expect(await page.locator('.problem-summary').textContent()).toContain('422');
    await shot('09-validation-error');
    // Nothing was created.
    const apps = (await (await fetch(`${target.baseUrl}/v2/apps`)).json()) as { apps: Array<{ id: string }> };
    expect(apps.apps.map((a) => a.id)).not.toContain('/ui-test/broken');
  });

  it('flags text that is not JSON before sending it', async () => {
    await page.locator('#app-json').fill('{\n  "id": "/x",\n  "cmd": "sleep 1"\n  "instances": 1\n}');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('.problem-item', { hasText: 'Not valid JSON' }).waitFor(WAIT);
    await page.locator('.bands .band[data-line="4"]').waitFor(WAIT);
  });

  it('destroys the app after confirmation and shows the deployment id', async () => {
    await page.goto(`${target.baseUrl}/ui/#/apps/ui-test/web`);
    await page.locator('[data-testid="running-count"]', { hasText: '3 of 3' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Destroy' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.getByRole('heading', { name: 'Destroy /ui-test/web?' }).waitFor(WAIT);
    await shot('10-destroy-confirm');
    await dialog.getByRole('button', { name: 'Destroy' }).click();
    const notice = page.locator('.notice.ok', { hasText: 'Destroying /ui-test/web' });
    await notice.waitFor(WAIT);
    expect(await notice.locator('.deployment-id').textContent()).toMatch(UUID);
    await page.locator('tr[data-key="/ui-test/web"]').waitFor({ state: 'detached', ...WAIT });
    await page.locator('.summary', { hasText: /^0 of 0 apps|^0 apps/ }).waitFor(WAIT);
    await shot('11-destroyed');
  });

  it('keeps 1,000 apps to a screenful of rows and scrolls through them', async () => {
    const apps = Array.from({ length: 1000 }, (_, i) => ({ id: `/scale/app-${String(i).padStart(4, '0')}`, cmd: 'sleep 1', instances: 0, cpus: 0.01, mem: 8 }));
    const created = await fetch(`${target.baseUrl}/v2/groups`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: '/scale', apps }) });
    expect(created.status).toBe(201);
    await page.locator('#app-filter').fill('');
    await page.locator('.summary', { hasText: /^1000 apps/ }).waitFor(WAIT);
    const firstScreen = await page.locator('tr[data-key]').count();
    expect(firstScreen).toBeGreaterThan(10);
    expect(firstScreen).toBeLessThan(100);
    expect(await page.locator('table[aria-label="Applications"]').getAttribute('aria-rowcount')).toBe('1001');
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.locator('tr[data-key="/scale/app-0999"]').waitFor(WAIT);
    expect(await page.locator('tr[data-key]').count()).toBeLessThan(100);
    expect(await page.locator('tr[data-key="/scale/app-0000"]').count()).toBe(0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.emulateMedia({ colorScheme: 'light' });
    await page.locator('tr[data-key="/scale/app-0000"]').waitFor(WAIT);
    await page.screenshot({ path: path.join(ARTIFACTS, '12-thousand-apps-light.png') });
    await page.locator('#app-filter').fill('app-0500');
    await page.locator('.summary', { hasText: '1 of 1000 apps' }).waitFor(WAIT);
    expect(await page.locator('tr[data-key]').count()).toBe(1);
    const removed = await fetch(`${target.baseUrl}/v2/groups/scale`, { method: 'DELETE' });
    expect(removed.status).toBe(200);
    await page.locator('#app-filter').fill('');
    await page.locator('.summary', { hasText: /^0 apps/ }).waitFor(WAIT);
    expect(pageErrors).toEqual([]);
  });
});
