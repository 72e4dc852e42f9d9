import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultUiDirs, resolveInside, UiAssetsError, uiPlugin } from '../../src/ui/plugin.js';

describe('uiPlugin over HTTP', () => {
  let dir: string;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pacer-ui-plugin-'));
    const modulesDir = path.join(dir, 'modules');
    const staticDir = path.join(dir, 'static');
    mkdirSync(path.join(modulesDir, 'nested'), { recursive: true });
    mkdirSync(staticDir);
    writeFileSync(path.join(modulesDir, 'main.js'), 'export const x = 1;\n');
    writeFileSync(path.join(modulesDir, 'nested', 'deep.js'), 'export {};\n');
    writeFileSync(path.join(modulesDir, 'notes.txt'), 'not served\n');
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>\n');
    writeFileSync(path.join(staticDir, 'styles.css'), 'body{}\n');
    writeFileSync(path.join(dir, 'secret.js'), 'outside\n');
    app = Fastify();
    await app.register(uiPlugin, { modulesDir, staticDir });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (url: string, headers: Record<string, string> = {}) => {
    const res = await request(base + url, { headers });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  };

  it('serves the shell at /ui/ with a same-origin content security policy', async () => {
    const res = await get('/ui/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<title>t</title>');
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('redirects /ui to /ui/', async () => {
    const res = await get('/ui');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/ui/');
  });

  it('serves modules and static files with their content types', async () => {
    expect((await get('/ui/app/main.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get('/ui/app/nested/deep.js')).status).toBe(200);
    expect((await get('/ui/static/styles.css')).headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('answers a matching If-None-Match with 304', async () => {
    const first = await get('/ui/app/main.js');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^".+"$/);
    expect((await get('/ui/app/main.js', { 'if-none-match': etag })).status).toBe(304);
  });

  it.each([
    '/ui/../secret.js',
    '/ui/%2e%2e/secret.js',
    '/ui/app/../secret.js',
    '/ui/app/%2e%2e/secret.js',
    '/ui/app/..%2fsecret.js',
    '/ui/app/nested/..%2f..%2fsecret.js',
    '/ui/static/%2e%2e%2fmodules%2fmain.js',
    '/ui/app/notes.txt',
    '/ui/app/missing.js',
    '/ui/app/nested',
    '/ui/app/.hidden.js',
  ])('refuses %s', async (url) => {
    const res = await get(url);
    expect([404]).toContain(res.status);
    expect(res.body).not.toContain('outside');
  });

  it('checks names before touching the file system', () => {
    expect(resolveInside('/srv/ui', 'a/b.js')).toBe(path.resolve('/srv/ui/a/b.js'));
    for (const bad of ['../x.js', 'a/../../x.js', '/etc/passwd', 'a\\..\\x.js', 'a/./b.js', '', 'a//b.js', 'x.js\u0000']) {
      expect(resolveInside('/srv/ui', bad)).toBeUndefined();
    }
  });
});

describe('uiPlugin configuration', () => {
  it('locates the shipped assets from the package root', () => {
    const dirs = defaultUiDirs();
    expect(dirs.staticDir.endsWith(path.join('src', 'ui', 'static'))).toBe(true);
    expect(dirs.modulesDir.endsWith(path.join('dist', 'src', 'ui', 'app'))).toBe(true);
  });

  it('refuses to start without the HTML shell', async () => {
    const app = Fastify();
    const empty = mkdtempSync(path.join(tmpdir(), 'pacer-ui-empty-'));
    try {
      await expect(app.register(uiPlugin, { modulesDir: empty, staticDir: empty }).ready()).rejects.toBeInstanceOf(UiAssetsError);
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
