/**
 * The app form beside the JSON editor, in headless Chromium against a real `pacer --master local`:
 * an app created through the form reaches the API with every entered field and runs; invalid
 * entries come back as Marathon's 422 and each message is shown at the field its path names
 * (paths the form does not show are listed at the top) while nothing is created; editing an app
 * with `container` and `fetch` through the form sends them back untouched; and edits survive
 * switching form → JSON → form.
 */
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, HAVE_CHROMIUM, launchBrowser, reportMissingChromium, screenshot, WAIT } from './browser.js';
import { printLogOnFailure, startTarget, type UiTarget } from './target.js';

reportMissingChromium('ui-app-form.test');

interface ErrorBody {
  message: string;
  details: Array<{ path: string; errors: string[] }>;
}

interface AppJson {
  id: string;
  cmd?: string;
  instances?: number;
  cpus?: number;
  mem?: number;
  env?: Record<string, unknown>;
  labels?: Record<string, string>;
  portDefinitions?: Array<Record<string, unknown>>;
  healthChecks?: Array<Record<string, unknown>>;
  constraints?: string[][];
  container?: unknown;
  fetch?: unknown;
  tasksRunning?: number;
}

describe.skipIf(!HAVE_CHROMIUM)('the app form in headless Chromium against a real pacer --master local', () => {
  let target: UiTarget;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  printLogOnFailure(() => target);

  beforeAll(async () => {
    [target, browser] = await Promise.all([startTarget({ name: 'ui-app-form', agents: 1 }), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1360, height: 900 }, colorScheme: 'dark' });
    pageErrors = collectPageErrors(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await target?.close();
  }, 30_000);

  const appJson = async (id: string): Promise<{ status: number; app: AppJson | undefined }> => {
    const res = await target.api('GET', `/v2/apps${id}`);
    return { status: res.status, app: (res.body as { app?: AppJson } | undefined)?.app };
  };

  /** Opens the create page on a fresh form (the route change reloads the template). */
  const openCreate = async (): Promise<void> => {
    await page.goto(`${target.baseUrl}/ui/#/apps`);
    await page.getByRole('heading', { name: 'Applications' }).waitFor(WAIT);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Create application' }).waitFor(WAIT);
    expect(await page.getByRole('tab', { name: 'Form' }).getAttribute('aria-selected')).toBe('true');
  };

  const submitCreate = async (): Promise<Response> => {
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/v2/apps' && r.request().method() === 'POST', WAIT),
      page.getByRole('button', { name: 'Create', exact: true }).click(),
    ]);
    return response;
  };

  /** The messages shown next to the field or row whose data-path is `path`. */
  const shownAt = (path: string): Promise<string[]> => page.locator(`[data-path="${path}"] > .field-errors li`).allTextContents();

  it('creates an app through the form: the API has the entered fields and the app runs', async () => {
    await openCreate();
    await page.getByLabel('ID', { exact: true }).fill('/ui-form/web');
    await page.getByLabel('Command', { exact: true }).fill('exec python3 -m http.server "$PORT0" --bind 127.0.0.1');
    await page.getByLabel('Instances', { exact: true }).fill('1');
    await page.getByLabel('CPUs', { exact: true }).fill('0.2');
    await page.getByLabel('Memory (MiB)', { exact: true }).fill('48');

    const port = page.getByRole('group', { name: 'Port 1', exact: true });
    await port.getByLabel('Name').fill('web');
    await port.getByLabel('Protocol').selectOption('tcp');

    await page.getByRole('button', { name: 'Add environment variable' }).click();
    const env = page.getByRole('group', { name: 'Environment variable 1', exact: true });
    // Adding a row focuses its first input.
    await expect.poll(() => env.getByLabel('Name').evaluate((el) => el === document.activeElement), WAIT).toBe(true);
    await env.getByLabel('Name').fill('GREETING');
    await env.getByLabel('Value').fill('hello world');
    await page.getByRole('button', { name: 'Add environment variable' }).click();
    await page.getByRole('group', { name: 'Environment variable 2', exact: true }).getByLabel('Name').fill('MODE');
    await page.getByRole('group', { name: 'Environment variable 2', exact: true }).getByLabel('Value').fill('test');

    await page.getByRole('button', { name: 'Add label' }).click();
    const label = page.getByRole('group', { name: 'Label 1', exact: true });
    await label.getByLabel('Key').fill('team');
    await label.getByLabel('Value').fill('ops');

    const check = page.getByRole('group', { name: 'Health check 1', exact: true });
    await check.getByLabel('Protocol').selectOption('MESOS_HTTP');
    await check.getByLabel('Path').fill('/');
    await check.getByLabel('Port index').fill('0');
    await check.getByLabel('Grace (s)').fill('20');
    await check.getByLabel('Interval (s)').fill('2');
    await check.getByLabel('Timeout (s)').fill('1');
    await check.getByLabel('Max failures').fill('5');

    await page.getByRole('button', { name: 'Add constraint' }).click();
    const constraint = page.getByRole('group', { name: 'Constraint 1', exact: true });
    await constraint.getByLabel('Field').fill('hostname');
    await constraint.getByLabel('Operator').selectOption('MAX_PER');
    await constraint.getByLabel('Value').fill('1');
    await screenshot(page, 'app-form-01-create');

    const response = await submitCreate();
    expect(response.status()).toBe(201);
    await page.getByRole('heading', { name: '/ui-form/web' }).waitFor(WAIT);
    await page.locator('.notice.ok', { hasText: 'Created /ui-form/web' }).waitFor(WAIT);

    const { status, app } = await appJson('/ui-form/web');
    expect(status).toBe(200);
    expect(app).toMatchObject({
      id: '/ui-form/web',
      cmd: 'exec python3 -m http.server "$PORT0" --bind 127.0.0.1',
      instances: 1,
      cpus: 0.2,
      mem: 48,
      env: { GREETING: 'hello world', MODE: 'test' },
      labels: { team: 'ops' },
      constraints: [['hostname', 'MAX_PER', '1']],
    });
    expect(app?.portDefinitions).toHaveLength(1);
    // Port 0 asks the server to pick a service port.
    expect(app?.portDefinitions?.[0]).toMatchObject({ name: 'web', protocol: 'tcp' });
    expect(app?.healthChecks).toHaveLength(1);
    expect(app?.healthChecks?.[0]).toMatchObject({
      protocol: 'MESOS_HTTP',
      path: '/',
      portIndex: 0,
      gracePeriodSeconds: 20,
      intervalSeconds: 2,
      timeoutSeconds: 1,
      maxConsecutiveFailures: 5,
    });
    // The definition is not only stored: its task runs and passes the health check entered in the form.
    await page.locator('.app-facts .health[aria-label="1 healthy, 0 unhealthy, 0 unknown"]').waitFor(WAIT);
  });

  it('shows Marathon’s messages next to the fields they name, the rest at the top, and creates nothing', async () => {
    await openCreate();
    await page.getByLabel('ID', { exact: true }).fill('/ui-form/Bad_Id!');
    await page.getByLabel('Command', { exact: true }).fill('sleep 1000');
    await page.getByLabel('CPUs', { exact: true }).fill('-1');
    await page.getByRole('group', { name: 'Port 1', exact: true }).getByLabel('Name').fill('not a name!');

    // The JSON schema's answer: illegal id, negative cpus, a port name that is no name.
    const first = await submitCreate();
    expect(first.status()).toBe(422);
    const schemaErrors = (await first.json()) as ErrorBody;
    const byPath = new Map(schemaErrors.details.map((d) => [d.path, d.errors]));
    expect([...byPath.keys()].sort()).toEqual(['/cpus', '/id', '/portDefinitions(0)/name']);
    for (const [path, errors] of byPath) {
      await page.locator(`[data-path="${path}"] > .field-errors li`).first().waitFor(WAIT);
      const shown = await shownAt(path);
      expect(shown, path).toHaveLength(errors.length);
      errors.forEach((message, i) => expect(shown[i], path).toContain(message));
    }
    expect(await page.getByLabel('CPUs', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('ID', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    // The first invalid field has the focus, and the server's message heads the form.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('app-form-id');
    expect(await page.locator('.form-summary').textContent()).toContain(`422 ${schemaErrors.message}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'app-form-02-invalid-fields', false);

    // Fixed fields, but constraints Marathon refuses: a non-integer MAX_PER chosen in the form, an
    // operator typed in the JSON view (kept by the form's select), and a role the form does not show.
    await page.getByLabel('ID', { exact: true }).fill('/ui-form/bad');
    await page.getByLabel('CPUs', { exact: true }).fill('0.1');
    await page.getByRole('group', { name: 'Port 1', exact: true }).getByLabel('Name').fill('http');
    await page.getByRole('button', { name: 'Add constraint' }).click();
    const maxPer = page.getByRole('group', { name: 'Constraint 1', exact: true });
    await maxPer.getByLabel('Operator').selectOption('MAX_PER');
    await maxPer.getByLabel('Value').fill('lots');
    await page.getByRole('tab', { name: 'JSON' }).click();
    const json = JSON.parse(await page.locator('#app-json').inputValue()) as AppJson & { role?: string };
    json.constraints = [...(json.constraints ?? []), ['rack', 'NEAR', 'x']];
    json.role = 'not-a-role-of-this-framework';
    await page.locator('#app-json').fill(JSON.stringify(json, null, 2));
    await page.getByRole('tab', { name: 'Form' }).click();
    const near = page.getByRole('group', { name: 'Constraint 2', exact: true });
    expect(await near.getByLabel('Operator').inputValue()).toBe('NEAR');

    const second = await submitCreate();
    expect(second.status()).toBe(422);
    const semanticErrors = (await second.json()) as ErrorBody;
    const paths = semanticErrors.details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['/constraints(0)', '/constraints(1)', '/role']));
    for (const path of ['/constraints(0)', '/constraints(1)']) {
      const errors = semanticErrors.details.find((d) => d.path === path)!.errors;
      await page.locator(`[data-path="${path}"] > .field-errors li`).first().waitFor(WAIT);
      expect(await shownAt(path)).toEqual(errors);
    }
    expect((await shownAt('/constraints(1)'))[0]).toMatch(/^operator must be one of/);
    // The old errors are gone from the fields that are now fine.
    expect(await shownAt('/cpus')).toEqual([]);
    expect(await shownAt('/id')).toEqual([]);
    // A path with no place in the form is listed at the top.
    const unplaced = page.locator('.form-problems .form-problem[data-path="/role"]');
    await unplaced.waitFor(WAIT);
    expect(await unplaced.locator('.problem-messages li').allTextContents()).toEqual(semanticErrors.details.find((d) => d.path === '/role')!.errors);
    await page.getByRole('group', { name: 'Constraints', exact: true }).scrollIntoViewIfNeeded();
    await screenshot(page, 'app-form-03-invalid-constraints', false);

    // The JSON view shows the same answer at the lines, as before.
    await page.getByRole('tab', { name: 'JSON' }).click();
    await page.locator('#problems .problem-item[data-path="/constraints(1)"] button[data-line]').waitFor(WAIT);

    expect((await appJson('/ui-form/bad')).status).toBe(404);
    expect((await appJson('/ui-form/Bad_Id!')).status).toBe(404);
    const ids = ((await target.api('GET', '/v2/apps')).body as { apps: AppJson[] }).apps.map((a) => a.id);
    expect(ids).toEqual(['/ui-form/web']);
  });

  it('edits an app with container and fetch sections through the form and keeps both', async () => {
    const original = {
      id: '/ui-form/keep',
      cmd: 'sleep 1000',
      instances: 0,
      cpus: 0.1,
      mem: 16,
      container: { type: 'DOCKER', docker: { image: 'busybox:1.36', forcePullImage: true }, volumes: [] },
      fetch: [{ uri: 'https://example.invalid/tool.tgz', extract: true, executable: false, cache: false }],
      env: { KEEP: 'me' },
    };
    const created = await target.api('POST', '/v2/apps', original);
    expect(created.status).toBe(201);
    const before = (await appJson('/ui-form/keep')).app!;

    await page.goto(`${target.baseUrl}/ui/#/apps/ui-form/keep`);
    await page.getByRole('heading', { name: '/ui-form/keep' }).waitFor(WAIT);
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit /ui-form/keep' }).waitFor(WAIT);
    await expect.poll(() => page.getByLabel('ID', { exact: true }).inputValue(), WAIT).toBe('/ui-form/keep');
    expect(await page.getByLabel('Memory (MiB)', { exact: true }).inputValue()).toBe('16');
    expect(await page.getByRole('group', { name: 'Environment variable 1', exact: true }).getByLabel('Value').inputValue()).toBe('me');

    await page.getByLabel('Memory (MiB)', { exact: true }).fill('24');
    await page.getByRole('button', { name: 'Add label' }).click();
    await page.getByRole('group', { name: 'Label 1', exact: true }).getByLabel('Key').fill('edited');
    await page.getByRole('group', { name: 'Label 1', exact: true }).getByLabel('Value').fill('yes');
    const [request] = await Promise.all([
      page.waitForRequest((r) => new URL(r.url()).pathname === '/v2/apps/ui-form/keep' && r.method() === 'PUT', WAIT),
      page.getByRole('button', { name: 'Save changes' }).click(),
    ]);
    // What the form sent is the whole definition, container and fetch as they were: Marathon's PUT
    // would keep omitted fields, so the request body is the proof the form did not drop them.
    const sent = request.postDataJSON() as AppJson;
    expect(sent.container).toEqual(before.container);
    expect(sent.fetch).toEqual(before.fetch);
    expect(sent).toMatchObject({ mem: 24, labels: { edited: 'yes' }, env: { KEEP: 'me' } });
    await page.locator('.notice.ok', { hasText: 'Updated /ui-form/keep' }).waitFor(WAIT);

    const after = (await appJson('/ui-form/keep')).app!;
    expect(after.mem).toBe(24);
    expect(after.labels).toEqual({ edited: 'yes' });
    expect(after.container).toEqual(before.container);
    expect(after.fetch).toEqual(before.fetch);
    expect(after.env).toEqual({ KEEP: 'me' });
  });

  it('keeps edits when switching form → JSON → form, and stays on JSON that is not an object', async () => {
    await openCreate();
    // The one thing the browser checks itself: an id is required (an HTML `required` input).
    let posts = 0;
    const countPosts = (r: { url(): string; method(): string }): void => {
      if (new URL(r.url()).pathname === '/v2/apps' && r.method() === 'POST') posts++;
    };
    page.on('request', countPosts);
    await page.getByLabel('ID', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id), WAIT).toBe('app-form-id');
    expect(await page.getByLabel('ID', { exact: true }).evaluate((el) => (el as HTMLInputElement).validity.valueMissing)).toBe(true);
    page.off('request', countPosts);
    expect(posts).toBe(0);
    await page.getByLabel('ID', { exact: true }).fill('/my-app');
    await page.getByLabel('CPUs', { exact: true }).fill('0.25');
    await page.getByRole('button', { name: 'Add environment variable' }).click();
    const env = page.getByRole('group', { name: 'Environment variable 1', exact: true });
    // Labels and error lists point at ids; a blank new row must not repeat its section's.
    const duplicateIds = await page.evaluate(() => {
      const seen = new Set<string>();
      return Array.from(document.querySelectorAll('[id]'), (el) => el.id).filter((id) => seen.size === seen.add(id).size);
    });
    expect(duplicateIds).toEqual([]);
    await env.getByLabel('Name').fill('FOO');
    await env.getByLabel('Value').fill('bar');
    await page.getByRole('button', { name: 'Remove health check 1' }).click();

    await page.getByRole('tab', { name: 'JSON' }).click();
    expect(await page.getByRole('tab', { name: 'JSON' }).getAttribute('aria-selected')).toBe('true');
    const fromForm = JSON.parse(await page.locator('#app-json').inputValue()) as AppJson;
    expect(fromForm).toMatchObject({ id: '/my-app', cpus: 0.25, mem: 64, env: { FOO: 'bar' }, healthChecks: [] });
    expect(fromForm.portDefinitions).toEqual([{ port: 0, name: 'http' }]);

    // JSON edits, including a field the form does not know, come back into the form.
    const edited = { ...fromForm, mem: 99, env: { FOO: 'baz', SECRET: { secret: 'db' } }, fetch: [{ uri: 'https://example.invalid/a.tgz' }] };
    await page.locator('#app-json').fill(JSON.stringify(edited, null, 2));
    await page.getByRole('tab', { name: 'Form' }).click();
    expect(await page.getByLabel('Memory (MiB)', { exact: true }).inputValue()).toBe('99');
    expect(await page.getByLabel('CPUs', { exact: true }).inputValue()).toBe('0.25');
    expect(await env.getByLabel('Value').inputValue()).toBe('baz');
    await page.locator('.form-note', { hasText: 'SECRET' }).waitFor(WAIT);
    expect(await page.getByRole('group', { name: 'Health check 1', exact: true }).count()).toBe(0);

    await page.getByLabel('Instances', { exact: true }).fill('3');
    // The form in the light theme too (the page started dark).
    await page.locator('#theme-toggle').click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light', undefined, WAIT);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'app-form-04-light', false);
    await page.getByRole('tab', { name: 'JSON' }).click();
    const back = JSON.parse(await page.locator('#app-json').inputValue()) as AppJson;
    expect(back).toEqual({ ...edited, instances: 3 });

    // Text that is not a JSON object keeps the JSON view open and says why.
    await page.locator('#app-json').fill('{ "id": "/x", ');
    await page.getByRole('tab', { name: 'Form' }).click();
    await page.locator('.tab-note', { hasText: 'The JSON is not valid' }).waitFor(WAIT);
    expect(await page.getByRole('tab', { name: 'JSON' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('#app-json').isVisible()).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
