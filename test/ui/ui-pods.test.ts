/**
 * Pods in the web UI, in headless Chromium against a real `pacer --master local` with process agents:
 * a pod of two containers (an HTTP server with a health check on its endpoint, and a sidecar sharing
 * its ephemeral volume) appears in the applications list with its containers and instances, turns
 * stable live; its page shows every instance's containers running and healthy on real host ports;
 * it is scaled from the page, one instance is killed and replaced as a whole, and the pod is
 * destroyed. Screenshots land in test-artifacts/ui/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, HAVE_CHROMIUM, launchBrowser, reportMissingChromium, screenshot, UUID, WAIT } from './browser.js';
import { printLogOnFailure, startTarget, type UiTarget } from './target.js';

reportMissingChromium('ui-pods.test');

const POD_ID = '/ui-pods/web';
const CHECK = { gracePeriodSeconds: 20, intervalSeconds: 2, timeoutSeconds: 1, maxConsecutiveFailures: 3, delaySeconds: 0 };
const POD = {
  id: POD_ID,
  scaling: { kind: 'fixed', instances: 2 },
  volumes: [{ name: 'shared' }],
  containers: [
    {
      name: 'server',
      exec: { command: { shell: 'echo hello > data/index.html && cd data && exec python3 -m http.server "$ENDPOINT_HTTP" --bind 127.0.0.1' } },
      resources: { cpus: 0.05, mem: 32 },
      endpoints: [{ name: 'http', hostPort: 0, protocol: ['tcp'] }],
      volumeMounts: [{ name: 'shared', mountPath: 'data' }],
      healthCheck: { http: { endpoint: 'http', path: '/index.html' }, ...CHECK },
    },
    {
      name: 'sidecar',
      exec: { command: { shell: 'while sleep 1; do cat data/index.html > /dev/null; done' } },
      resources: { cpus: 0.05, mem: 32 },
      volumeMounts: [{ name: 'shared', mountPath: 'data' }],
    },
  ],
  networks: [{ mode: 'host' }],
};

describe.skipIf(!HAVE_CHROMIUM)('pods in the web UI against a real pacer --master local', () => {
  let target: UiTarget;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];

  const shot = (name: string): Promise<void> => screenshot(page, `pods-${name}`);
  const instanceIds = async (): Promise<string[]> => [
    ...new Set(await page.locator('.instances-table tr[data-instance]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-instance') ?? ''))),
  ];
  printLogOnFailure(() => target);

  beforeAll(async () => {
    [target, browser] = await Promise.all([startTarget({ name: 'ui-pods', agents: 2 }), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    pageErrors = collectPageErrors(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await target?.close();
  }, 30_000);

  it('lists the pod with its containers and its instances turning stable, without a reload', async () => {
    await page.goto(`${target.baseUrl}/ui/`);
    await page.getByRole('heading', { name: 'Applications' }).waitFor(WAIT);
    await page.locator('#live[data-state="live"]').waitFor(WAIT);
    await page.getByRole('heading', { name: 'Pods (0)' }).waitFor(WAIT);

    const created = await target.api('POST', '/v2/pods', POD);
    expect(created.status).toBe(201);
    const row = page.locator(`.pods-table tr[data-pod-id="${POD_ID}"]`);
    await row.waitFor(WAIT);
    expect(await row.locator('.pod-containers .chip').allTextContents()).toEqual(['server', 'sidecar']);
    await row.locator('.pod-instances', { hasText: '2 of 2 stable' }).waitFor(WAIT);
    await row.locator('.badge', { hasText: 'Stable' }).waitFor(WAIT);
    // Per instance: the containers' 0.05 + 0.05 CPUs and 32 + 32 MiB plus the executor's 0.1 and 32 MiB.
    expect(await row.locator('td.col-num').allTextContents()).toEqual(['0.2', '96 MiB']);
    await shot('01-list');
  });

  it("shows the pod's page: containers, and each instance's containers running and healthy on real ports", async () => {
    await page.locator(`.pods-table a[href="#/pods/ui-pods/web"]`).click();
    await page.getByRole('heading', { name: POD_ID }).waitFor(WAIT);
    expect(
      await page.locator('table[aria-labelledby="containers-title"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-container'))),
    ).toEqual(['server', 'sidecar']);
    await page.locator('[data-testid="pod-instances"]', { hasText: '2 of 2 stable' }).waitFor(WAIT);
    await page.locator('.instances-table tr[data-container="server"] .task-health.healthy').nth(1).waitFor(WAIT);
    expect(await instanceIds()).toHaveLength(2);
    const states = await page.locator('.instances-table tr[data-container] .state').allTextContents();
    expect(states).toEqual(['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING']);

    // The server containers really serve on the host ports the page shows.
    const endpoints = await page.locator('.instances-table tr[data-container="server"] td.mono').allTextContents();
    const ports = endpoints.flatMap((text) => /^http:(\d+)$/.exec(text)?.[1] ?? []).map(Number);
    expect(ports).toHaveLength(2);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(target.portRange[0]);
      expect(port).toBeLessThanOrEqual(target.portRange[1]);
      const res = await fetch(`http://127.0.0.1:${port}/index.html`, { signal: AbortSignal.timeout(5_000) });
      expect(await res.text()).toBe('hello\n');
    }
    await shot('02-page');
  });

  it('scales the pod from its page', async () => {
    await page.getByRole('group', { name: 'Pod actions' }).getByRole('button', { name: 'Scale' }).click();
    await page.locator('#prompt-number').fill('3');
    await page.getByRole('dialog').getByRole('button', { name: 'Scale' }).click();
    const notice = page.locator('.notice.ok', { hasText: `Scaling ${POD_ID} to 3` });
    await notice.waitFor(WAIT);
    expect(await notice.locator('.deployment-id').textContent()).toMatch(UUID);
    await page.locator('[data-testid="pod-instances"]', { hasText: '3 of 3 stable' }).waitFor(WAIT);
    expect(await instanceIds()).toHaveLength(3);
    const stored = await target.api('GET', `/v2/pods${POD_ID}`);
    expect((stored.body as { scaling: { instances: number } }).scaling.instances).toBe(3);
    await shot('03-scaled');
  });

  it('kills one instance as a whole; the pod replaces it', async () => {
    const before = await instanceIds();
    const victim = before[0]!;
    await page.getByRole('button', { name: `Kill ${victim}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Kill' }).click();
    await page.locator('.notice.ok', { hasText: `Killing ${victim}` }).waitFor(WAIT);
    await page
      .locator(`.instances-table tr[data-instance="${victim}"]`)
      .first()
      .waitFor({ ...WAIT, state: 'detached' });
    await page.locator('[data-testid="pod-instances"]', { hasText: '3 of 3 stable' }).waitFor(WAIT);
    const after = await instanceIds();
    expect(after).toHaveLength(3);
    expect(after).not.toContain(victim);
    await shot('04-replaced');
  });

  it('destroys the pod and returns to the list', async () => {
    await page.getByRole('group', { name: 'Pod actions' }).getByRole('button', { name: 'Destroy' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Destroy' }).click();
    await page.locator('.notice.ok', { hasText: `Destroying ${POD_ID}` }).waitFor(WAIT);
    await page.getByRole('heading', { name: 'Applications' }).waitFor(WAIT);
    await page.getByRole('heading', { name: 'Pods (0)' }).waitFor(WAIT);
    const gone = await target.api('GET', `/v2/pods${POD_ID}`);
    expect(gone.status).toBe(404);
    await shot('05-destroyed');
    expect(pageErrors).toEqual([]);
  });
});
