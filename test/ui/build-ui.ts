/**
 * The browser tests drive a real `bin/pacer.js`, which runs the compiled tree and serves the UI's
 * browser modules from dist/src/ui/app. A stale or missing build would make them test yesterday's
 * code, so they refuse to start until `npm run build` has compiled the current sources.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const UI_SOURCE_DIR = path.join(REPO_ROOT, 'src/ui/app');
const UI_DIST_DIR = path.join(REPO_ROOT, 'dist/src/ui/app');
const SERVER_ENTRY = path.join(REPO_ROOT, 'dist/src/main.js');

export class StaleBuildError extends Error {
  readonly code = 'PACER_TEST_STALE_BUILD';
  constructor(detail: string) {
    super(`${detail}; run \`npm run build\` before the UI tests`);
    this.name = 'StaleBuildError';
  }
}

/** Throws StaleBuildError unless dist/ holds the server and every UI module, newer than its source. */
export function assertUiBuilt(): void {
  if (!existsSync(SERVER_ENTRY)) throw new StaleBuildError(`${SERVER_ENTRY} is missing`);
  for (const name of readdirSync(UI_SOURCE_DIR)) {
    if (!name.endsWith('.ts')) continue;
    const source = path.join(UI_SOURCE_DIR, name);
    const compiled = path.join(UI_DIST_DIR, name.replace(/\.ts$/, '.js'));
    if (!existsSync(compiled)) throw new StaleBuildError(`${compiled} is missing`);
    if (statSync(compiled).mtimeMs < statSync(source).mtimeMs) throw new StaleBuildError(`${compiled} is older than ${source}`);
  }
}
