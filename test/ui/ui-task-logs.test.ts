/**
 * A failed task's stderr in the web UI, in headless Chromium against a real `pacer --master
 * local`: an app whose command writes to stderr and exits 1 shows, in its "Last task failure"
 * box, the exit status and the last lines of the failed task's stderr, read through Pacer's
 * sandbox route, with stdout/stderr download links that work; running tasks get the same links.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, HAVE_CHROMIUM, launchBrowser, reportMissingChromium, screenshot, WAIT } from './browser.js';
import { printLogOnFailure, startTarget, type UiTarget } from './target.js';

reportMissingChromium('ui-task-logs.test');

const FAILING = {
  id: '/ui-logs/failing',
  cmd: 'echo "starting on $PORT0"; echo "Traceback (most recent call last):" >&2; echo "OSError: [Errno 98] Address already in use" >&2; exit 1',
  cpus: 0.1,
  mem: 16,
  instances: 1,
  backoffSeconds: 3600,
  maxLaunchDelaySeconds: 3600,
};

describe.skipIf(!HAVE_CHROMIUM)('task logs in the web UI', () => {
  let target: UiTarget;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  printLogOnFailure(() => target);

  beforeAll(async () => {
    [target, browser] = await Promise.all([startTarget({ name: 'ui-task-logs', agents: 1 }), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1360, height: 860 }, colorScheme: 'dark' });
    pageErrors = collectPageErrors(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await target?.close();
  }, 30_000);

  it("shows the failed task's last stderr lines with its exit status, and downloads its logs", async () => {
    expect((await target.api('POST', '/v2/apps', FAILING)).status).toBe(201);
    await page.goto(`${target.baseUrl}/ui/#/apps/ui-logs/failing`);
    const box = page.getByRole('region', { name: 'Last task failure' });
    await box.waitFor(WAIT);
    await box.locator('.failure-message', { hasText: 'exited with status 1' }).waitFor(WAIT);
    const stderr = box.getByLabel('stderr of the failed task');
    await stderr.waitFor(WAIT);
    expect(await stderr.textContent()).toBe('Traceback (most recent call last):\nOSError: [Errno 98] Address already in use');
    await screenshot(page, 'task-logs-failure-box');

    const href = await box.locator('a[data-log="stdout"]').getAttribute('href');
    expect(href).toMatch(/^\/pacer\/tasks\/.+\/files\/download\?path=stdout$/);
    const download = await page.evaluate(async (url) => (await fetch(url)).text(), href!);
    expect(download).toMatch(/^starting on \d+\n$/);
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
