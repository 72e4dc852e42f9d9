/**
 * Serves Pacer's web UI under /ui/. The UI is static: an HTML shell, a stylesheet and browser ES
 * modules compiled by tsc from src/ui/app into dist/src/ui/app. It talks only to the public
 * Marathon REST API, so this plugin adds no API routes of its own.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

export interface UiPluginOptions {
  /** Compiled browser modules. Default: `<package root>/dist/src/ui/app`. */
  modulesDir?: string;
  /** index.html, styles.css and other assets. Default: `<package root>/src/ui/static`. */
  staticDir?: string;
}

export class UiAssetsError extends Error {
  readonly code = 'PACER_UI_ASSETS';
  constructor(message: string) {
    super(message);
    this.name = 'UiAssetsError';
  }
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/** Only plain relative names: no `..`, no absolute paths, no backslashes or control characters. */
const SAFE_RELATIVE = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

// Everything the UI loads comes from this origin; the API is same-origin too.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'self'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/** The directory holding package.json above `fromDir` (the repo root in development and in dist). */
export function findPackageRoot(fromDir: string): string {
  let dir = fromDir;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new UiAssetsError(`no package.json above ${fromDir}`);
    dir = parent;
  }
}

export function defaultUiDirs(): { modulesDir: string; staticDir: string } {
  const root = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));
  return {
    modulesDir: path.join(root, 'dist', 'src', 'ui', 'app'),
    staticDir: path.join(root, 'src', 'ui', 'static'),
  };
}

/**
 * Resolves `relative` inside `baseDir`, or returns undefined for anything that is not a plain
 * relative file name or that would leave the directory.
 */
export function resolveInside(baseDir: string, relative: string): string | undefined {
  if (!SAFE_RELATIVE.test(relative)) return undefined;
  if (relative.split('/').some((part) => part === '.' || part === '..')) return undefined;
  const base = path.resolve(baseDir);
  const full = path.resolve(base, relative);
  return full.startsWith(base + path.sep) ? full : undefined;
}

export const uiPlugin: FastifyPluginAsync<UiPluginOptions> = async (app, opts) => {
  const defaults = opts.modulesDir === undefined || opts.staticDir === undefined ? defaultUiDirs() : undefined;
  const modulesDir = opts.modulesDir ?? defaults!.modulesDir;
  const staticDir = opts.staticDir ?? defaults!.staticDir;
  if (!existsSync(path.join(staticDir, 'index.html'))) {
    throw new UiAssetsError(`UI shell missing: ${path.join(staticDir, 'index.html')}`);
  }
  if (!existsSync(path.join(modulesDir, 'main.js'))) {
    app.log.warn({ modulesDir }, 'UI modules are not built (run `npm run build`); /ui/ will not work');
  }

  app.get('/ui', async (_req, reply) => reply.redirect('/ui/', 302));
  app.get('/ui/', async (req, reply) => sendFile(req, reply, path.join(staticDir, 'index.html')));
  app.get<{ Params: { '*': string } }>('/ui/app/*', async (req, reply) => sendInside(req, reply, modulesDir, req.params['*']));
  app.get<{ Params: { '*': string } }>('/ui/static/*', async (req, reply) => sendInside(req, reply, staticDir, req.params['*']));
};

async function sendInside(req: FastifyRequest, reply: FastifyReply, baseDir: string, relative: string): Promise<FastifyReply> {
  const file = resolveInside(baseDir, relative);
  if (file === undefined) return reply.code(404).send({ message: 'Not found' });
  return sendFile(req, reply, file);
}

async function sendFile(req: FastifyRequest, reply: FastifyReply, file: string): Promise<FastifyReply> {
  const type = CONTENT_TYPES[path.extname(file)];
  if (type === undefined) return reply.code(404).send({ message: 'Not found' });
  let info;
  try {
    info = await stat(file);
  } catch {
    return reply.code(404).send({ message: 'Not found' });
  }
  if (!info.isFile()) return reply.code(404).send({ message: 'Not found' });
  const etag = `"${createHash('sha1').update(`${file}:${info.size}:${info.mtimeMs}`).digest('base64url')}"`;
  reply.header('content-type', type).header('cache-control', 'no-cache').header('etag', etag).header('x-content-type-options', 'nosniff');
  if (type.startsWith('text/html')) reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  if (req.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.send(await readFile(file));
}
