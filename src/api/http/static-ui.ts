/**
 * Serves the web UI's files from a directory under `/ui/` (Marathon serves its UI there).
 * Only files inside the directory are served; `/ui` redirects to `/ui/`.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

async function fileIn(root: string, relative: string): Promise<string | undefined> {
  const candidate = resolve(root, `.${sep}${relative}`);
  if (candidate !== root && !candidate.startsWith(root + sep)) return undefined;
  try {
    const info = await stat(candidate);
    if (info.isFile()) return candidate;
    if (info.isDirectory()) {
      const index = join(candidate, 'index.html');
      return (await stat(index)).isFile() ? index : undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

export function registerStaticUi(app: FastifyInstance, uiDir: string): void {
  const root = resolve(uiDir);
  app.get('/ui', (_req, reply) => reply.code(302).header('Location', '/ui/').send());
  app.get('/ui/*', async (req: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply) => {
    const file = await fileIn(root, req.params['*']);
    if (file === undefined) return reply.code(404).send({ message: 'Not Found' });
    return reply.type(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream').send(await readFile(file));
  });
}
