/**
 * Task actions on the app page, in headless Chromium against a real `pacer --master local`:
 * readable task ids with a copy button that puts the full id on the clipboard (by keyboard),
 * selecting tasks, "Kill" (the API then shows a replacement with a new id and the same instance
 * count), "Kill and scale" (instances drop by the number killed, in a deployment whose id the
 * notice shows) and "Restart" (a RestartApplication deployment, every task replaced). "Kill and
 * wipe" is not offered here: Marathon's UI offered it for tasks with persistent volumes only,
 * and Pacer runs no resident apps (see task-id.test.ts for the rule).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/processes.js';
import { collectPageErrors, HAVE_CHROMIUM, launchBrowser, reportMissingChromium, screenshot, UUID, WAIT } from './browser.js';
import { printLogOnFailure, startTarget, type UiTarget } from './target.js';

reportMissingChromium('ui-task-actions.test');

const APP = {
  id: '/ui-actions/sleeper',
  cmd: 'while true; do sleep 1; done',
  cpus: 0.05,
  mem: 16,
  instances: 4,
};

interface TaskJson {
  id: string;
  state?: string;
}

interface DeploymentEvent {
  eventType: string;
  plan?: { id?: string; steps?: Array<{ actions?: Array<{ action?: string; app?: string }> }> };
}

describe.skipIf(!HAVE_CHROMIUM)('task actions in the web UI', () => {
  let target: UiTarget;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[] = [];
  printLogOnFailure(() => target);

  const runningTasks = async (): Promise<string[]> => {
    const answer = await target.api('GET', `/v2/apps${APP.id}/tasks`);
    return (answer.body as { tasks: TaskJson[] }).tasks.filter((t) => t.state === 'TASK_RUNNING').map((t) => t.id);
  };
  const instances = async (): Promise<number> => ((await target.api('GET', `/v2/apps${APP.id}`)).body as { app: { instances: number } }).app.instances;
  /** The app's running task ids once exactly `count` run and no deployment is left. */
  const settled = (count: number): Promise<string[]> =>
    waitFor(
      `${count} running tasks and no deployment`,
      async () => {
        const deployments = (await target.api('GET', '/v2/deployments')).body as unknown[];
        const ids = await runningTasks();
        return deployments.length === 0 && ids.length === count ? ids : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  const rowsShown = (ids: readonly string[]): Promise<unknown> =>
    page.waitForFunction(
      (wanted) => {
        const shown = Array.from(document.querySelectorAll('table[aria-label="Tasks"] tbody tr[data-key]'), (r) => r.getAttribute('data-key'));
        return shown.length === wanted.length && wanted.every((id) => shown.includes(id));
      },
      ids,
      WAIT,
    );
  const toolbar = (): ReturnType<Page['getByRole']> => page.getByRole('toolbar', { name: 'Task actions' });
  const selectTask = (id: string): Promise<void> => page.locator(`input.task-select[data-task-id="${id}"]`).check();

  beforeAll(async () => {
    [target, browser] = await Promise.all([startTarget({ name: 'ui-task-actions', agents: 2 }), launchBrowser()]);
    context = await browser.newContext({ viewport: { width: 1360, height: 900 }, colorScheme: 'light' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: target.baseUrl });
    page = await context.newPage();
    pageErrors = collectPageErrors(page);
    expect((await target.api('POST', '/v2/apps', APP)).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await target?.close();
  }, 30_000);

  it('shows task ids readably, with the full id in the tooltip and a copy button that works from the keyboard', async () => {
    const ids = await settled(4);
    await page.goto(`${target.baseUrl}/ui/#/apps${APP.id}`);
    await rowsShown(ids);
    const id = ids[0]!;
    const cell = page.locator(`tr[data-key="${id}"] .task-id`);
    expect(await cell.getAttribute('title')).toBe(id);
    // The app prefix is elided, the UUID's first group stands out.
    const uuid = /\.instance-([0-9a-f-]{36})\./.exec(id)![1]!;
    expect(await cell.locator('.task-id-prefix').textContent()).toBe('…');
    expect(await cell.locator('.task-id-unique').textContent()).toBe(uuid.slice(0, 8));
    expect(await cell.locator('[aria-hidden="true"]').allTextContents()).not.toContain('ui-actions_sleeper.instance-');

    const copy = page.locator(`tr[data-key="${id}"]`).getByRole('button', { name: `Copy task id ${id}` });
    await copy.focus();
    await page.keyboard.press('Enter');
    await page.locator('.notice', { hasText: 'Copied' }).waitFor(WAIT);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(id);
    await screenshot(page, 'task-actions-ids');
  }, 60_000);

  it('selects every task with "Select all"; no "Kill and wipe" for an app without persistent volumes', async () => {
    await toolbar().getByLabel('Select all').check();
    await toolbar().locator('.task-selected-count', { hasText: '4 of 4 selected' }).waitFor(WAIT);
    expect(await page.locator('input.task-select:checked').count()).toBe(4);
    expect(await toolbar().getByRole('button', { name: 'Kill and wipe' }).isHidden()).toBe(true);
    await toolbar().getByLabel('Select all').uncheck();
    await toolbar().locator('.task-selected-count', { hasText: 'No task selected' }).waitFor(WAIT);
    expect(await toolbar().getByRole('button', { name: 'Kill', exact: true }).isDisabled()).toBe(true);
  });

  it('kills a task: the app replaces it with a new task and keeps its instance count', async () => {
    const before = await settled(4);
    const victim = before[1]!;
    await selectTask(victim);
    await toolbar().getByRole('button', { name: 'Kill', exact: true }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.getByRole('heading', { name: `Kill 1 task of ${APP.id}?` }).waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Kill', exact: true }).click();
    await page.locator('.notice.ok', { hasText: `Killed 1 task of ${APP.id}` }).waitFor(WAIT);

    const after = await waitFor(
      'a replacement for the killed task',
      async () => {
        const ids = await runningTasks();
        return ids.length === 4 && !ids.includes(victim) ? ids : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(after.filter((id) => !before.includes(id))).toHaveLength(1);
    expect(await instances()).toBe(4);
    await rowsShown(after);
  }, 60_000);

  it('kills two tasks and scales: instances drop by two, in a deployment the notice names', async () => {
    const before = await settled(4);
    const victims = [before[0]!, before[3]!];
    for (const id of victims) await selectTask(id);
    await toolbar().locator('.task-selected-count', { hasText: '2 of 4 selected' }).waitFor(WAIT);
    await toolbar().getByRole('button', { name: 'Kill and scale' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.getByRole('heading', { name: `Kill 2 tasks and scale ${APP.id} down?` }).waitFor(WAIT);
    expect(await dialog.textContent()).toContain('goes from 4 to 2');
    await screenshot(page, 'task-actions-kill-and-scale-dialog');
    await dialog.getByRole('button', { name: 'Kill and scale' }).click();
    const notice = page.locator('.notice.ok', { hasText: `Killing 2 tasks of ${APP.id} and scaling to 2` });
    await notice.waitFor(WAIT);
    expect(await notice.locator('.deployment-id').textContent()).toMatch(UUID);

    const after = await settled(2);
    expect(await instances()).toBe(2);
    expect(after.some((id) => victims.includes(id))).toBe(false);
    expect(after.every((id) => before.includes(id))).toBe(true);
    await rowsShown(after);
  }, 60_000);

  it('restarts the app: a RestartApplication deployment replaces every task', async () => {
    const before = await settled(2);
    await page.evaluate(() => {
      const seen: DeploymentEvent[] = [];
      (window as unknown as { deploymentEvents: DeploymentEvent[] }).deploymentEvents = seen;
      const source = new EventSource('/v2/events?event_type=deployment_info');
      source.addEventListener('deployment_info', (e) => seen.push(JSON.parse((e as MessageEvent<string>).data) as DeploymentEvent));
      return new Promise<void>((resolve) => source.addEventListener('open', () => resolve()));
    });
    await page.getByRole('group', { name: 'App actions' }).getByRole('button', { name: 'Restart' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.getByRole('button', { name: 'Restart' }).click();
    const notice = page.locator('.notice.ok', { hasText: `Restarting ${APP.id}` });
    await notice.waitFor(WAIT);
    const deploymentId = await notice.locator('.deployment-id').textContent();
    expect(deploymentId).toMatch(UUID);

    const actions = await page.waitForFunction(
      (id) => {
        const events = (window as unknown as { deploymentEvents: DeploymentEvent[] }).deploymentEvents;
        const plan = events.find((e) => e.plan?.id === id)?.plan;
        return plan === undefined ? undefined : (plan.steps ?? []).flatMap((s) => (s.actions ?? []).map((a) => `${a.action} ${a.app}`));
      },
      deploymentId,
      WAIT,
    );
    expect(await actions.jsonValue()).toEqual([`RestartApplication ${APP.id}`]);
    const after = await waitFor(
      'every task replaced',
      async () => {
        const deployments = (await target.api('GET', '/v2/deployments')).body as unknown[];
        const ids = await runningTasks();
        return deployments.length === 0 && ids.length === 2 && ids.every((id) => !before.includes(id)) ? ids : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(await instances()).toBe(2);
    await rowsShown(after);
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
