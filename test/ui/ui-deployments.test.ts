/**
 * The deployments page in headless Chromium against a real `pacer --master local` with one process
 * agent of 4 CPUs: two deployments that cannot finish — a scale to more instances than the agent
 * holds, and an upgrade to 100 CPUs — are listed live with their steps, actions and progress, and
 * the header counts them. "Cancel (roll back)" on the first makes Pacer roll it back (the original
 * deployment is gone, the app is back to one instance); "Stop (force)" on the second ends it
 * where it is (the app keeps its 100-CPU definition). Screenshots land in test-artifacts/ui/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/http.js';
import { collectPageErrors, HAVE_CHROMIUM, launchBrowser, reportMissingChromium, screenshot, UUID, WAIT } from './browser.js';
import { printLogOnFailure, startTarget, type UiTarget } from './target.js';

reportMissingChromium('ui-deployments.test');

const SCALED = '/ui-dq/scaled';
const UPGRADED = '/ui-dq/upgraded';
const base = { cmd: 'sleep 3600', mem: 16, instances: 1 };

interface DeploymentJson {
  id: string;
  affectedApps: string[];
  steps: Array<{ actions: Array<{ action: string; app?: string }> }>;
}

interface AppJson {
  id: string;
  instances: number;
  cpus: number;
  tasksRunning: number;
  deployments: Array<{ id: string }>;
}

describe.skipIf(!HAVE_CHROMIUM)('deployments page against a real pacer --master local', () => {
  let target: UiTarget;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  let scaleDeployment = '';
  let upgradeDeployment = '';

  const shot = (name: string): Promise<void> => screenshot(page, `deployments-${name}`);
  const deployments = async (): Promise<DeploymentJson[]> => (await target.api('GET', '/v2/deployments')).body as DeploymentJson[];
  const app = async (id: string): Promise<AppJson> => ((await target.api('GET', `/v2/apps${id}`)).body as { app: AppJson }).app;
  const card = (id: string) => page.locator(`article.deployment-card[data-deployment-id="${id}"]`);
  printLogOnFailure(() => target);

  beforeAll(async () => {
    [target, browser] = await Promise.all([startTarget({ name: 'ui-deployments', agents: 1 }), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    pageErrors = collectPageErrors(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await target?.close();
  }, 30_000);

  it('says that no deployment is running once the first load has finished', async () => {
    // The first answer is held back: until it arrives the page says it is loading, not that nothing runs.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let heldRequests = 0;
    await page.route(`${target.baseUrl}/v2/deployments**`, async (route) => {
      heldRequests++;
      await held;
      await route.continue();
    });
    await page.goto(`${target.baseUrl}/ui/#/deployments`);
    await page.locator('.summary', { hasText: 'Loading…' }).waitFor(WAIT);
    await waitFor(() => heldRequests > 0, { timeoutMs: 20_000, what: 'the first list request' });
    expect(await page.getByText('No deployment is running.').isHidden()).toBe(true);
    release();
    await page.unrouteAll({ behavior: 'wait' });
    await page.getByRole('heading', { name: 'Deployments', level: 1 }).waitFor(WAIT);
    await page.locator('#live[data-state="live"]').waitFor(WAIT);
    await page.getByText('No deployment is running.').waitFor(WAIT);
    expect(await page.locator('header nav a[aria-current="page"]').textContent()).toMatch(/^Deployments/);
    expect(await page.locator('#deployment-count').isHidden()).toBe(true);

    // Two apps that start: 1.5 and 0.1 of the agent's 4 CPUs.
    for (const definition of [
      { ...base, id: SCALED, cpus: 1.5 },
      { ...base, id: UPGRADED, cpus: 0.1 },
    ]) {
      expect((await target.api('POST', '/v2/apps', definition)).status).toBe(201);
    }
    await waitFor(async () => (await app(SCALED)).tasksRunning === 1 && (await app(UPGRADED)).tasksRunning === 1 && (await deployments()).length === 0, {
      timeoutMs: 30_000,
      what: 'both apps running and their deployments done',
    });
    await page.getByText('No deployment is running.').waitFor(WAIT);
  });

  it('lists two deployments that cannot finish, live, with their steps, actions and progress', async () => {
    // Three instances of 1.5 CPUs need 4.5 of the agent's 4; the third never fits.
    const scaled = await target.api('PUT', `/v2/apps${SCALED}`, { instances: 3 });
    expect(scaled.status).toBe(200);
    scaleDeployment = (scaled.body as { deploymentId: string }).deploymentId;
    // 100 CPUs fit no agent: the new version never starts, so the old task is never replaced.
    const upgraded = await target.api('PUT', `/v2/apps${UPGRADED}`, { cpus: 100 });
    expect(upgraded.status).toBe(200);
    upgradeDeployment = (upgraded.body as { deploymentId: string }).deploymentId;
    expect(scaleDeployment).toMatch(UUID);
    expect(upgradeDeployment).toMatch(UUID);

    // No reload: the event stream brings both in.
    await card(scaleDeployment).waitFor(WAIT);
    await card(upgradeDeployment).waitFor(WAIT);
    await page.getByText('No deployment is running.').waitFor({ ...WAIT, state: 'hidden' });
    await page.locator('#deployment-count', { hasText: '2' }).waitFor(WAIT);
    await page.locator('.summary', { hasText: '2 running deployments' }).waitFor(WAIT);

    const api = await deployments();
    for (const [id, appId] of [
      [scaleDeployment, SCALED],
      [upgradeDeployment, UPGRADED],
    ] as const) {
      const expected = api.find((d) => d.id === id)!;
      expect(expected.affectedApps).toEqual([appId]);
      const c = card(id);
      expect(await c.locator('.dq-affected a').getAttribute('href')).toBe(`#/apps${appId}`);
      // Every step of the plan, with each action's type and app, in order.
      const shown = await c
        .locator('.dq-step')
        .evaluateAll((steps) =>
          steps.map((s) => Array.from(s.querySelectorAll('.dq-action')).map((a) => [a.getAttribute('data-action'), a.querySelector('a')?.textContent])),
        );
      expect(shown).toEqual(expected.steps.map((s) => s.actions.map((a) => [a.action, a.app])));
      expect(shown.flat().length).toBeGreaterThan(0);
      // Stuck in its last step: "Step n of n", the step marked as running.
      const total = expected.steps.length;
      await c.locator('.dq-step-count', { hasText: `Step ${total} of ${total}` }).waitFor(WAIT);
      const states = await c.locator('.dq-step').evaluateAll((steps) => steps.map((s) => [s.getAttribute('data-state'), s.getAttribute('aria-current')]));
      expect(states).toEqual([...Array.from({ length: total - 1 }, () => ['done', null]), ['current', 'step']]);
      expect(await c.locator('progress').getAttribute('max')).toBe(String(total));
    }
    expect(await card(scaleDeployment).locator('.dq-action').first().getAttribute('data-action')).toBe('ScaleApplication');
    // The scale's progress in instances: two of 1.5 CPUs fit the agent, the third never does.
    await card(scaleDeployment).locator('.dq-instances', { hasText: '2 of 3 running' }).waitFor(WAIT);
    expect(Number(await card(scaleDeployment).locator('progress').getAttribute('value'))).toBeCloseTo(2 / 3);
    expect(await card(upgradeDeployment).locator('.dq-action').first().getAttribute('data-action')).toBe('RestartApplication');
    await shot('01-two-stuck');
  });

  it('"Cancel (roll back)" asks, then Pacer rolls the scale back: the deployment is gone and the app has one instance again', async () => {
    await card(scaleDeployment)
      .getByRole('button', { name: `Cancel deployment ${scaleDeployment} and roll back` })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('rolls').waitFor(WAIT);
    expect(await dialog.textContent()).toContain(SCALED);
    await shot('02-confirm-rollback');
    await dialog.getByRole('button', { name: 'Cancel and roll back' }).click();

    const notice = page.locator('.notice.ok', { hasText: `Cancelling ${scaleDeployment}, rolling back` });
    await notice.waitFor(WAIT);
    const rollbackId = await notice.locator('.deployment-id').textContent();
    expect(rollbackId).toMatch(UUID);
    expect(rollbackId).not.toBe(scaleDeployment);
    await card(scaleDeployment).waitFor({ ...WAIT, state: 'detached' });
    await card(upgradeDeployment).waitFor(WAIT);

    expect((await deployments()).map((d) => d.id)).not.toContain(scaleDeployment);
    const rolledBack = await waitFor(
      async () => {
        const a = await app(SCALED);
        return a.instances === 1 && a.tasksRunning === 1 && a.deployments.length === 0 && a;
      },
      { timeoutMs: 30_000, what: `${SCALED} back to one running instance with no deployment` },
    );
    expect(rolledBack.cpus).toBe(1.5);
    await page.locator('#deployment-count', { hasText: /^1$/ }).waitFor(WAIT);
  });

  it('"Stop (force)" asks, then the deployment ends where it is and the app keeps its new definition', async () => {
    await card(upgradeDeployment)
      .getByRole('button', { name: `Stop deployment ${upgradeDeployment} without rollback` })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('keeps its new definition').waitFor(WAIT);
    expect(await dialog.textContent()).toContain(UPGRADED);
    await dialog.getByRole('button', { name: 'Stop deployment' }).click();
    await page.locator('.notice.ok', { hasText: `Deployment ${upgradeDeployment} stopped.` }).waitFor(WAIT);
    await card(upgradeDeployment).waitFor({ ...WAIT, state: 'detached' });
    await page.getByText('No deployment is running.').waitFor(WAIT);
    expect(await page.locator('#deployment-count').isHidden()).toBe(true);

    expect(await deployments()).toEqual([]);
    const kept = await app(UPGRADED);
    expect(kept.cpus).toBe(100);
    expect(kept.deployments).toEqual([]);
    await shot('03-none-running');
    expect(pageErrors).toEqual([]);
  });
});
