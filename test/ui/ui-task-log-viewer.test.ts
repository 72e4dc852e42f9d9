/**
 * The per-task log viewer (`#/tasks/<taskId>/logs`) in headless Chromium against a real
 * `pacer --master local`: opened from the app page, it shows the stderr of a task that wrote to
 * stderr and exited 1 (and its stdout on the other tab, and a working download link); "Follow"
 * appends the lines a running task writes after the page opened, pauses while the tab is hidden,
 * and stops reading when the user leaves; a task without a sandbox gets a clear message. Then Pacer restarts on the same data
 * and work directories, and the viewer still shows the failed task's stderr from the sandbox
 * kept on disk.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPacerProcess, type PacerProcess } from '../helpers/pacer-process.js';
import { removeDir, tempDir, waitFor } from '../helpers/processes.js';
import { collectPageErrors, HAVE_CHROMIUM, launchBrowser, reportMissingChromium, screenshot, WAIT } from './browser.js';
import { assertUiBuilt } from './build-ui.js';

reportMissingChromium('ui-task-log-viewer.test');

const FAILING = {
  id: '/ui-viewer/failing',
  cmd: 'echo "starting on $PORT0"; echo "Traceback (most recent call last):" >&2; echo "OSError: [Errno 98] Address already in use" >&2; exit 1',
  cpus: 0.1,
  mem: 16,
  instances: 1,
  // One failure is enough: the next launch waits an hour.
  backoffSeconds: 3600,
  maxLaunchDelaySeconds: 3600,
};

const TICKER = {
  id: '/ui-viewer/ticker',
  cmd: 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 0.2; done',
  cpus: 0.1,
  mem: 16,
  instances: 1,
};

const STDERR = 'Traceback (most recent call last):\nOSError: [Errno 98] Address already in use\n';

describe.skipIf(!HAVE_CHROMIUM)('the task log viewer in the web UI', () => {
  let dir: string;
  let pacer: PacerProcess | undefined;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  let failedTaskId: string;

  const firstPort = 20_000 + Math.floor(Math.random() * 20_000);
  /** A Pacer on `dir`'s data and work directories, so that a second one finds the first one's sandboxes. */
  const start = (): Promise<PacerProcess> =>
    startPacerProcess({
      name: 'ui-task-log-viewer',
      agents: 1,
      agentResources: `cpus:4;mem:8192;disk:20000;ports:[${firstPort}-${firstPort + 100}]`,
      dataDir: path.join(dir, 'data'),
      extraArgs: ['--work_dir', path.join(dir, 'work')],
    });
  const api = async (method: string, route: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${pacer!.url}${route}`, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
  const output = (): ReturnType<Page['locator']> => page.getByRole('tabpanel');

  beforeAll(async () => {
    assertUiBuilt();
    dir = tempDir('pacer-ui-log-viewer');
    mkdirSync(path.join(dir, 'data'));
    [pacer, browser] = await Promise.all([start(), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1360, height: 860 }, colorScheme: 'dark' });
    pageErrors = collectPageErrors(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (pacer !== undefined && !pacer.exited()) await api('DELETE', `/v2/apps${TICKER.id}`).catch(() => undefined);
    await pacer?.stop();
    removeDir(dir);
  }, 30_000);

  it("opens from the failure box and shows the failed task's stderr, its stdout and a download", async () => {
    expect((await api('POST', '/v2/apps', FAILING)).status).toBe(201);
    await page.goto(`${pacer!.url}/ui/#/apps${FAILING.id}`);
    const box = page.getByRole('region', { name: 'Last task failure' });
    await box.locator('.failure-message', { hasText: 'exited with status 1' }).waitFor(WAIT);
    failedTaskId = (await box.locator('.task-id').getAttribute('title'))!;
    expect(failedTaskId).toMatch(/^ui-viewer_failing\.instance-/);

    await box.getByRole('link', { name: 'Open its logs' }).click();
    await page.getByRole('heading', { name: 'Task logs' }).waitFor(WAIT);
    expect(new URL(page.url()).hash).toBe(`#/tasks/${encodeURIComponent(failedTaskId)}/logs/stderr`);
    expect(await page.getByRole('tab', { name: 'stderr' }).getAttribute('aria-selected')).toBe('true');
    await output().filter({ hasText: 'OSError' }).waitFor(WAIT);
    expect(await output().textContent()).toBe(STDERR);
    await screenshot(page, 'task-log-viewer-stderr');

    await page.getByRole('tab', { name: 'stdout' }).click();
    await output().filter({ hasText: 'starting on' }).waitFor(WAIT);
    expect(await output().textContent()).toMatch(/^starting on \d+\n$/);
    expect(new URL(page.url()).hash).toBe(`#/tasks/${encodeURIComponent(failedTaskId)}/logs/stdout`);

    const href = await page.getByRole('link', { name: 'Download' }).getAttribute('href');
    expect(href).toBe(`/pacer/tasks/${encodeURIComponent(failedTaskId)}/files/download?path=stdout`);
    const downloaded = await page.evaluate(async (url) => (await fetch(url)).text(), href!);
    expect(downloaded).toMatch(/^starting on \d+\n$/);
  }, 90_000);

  it('follows a running task: lines written after the page opened appear, pause while the tab is hidden, and reading stops when the user leaves', async () => {
    expect((await api('POST', '/v2/apps', TICKER)).status).toBe(201);
    await page.goto(`${pacer!.url}/ui/#/apps${TICKER.id}`);
    const logsLink = page.locator('table[aria-label="Tasks"] a[data-log-viewer]').first();
    await page.locator('table[aria-label="Tasks"] .state', { hasText: 'RUNNING' }).waitFor(WAIT);
    await logsLink.click();
    await page.getByRole('heading', { name: 'Task logs' }).waitFor(WAIT);
    await output().filter({ hasText: 'tick 0' }).waitFor(WAIT);
    const ticks = async (): Promise<number[]> =>
      ((await output().textContent()) ?? '')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => Number(/^tick (\d+)$/.exec(l)![1]));
    const atOpen = await ticks();
    const lastAtOpen = atOpen.at(-1)!;

    await page.getByRole('button', { name: 'Follow' }).click();
    expect(await page.locator('button[data-follow]').getAttribute('aria-pressed')).toBe('true');
    await output()
      .filter({ hasText: `tick ${lastAtOpen + 5}\n` })
      .waitFor(WAIT);
    // Appended in order, each line once: the viewer read on from where it was.
    const followed = await ticks();
    expect(followed).toEqual(followed.map((_, i) => i));
    expect(followed.length).toBeGreaterThan(atOpen.length + 4);
    await screenshot(page, 'task-log-viewer-follow');

    // A hidden browser tab pauses following (the page is told so as a browser tells it), and
    // showing it again resumes from where it was.
    const setVisibility = (state: 'hidden' | 'visible'): Promise<void> =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'visibilityState', { value, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await setVisibility('hidden');
    await page.getByRole('status').filter({ hasText: 'following paused while the tab is hidden' }).waitFor(WAIT);
    const readsWhileHidden: string[] = [];
    const countReads = (r: { url(): string }): void => {
      if (r.url().includes('/files/read')) readsWhileHidden.push(r.url());
    };
    page.on('request', countReads);
    await page.waitForTimeout(2500);
    page.off('request', countReads);
    expect(readsWhileHidden).toEqual([]);
    const lastWhileHidden = (await ticks()).at(-1)!;
    await setVisibility('visible');
    await output()
      .filter({ hasText: `tick ${lastWhileHidden + 3}\n` })
      .waitFor(WAIT);
    const resumed = await ticks();
    expect(resumed).toEqual(resumed.map((_, i) => i));

    // Leaving the page stops the polling: once the app page shows, no read of the file follows
    // for more than two follow intervals (a viewer still following would have read twice).
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: TICKER.id }).click();
    await page.getByRole('heading', { name: TICKER.id }).waitFor(WAIT);
    const reads: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/files/read')) reads.push(r.url());
    });
    await page.waitForTimeout(2500);
    expect(reads).toEqual([]);
    expect((await api('DELETE', `/v2/apps${TICKER.id}`)).status).toBe(200);
  }, 90_000);

  it('says clearly when a task has no sandbox', async () => {
    const unknown = 'ui-viewer_nothing.instance-00000000-0000-1000-8000-000000000000._app.1';
    await page.goto(`${pacer!.url}/ui/#/tasks/${encodeURIComponent(unknown)}/logs`);
    const alert = page.getByRole('alert').filter({ hasText: 'The sandbox of this task is gone' });
    await alert.waitFor(WAIT);
    expect(await output().isHidden()).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 30_000);

  it("still shows the failed task's stderr after Pacer restarts", async () => {
    await pacer!.stop();
    pacer = await start();
    // The restarted Pacer relaunches the failing app; its first task's sandbox is still on disk.
    await waitFor(
      'the restarted Pacer to serve the old sandbox',
      async () => ((await api('GET', `/pacer/tasks/${encodeURIComponent(failedTaskId)}/files/read?path=stderr&offset=-1`)).status === 200 ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    await page.goto(`${pacer.url}/ui/#/tasks/${encodeURIComponent(failedTaskId)}/logs/stderr`);
    await output().filter({ hasText: 'OSError' }).waitFor(WAIT);
    expect(await output().textContent()).toBe(STDERR);
    await screenshot(page, 'task-log-viewer-after-restart');
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
