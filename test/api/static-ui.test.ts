import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from './harness.js';

let h: Harness;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pacer-ui-'));
  mkdirSync(join(dir, 'ui'));
  writeFileSync(join(dir, 'ui', 'index.html'), '<h1>Pacer</h1>');
  writeFileSync(join(dir, 'ui', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  h = await harness({ uiDir: join(dir, 'ui') });
});
afterAll(async () => {
  await h.app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('UI files under /ui/', () => {
  it('serves index.html for /ui/ and files with their content type', async () => {
    const index = await h.app.inject({ method: 'GET', url: '/ui/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.body).toBe('<h1>Pacer</h1>');
    const js = await h.app.inject({ method: 'GET', url: '/ui/app.js' });
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect((await h.app.inject({ method: 'GET', url: '/ui' })).headers.location).toBe('/ui/');
  });

  it('never serves files outside the directory', async () => {
    for (const url of ['/ui/../secret.txt', '/ui/%2e%2e/secret.txt', '/ui/..%2fsecret.txt']) {
      const res = await h.app.inject({ method: 'GET', url });
      expect(res.body).not.toContain('do not serve');
    }
  });
});
