/**
 * Groups as folders in headless Chromium against a real `pacer --master local` (simulated agents,
 * so tasks run without processes): the first load shows a loading state, not "No applications
 * match." (the real server's /v2/apps answer is held back by route interception, then let
 * through unchanged); folders with their totals; into a nested group and back by the breadcrumb;
 * the filter still searching every app flat; a group scaled ×2 and a group deleted through the
 * page, each checked against what the API then reports.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, HAVE_CHROMIUM, launchBrowser, reportMissingChromium, screenshot, UUID, WAIT } from './browser.js';
import { printLogOnFailure, startTarget, type UiTarget } from './target.js';

reportMissingChromium('ui-groups.test');

const app = (id: string, instances: number): Record<string, unknown> => ({ id, cmd: 'sleep 1000', instances, cpus: 0.1, mem: 16 });
const APPS = [app('/alpha', 1), app('/shop/web', 2), app('/shop/api', 1), app('/shop/backend/db', 1), app('/shop/backend/cache', 1)];

interface AppsBody {
  apps: Array<{ id: string; instances: number }>;
}

describe.skipIf(!HAVE_CHROMIUM)('groups as folders in the web UI, against a real pacer', () => {
  let target: UiTarget;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  printLogOnFailure(() => target);

  const rowKeys = (): Promise<string[]> =>
    page.locator('table[aria-label="Applications"] tr[data-key]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key') ?? ''));
  const cells = (key: string): Promise<string[]> => page.locator(`tr[data-key="${key}"] td`).allTextContents();
  const instancesByApp = async (): Promise<Record<string, number>> => {
    const res = await target.api('GET', '/v2/apps');
    expect(res.status).toBe(200);
    return Object.fromEntries((res.body as AppsBody).apps.map((a) => [a.id, a.instances]));
  };
  const waitNoDeployments = async (): Promise<void> => {
    await expect.poll(async () => ((await target.api('GET', '/v2/deployments')).body as unknown[]).length, { timeout: WAIT.timeout, interval: 200 }).toBe(0);
  };

  beforeAll(async () => {
    [target, browser] = await Promise.all([startTarget({ name: 'ui-groups', agents: 0, simulatedAgents: 2 }), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1360, height: 860 }, colorScheme: 'dark' });
    pageErrors = collectPageErrors(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await target?.close();
  }, 30_000);

  it('shows a loading state until the first /v2/apps answer arrives, then the "no apps yet" state', async () => {
    // Hold the real server's answers to GET /v2/apps until the page has been looked at.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held = 0;
    const isAppsList = (url: URL): boolean => url.pathname === '/v2/apps';
    await page.route(isAppsList, async (route) => {
      held++;
      await released;
      await route.continue();
    });

    await page.goto(`${target.baseUrl}/ui/`);
    await page.getByRole('heading', { name: 'Applications' }).waitFor(WAIT);
    const loading = page.locator('.empty .loading', { hasText: 'Loading applications…' });
    await loading.waitFor(WAIT);
    expect(held).toBeGreaterThan(0);
    expect(await page.getByText('No applications match.').count()).toBe(0);
    expect(await page.getByText('No applications yet.').count()).toBe(0);
    expect(await page.locator('.summary').textContent()).toBe('Loading…');
    await screenshot(page, 'groups-01-first-load');

    release();
    await page.locator('.empty', { hasText: 'No applications yet.' }).waitFor(WAIT);
    expect(await page.locator('.empty').getByRole('link', { name: 'Create' }).getAttribute('href')).toBe('#/new');
    expect(await loading.count()).toBe(0);
    expect(await page.getByText('No applications match.').count()).toBe(0);
    await page.unroute(isAppsList);
  });

  it('lists top-level groups as folders with their totals, before the root apps', async () => {
    const created = await target.api('PUT', '/v2/apps', APPS);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    await page.locator('.summary', { hasText: /^5 apps — 5 running$/ }).waitFor(WAIT);
    const shop = page.locator('tr[data-key="/shop/"]');
    await shop.waitFor(WAIT);
    await page.waitForFunction(() => document.querySelector('tr[data-key="/shop/"] td:nth-child(3)')?.textContent === '5 / 5', undefined, WAIT);

    expect(await rowKeys()).toEqual(['/shop/', '/alpha']);
    // Folder: its name and app count, aggregated status, tasks / instances, health, Σ cpus × instances, Σ mem × instances.
    const [name, status, running, , cpus, mem] = await cells('/shop/');
    expect(name).toBe('shop4 apps');
    expect(status).toBe('Running');
    expect(running).toBe('5 / 5');
    expect(cpus).toBe('0.5 total');
    expect(mem).toBe('80 MiB total');
    expect(await shop.getByRole('link', { name: 'shop' }).getAttribute('href')).toBe('#/groups/shop');
    await screenshot(page, 'groups-02-folders');
  });

  it('opens a nested group and comes back up by the breadcrumb', async () => {
    await page.locator('tr[data-key="/shop/"]').getByRole('link', { name: 'shop' }).click();
    await page.getByRole('heading', { name: '/shop', exact: true }).waitFor(WAIT);
    expect(new URL(page.url()).hash).toBe('#/groups/shop');
    await page.locator('.summary', { hasText: /^4 apps — 4 running$/ }).waitFor(WAIT);
    expect(await rowKeys()).toEqual(['/shop/backend/', '/shop/api', '/shop/web']);
    expect((await cells('/shop/backend/')).slice(0, 3)).toEqual(['backend2 apps', 'Running', '2 / 2']);
    // An app inside a group is named relative to it.
    expect(await page.locator('tr[data-key="/shop/web"] a.app-link').textContent()).toBe('web');
    const crumbs = page.getByRole('navigation', { name: 'Breadcrumb' });
    expect(await crumbs.locator('li').allTextContents()).toEqual(['Applications', 'shop']);

    await page.locator('tr[data-key="/shop/backend/"]').getByRole('link', { name: 'backend' }).click();
    await page.getByRole('heading', { name: '/shop/backend', exact: true }).waitFor(WAIT);
    expect(new URL(page.url()).hash).toBe('#/groups/shop/backend');
    await page.locator('tr[data-key="/shop/backend/db"]').waitFor(WAIT);
    expect(await rowKeys()).toEqual(['/shop/backend/cache', '/shop/backend/db']);
    expect(await crumbs.locator('li').allTextContents()).toEqual(['Applications', 'shop', 'backend']);
    expect(await crumbs.locator('[aria-current="page"]').textContent()).toBe('backend');
    await screenshot(page, 'groups-03-nested');
    await page.emulateMedia({ colorScheme: 'light' });
    await screenshot(page, 'groups-03-nested-light');
    await page.emulateMedia({ colorScheme: 'dark' });

    await crumbs.getByRole('link', { name: 'shop' }).click();
    await page.getByRole('heading', { name: '/shop', exact: true }).waitFor(WAIT);
    await page.locator('tr[data-key="/shop/backend/"]').waitFor(WAIT);
    // An app's page leads back to its group too.
    await page.locator('tr[data-key="/shop/web"]').getByRole('link', { name: 'web' }).click();
    await page.getByRole('heading', { name: '/shop/web', exact: true }).waitFor(WAIT);
    expect(await crumbs.getByRole('link').allTextContents()).toEqual(['Applications', 'shop']);
    await crumbs.getByRole('link', { name: 'shop' }).click();
    await page.getByRole('heading', { name: '/shop', exact: true }).waitFor(WAIT);
    expect(new URL(page.url()).hash).toBe('#/groups/shop');
    await crumbs.getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('heading', { name: 'Applications', exact: true }).waitFor(WAIT);
    await page.locator('tr[data-key="/alpha"]').waitFor(WAIT);
    expect(await rowKeys()).toEqual(['/shop/', '/alpha']);
  });

  it('filters every app by id, flat, across groups', async () => {
    await page.locator('#app-filter').fill('db');
    await page.locator('.summary', { hasText: /^1 of 5 apps/ }).waitFor(WAIT);
    expect(await rowKeys()).toEqual(['/shop/backend/db']);
    expect(await page.locator('tr[data-key="/shop/backend/db"] a.app-link').textContent()).toBe('/shop/backend/db');
    await page.locator('#app-filter').fill('nothing-matches-this');
    await page.getByText('No applications match.').waitFor(WAIT);
    await page.locator('#app-filter').fill('');
    await page.locator('tr[data-key="/shop/"]').waitFor(WAIT);
  });

  it('scales a group ×2 through its dialog: every app below it doubles', async () => {
    await waitNoDeployments();
    await page.locator('tr[data-key="/shop/"]').getByRole('link', { name: 'shop' }).click();
    await page.getByRole('heading', { name: '/shop', exact: true }).waitFor(WAIT);
    await page.getByRole('group', { name: 'Group actions' }).getByRole('button', { name: 'Scale' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor(WAIT);
    await dialog.getByLabel('Scale factor').fill('2');
    await dialog.locator('output', { hasText: '4 apps: 5 instances now, 10 instances after.' }).waitFor(WAIT);
    await screenshot(page, 'groups-04-scale-dialog');
    await dialog.getByRole('button', { name: 'Scale' }).click();

    const notice = page.locator('.notice.ok', { hasText: 'Scaling /shop by ×2' });
    await notice.waitFor(WAIT);
    expect(await notice.locator('.deployment-id').textContent()).toMatch(UUID);
    expect(await instancesByApp()).toEqual({ '/alpha': 1, '/shop/web': 4, '/shop/api': 2, '/shop/backend/db': 2, '/shop/backend/cache': 2 });
    // The page follows through the event stream.
    await page.waitForFunction(() => document.querySelector('tr[data-key="/shop/backend/"] td:nth-child(3)')?.textContent === '4 / 4', undefined, WAIT);
    await page.locator('.summary', { hasText: /^4 apps — 4 running$/ }).waitFor(WAIT);
    await waitNoDeployments();
  });

  it('deletes a group after a confirmation naming its apps: the group and its apps are gone', async () => {
    await page.locator('tr[data-key="/shop/backend/"]').getByRole('link', { name: 'backend' }).click();
    await page.getByRole('heading', { name: '/shop/backend', exact: true }).waitFor(WAIT);
    await page.waitForFunction(() => document.querySelector('tr[data-key="/shop/backend/db"] td:nth-child(3)')?.textContent === '2 / 2', undefined, WAIT);
    await page.getByRole('group', { name: 'Group actions' }).getByRole('button', { name: 'Delete' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor(WAIT);
    expect(await dialog.locator('.group-delete-count').textContent()).toBe(
      'This destroys 2 apps (4 running tasks) in /shop/backend and its sub-groups, and deletes the group.',
    );
    await screenshot(page, 'groups-05-delete-dialog');
    await dialog.getByRole('button', { name: 'Delete group' }).click();

    const notice = page.locator('.notice.ok', { hasText: 'Deleting /shop/backend (2 apps)' });
    await notice.waitFor(WAIT);
    expect(await notice.locator('.deployment-id').textContent()).toMatch(UUID);
    // Back on the parent group, which no longer holds the folder.
    await page.getByRole('heading', { name: '/shop', exact: true }).waitFor(WAIT);
    await page.locator('.summary', { hasText: /^2 apps/ }).waitFor(WAIT);
    expect(await rowKeys()).toEqual(['/shop/api', '/shop/web']);

    expect((await target.api('GET', '/v2/groups/shop/backend')).status).toBe(404);
    expect((await target.api('GET', '/v2/apps/shop/backend/db')).status).toBe(404);
    expect((await target.api('GET', '/v2/apps/shop/backend/cache')).status).toBe(404);
    expect(Object.keys(await instancesByApp()).sort()).toEqual(['/alpha', '/shop/api', '/shop/web']);
    await waitNoDeployments();
    await screenshot(page, 'groups-06-after-delete');
  });

  it('shows a group without apps as an empty folder and deletes it with the pod it holds', async () => {
    const created = await target.api('POST', '/v2/groups', { id: '/empty' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const pod = {
      id: '/empty/idle',
      scaling: { kind: 'fixed', instances: 0 },
      containers: [{ name: 'main', exec: { command: { shell: 'sleep 1000' } }, resources: { cpus: 0.1, mem: 16 } }],
    };
    const podCreated = await target.api('POST', '/v2/pods', pod);
    expect(podCreated.status, JSON.stringify(podCreated.body)).toBe(201);
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Applications' }).click();
    const folder = page.locator('tr[data-key="/empty/"]');
    await folder.waitFor(WAIT);
    expect(await rowKeys()).toEqual(['/empty/', '/shop/', '/alpha']);
    expect((await cells('/empty/')).slice(0, 3)).toEqual(['empty0 apps', '', '0 / 0']);

    // The pods list has read the pod, so the delete dialog can count it.
    await page.locator('.pods-table tr[data-pod-id="/empty/idle"]').waitFor(WAIT);
    await folder.getByRole('link', { name: 'empty' }).click();
    await page.getByRole('heading', { name: '/empty', exact: true }).waitFor(WAIT);
    await page.locator('.empty', { hasText: 'No applications in /empty.' }).waitFor(WAIT);
    await page.getByRole('group', { name: 'Group actions' }).getByRole('button', { name: 'Delete' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor(WAIT);
    expect(await dialog.locator('.group-delete-count').textContent()).toBe(
      'This destroys 0 apps (0 running tasks) and 1 pod in /empty and its sub-groups, and deletes the group.',
    );
    await dialog.getByRole('button', { name: 'Delete group' }).click();
    await page.locator('.notice.ok', { hasText: 'Deleting /empty (0 apps)' }).waitFor(WAIT);
    await page.getByRole('heading', { name: 'Applications', exact: true }).waitFor(WAIT);
    await folder.waitFor({ state: 'detached', ...WAIT });
    expect((await target.api('GET', '/v2/groups/empty')).status).toBe(404);
    expect((await target.api('GET', '/v2/pods/empty/idle')).status).toBe(404);
    expect(pageErrors).toEqual([]);
  });
});
