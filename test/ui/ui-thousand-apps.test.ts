/**
 * The apps list stays a screenful of DOM rows with 1,000 apps: a real `pacer --master local` with
 * 20 simulated agents and no process agents, 1,000 apps created in one batch PUT /v2/apps (every
 * 50th with one instance, so some rows show running tasks), scrolled to the end and back in
 * headless Chromium.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, HAVE_CHROMIUM, launchBrowser, reportMissingChromium, screenshot, WAIT } from './browser.js';
import { printLogOnFailure, startTarget, type UiTarget } from './target.js';

reportMissingChromium('ui-thousand-apps.test');

const APP_COUNT = 1000;
const RUNNING_EVERY = 50;
const appId = (i: number): string => `/scale/app-${String(i).padStart(4, '0')}`;

describe.skipIf(!HAVE_CHROMIUM)('web UI with 1,000 apps on a real pacer (20 simulated agents)', () => {
  let target: UiTarget;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  printLogOnFailure(() => target);

  beforeAll(async () => {
    [target, browser] = await Promise.all([startTarget({ name: 'ui-thousand-apps', agents: 0, simulatedAgents: 20 }), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1360, height: 860 }, colorScheme: 'dark' });
    pageErrors = collectPageErrors(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await target?.close();
  }, 30_000);

  it('keeps 1,000 apps to a screenful of rows and scrolls through them', { timeout: 60_000 }, async () => {
    await page.goto(`${target.baseUrl}/ui/`);
    await page.locator('#live[data-state="live"]').waitFor(WAIT);
    await page.locator('.summary', { hasText: /^0 apps/ }).waitFor(WAIT);

    const apps = Array.from({ length: APP_COUNT }, (_, i) => ({
      id: appId(i),
      cmd: 'sleep 1000',
      instances: i % RUNNING_EVERY === 0 ? 1 : 0,
      cpus: 0.01,
      mem: 8,
    }));
    const created = await target.api('PUT', '/v2/apps', apps);
    expect(created.status, JSON.stringify(created.body)).toBe(200);

    // The page learns about them from the event stream; nobody reloads it. They all live in the
    // group /scale: one folder on the overview, whose page lists the 1,000 apps.
    await page.locator('.summary', { hasText: /^1000 apps/ }).waitFor(WAIT);
    const folder = page.locator('tr[data-key="/scale/"]');
    await folder.locator('.folder-count', { hasText: /^1000 apps$/ }).waitFor(WAIT);
    expect(await page.locator('tr[data-key]').count()).toBe(1);
    await folder.getByRole('link', { name: 'scale' }).click();
    await page.getByRole('heading', { name: '/scale', exact: true }).waitFor(WAIT);
    await page.locator('.summary', { hasText: /^1000 apps/ }).waitFor(WAIT);
    const firstScreen = await page.locator('tr[data-key]').count();
    expect(firstScreen).toBeGreaterThan(10);
    expect(firstScreen).toBeLessThan(100);
    expect(await page.locator('table[aria-label="Applications"]').getAttribute('aria-rowcount')).toBe(String(APP_COUNT + 1));
    const first = page.locator(`tr[data-key="${appId(0)}"]`);
    await first.locator('.badge', { hasText: 'Running' }).waitFor(WAIT);
    await page.waitForFunction((id) => document.querySelector(`tr[data-key="${id}"] td:nth-child(3)`)?.textContent === '1 / 1', appId(0), WAIT);
    expect(await page.locator(`tr[data-key="${appId(1)}"] .badge`).textContent()).toBe('Suspended');

    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.locator(`tr[data-key="${appId(APP_COUNT - 1)}"]`).waitFor(WAIT);
    expect(await page.locator('tr[data-key]').count()).toBeLessThan(100);
    expect(await page.locator(`tr[data-key="${appId(0)}"]`).count()).toBe(0);
    await screenshot(page, '15-thousand-apps-end', false);

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.emulateMedia({ colorScheme: 'light' });
    await first.waitFor(WAIT);
    expect(await page.locator('tr[data-key]').count()).toBeLessThan(100);
    await screenshot(page, '12-thousand-apps-light', false);

    await page.locator('#app-filter').fill('app-0500');
    await page.locator('.summary', { hasText: `1 of ${APP_COUNT} apps` }).waitFor(WAIT);
    expect(await page.locator('tr[data-key]').count()).toBe(1);

    const removed = await target.api('DELETE', '/v2/groups/scale');
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    await page.locator('#app-filter').fill('');
    await page.locator('.summary', { hasText: /^0 apps/ }).waitFor(WAIT);
    expect(pageErrors).toEqual([]);
  });
});
