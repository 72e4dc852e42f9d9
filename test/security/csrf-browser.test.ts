/**
 * Cross-site request forgery, in a real Chromium: a page served from another origin (a tiny
 * server on another port of 127.0.0.1) tries the two requests a browser sends without a
 * preflight — a form POST with `enctype="text/plain"` shaped to carry JSON, and a fetch with a
 * `text/plain` body — against a real `pacer` process's /v2/apps. Neither app may exist afterwards,
 * and the page may read nothing of the answers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, launchBrowser, reportMissingChromium, WAIT } from '../ui/browser.js';
import { http, killAll, removeDir, spawnPacer, tempDir, type ManagedProcess } from '../helpers/processes.js';

reportMissingChromium('security/csrf-browser.test.ts');

function attackerPage(pacerUrl: string): string {
  const fetchBody = JSON.stringify({ id: '/csrf-fetch', cmd: 'touch /tmp/pwned', cpus: 0.1, mem: 16 });
  return `<!doctype html><html><body>
<iframe name="sink" id="sink"></iframe>
<form id="form" method="POST" action="${pacerUrl}/v2/apps" enctype="text/plain" target="sink">
  <input name='{"id":"/csrf-form","cmd":"touch /tmp/pwned","cpus":0.1,"mem":16,"x":"' value='"}'>
</form>
<script>
  window.results = {};
  window.attackFetch = async () => {
    try {
      const response = await fetch(${JSON.stringify(`${pacerUrl}/v2/apps`)}, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(fetchBody)} });
      window.results.fetch = 'read ' + response.status + ' ' + (await response.text());
    } catch (error) {
      window.results.fetch = 'blocked: ' + error.name;
    }
  };
  window.attackForm = () => new Promise((resolve) => {
    const sink = document.getElementById('sink');
    sink.addEventListener('load', () => {
      try {
        window.results.form = 'read ' + sink.contentDocument.body.innerText;
      } catch (error) {
        window.results.form = 'blocked: ' + error.name;
      }
      resolve();
    }, { once: true });
    document.getElementById('form').submit();
  });
</script></body></html>`;
}

describe.runIf(HAVE_CHROMIUM)('a page on another origin cannot create apps', () => {
  let pacer: ManagedProcess | undefined;
  let dataDir: string | undefined;
  let attacker: Server | undefined;
  let browser: Browser | undefined;
  let attackerUrl = '';

  beforeAll(async () => {
    dataDir = tempDir('pacer-csrf-');
    pacer = await spawnPacer(['--master', 'local', '--agents', '0', '--simulated_agents', '1', '--data_dir', dataDir], { name: 'csrf-pacer' });
    const page = attackerPage(pacer.url);
    attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page));
    await new Promise<void>((resolve) => attacker!.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (attacker ? attacker.close(resolve) : resolve(undefined)));
    await killAll([pacer]);
    removeDir(dataDir);
  });

  it('refuses the no-preflight form POST and the text/plain fetch; the page reads nothing', async () => {
    const page = await browser!.newPage();
    await page.goto(attackerUrl, WAIT);
    await page.evaluate('window.attackFetch()');
    await page.evaluate('window.attackForm()');
    const results = await page.evaluate<{ fetch?: string; form?: string }>('window.results');
    expect(results.fetch).toBe('blocked: TypeError');
    expect(results.form).toMatch(/^blocked: /);

    for (const id of ['csrf-fetch', 'csrf-form']) {
      const answer = await http('GET', `${pacer!.url}/v2/apps/${id}`);
      expect(answer.status, `${id} must not exist`).toBe(404);
    }
    const apps = await http<{ apps: unknown[] }>('GET', `${pacer!.url}/v2/apps`);
    expect(apps.body.apps).toEqual([]);
    await page.close();
  }, 60_000);
});
