/**
 * The web UI behind HTTP Basic: a real `pacer --master local --http_credentials ops:secret`.
 * A browser without credentials (or with wrong ones) gets the server's 401 and its challenge, which
 * is what makes a real browser show its login prompt; a browser that answers the challenge loads
 * the UI, keeps a live event stream and lists the apps.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, HAVE_CHROMIUM, launchBrowser, reportMissingChromium, screenshot, WAIT } from './browser.js';
import { printLogOnFailure, startTarget, type UiTarget } from './target.js';

reportMissingChromium('ui-auth.test');

const CREDENTIALS = { username: 'ops', password: 'secret' };

describe.skipIf(!HAVE_CHROMIUM)('web UI behind --http_credentials (real pacer)', () => {
  let target: UiTarget;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  printLogOnFailure(() => target);

  const newContext = async (httpCredentials?: { username: string; password: string }): Promise<BrowserContext> => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, colorScheme: 'dark', ...(httpCredentials ? { httpCredentials } : {}) });
    contexts.push(context);
    return context;
  };

  beforeAll(async () => {
    [target, browser] = await Promise.all([startTarget({ name: 'ui-auth', agents: 0, simulatedAgents: 1, credentials: CREDENTIALS }), launchBrowser()]);
    const created = await target.api('POST', '/v2/apps', { id: '/ops/listed', cmd: 'sleep 1000', instances: 1, cpus: 0.1, mem: 16 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }, 60_000);

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  afterAll(async () => {
    await browser?.close();
    await target?.close();
  }, 30_000);

  it('answers a browser without credentials with 401 and a Basic challenge', async () => {
    const page = await (await newContext()).newPage();
    const responses: Array<{ url: string; status: number; challenge: string | undefined }> = [];
    page.on('response', (r) => responses.push({ url: r.url(), status: r.status(), challenge: r.headers()['www-authenticate'] }));
    // Headless Chromium has nobody to type into its login prompt, so it gives the navigation up.
    const navigation = await page.goto(`${target.baseUrl}/ui/`).then(
      (r) => `loaded with status ${r?.status()}`,
      (err: Error) => err.message,
    );
    expect(navigation).toContain('net::ERR_INVALID_AUTH_CREDENTIALS');
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ url: `${target.baseUrl}/ui/`, status: 401 });
    expect(responses[0]!.challenge).toMatch(/^Basic realm="[^"]+"/);
    expect(await page.getByRole('heading', { name: 'Applications' }).count()).toBe(0);
    // The API the UI would call is closed the same way.
    const api = await page.request.get(`${target.baseUrl}/v2/apps`);
    expect(api.status()).toBe(401);
    expect(api.headers()['www-authenticate']).toMatch(/^Basic /);
  });

  it('answers wrong credentials with 401 too', async () => {
    const page = await (await newContext({ username: 'ops', password: 'not-the-secret' })).newPage();
    const response = await page.goto(`${target.baseUrl}/ui/`);
    expect(response?.status()).toBe(401);
    expect(response?.headers()['www-authenticate']).toMatch(/^Basic realm="[^"]+"/);
    expect(await page.getByRole('heading', { name: 'Applications' }).count()).toBe(0);
    expect(await page.locator('body').textContent()).toContain('Invalid username or password.');
    await screenshot(page, '13-auth-401-wrong-credentials');
  });

  it('loads the UI, goes live and lists the apps for a browser that answers the challenge', async () => {
    const page = await (await newContext(CREDENTIALS)).newPage();
    const errors = collectPageErrors(page);
    const response = await page.goto(`${target.baseUrl}/ui/`);
    expect(response?.status()).toBe(200);
    await page.getByRole('heading', { name: 'Applications' }).waitFor(WAIT);
    await page.locator('#live[data-state="live"]').waitFor(WAIT);
    await page.locator('tr[data-key="/ops/"]').getByRole('link', { name: 'ops' }).click();
    const row = page.locator('tr[data-key="/ops/listed"]');
    await row.waitFor(WAIT);
    await row.locator('.badge', { hasText: 'Running' }).waitFor(WAIT);
    await page.locator('.summary', { hasText: /^1 app — 1 running$/ }).waitFor(WAIT);
    await screenshot(page, '14-auth-apps-list');
    expect(errors).toEqual([]);
  });
});
