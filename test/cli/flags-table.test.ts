/**
 * The README's flag tables are generated from the flag specs (scripts/flags-table.mjs); this
 * runs its --check so that CI fails when a flag changes and the README was not regenerated.
 * The script reads dist/, which `npm test` builds first (pretest).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('README flag tables', () => {
  it('match the flag definitions (node scripts/flags-table.mjs --write regenerates them)', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'flags-table.mjs'), '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
