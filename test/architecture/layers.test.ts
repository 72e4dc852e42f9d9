/**
 * The layer rule of DESIGN.md, enforced: scripts/import-graph.mjs --check must pass on this tree,
 * and must fail on a tree with an import that runs up the layers (so this test can fail).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(repo, 'scripts/import-graph.mjs');
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function check(root: string): { status: number | null; problems: string[] } {
  const run = spawnSync(process.execPath, [script, '--check', '--root', root], { encoding: 'utf8' });
  if (run.error) throw run.error;
  const problems = run.stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('Layer check'));
  return { status: run.status, problems };
}

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'pacer-layers-'));
  dirs.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

describe('the layers of src/', { timeout: 120_000 }, () => {
  it('have no import against the layer order (scripts/import-graph.mjs --check)', () => {
    // On failure the diff lists every offending import: file, layer, target, layer, reason.
    expect(check(repo)).toEqual({ status: 0, problems: [] });
  });

  it('the check fails on an upward import, whether a value, a type, a re-export or a dynamic import', () => {
    const root = tree({
      'src/scheduler/service.ts': 'export const service = 1;\nexport type Service = number;\n',
      'src/api/routes.ts': "import { service } from '../scheduler/service.js';\nexport const routes = service;\n",
      'src/zk/session.ts': "import type { Service } from '../scheduler/service.js';\nexport type S = Service;\n",
      'src/model/apps/index.ts': "export { routes } from '../../api/routes.js';\n",
      'src/state/store.ts': "export async function load() {\n  return import('../cli/flags.js');\n}\n",
      'src/cli/flags.ts': 'export const flags = {};\n',
      'src/elsewhere/thing.ts': 'export const thing = 1;\n',
    });
    const { status, problems } = check(root);
    expect(status).toBe(1);
    expect(problems.sort()).toEqual(
      [
        'src/elsewhere/thing.ts belongs to no layer: add its path to LAYERS in scripts/import-graph.mjs',
        'src/model/apps/index.ts (model) imports src/api/routes.ts (api): goes up the layers',
        'src/state/store.ts (state) imports src/cli/flags.ts (cli): goes up the layers',
        'src/zk/session.ts (zk) imports src/scheduler/service.ts (scheduler): goes up the layers',
      ].sort(),
    );
  });

  it('the check fails on an import a layer does not list, even going down', () => {
    const root = tree({
      'src/local/master.ts': 'export const master = 1;\n',
      'src/scheduler/core.ts': "import { master } from '../local/master.js';\nexport const core = master;\n",
    });
    expect(check(root)).toEqual({
      status: 1,
      problems: ['src/scheduler/core.ts (scheduler) imports src/local/master.ts (local): scheduler does not list local'],
    });
  });
});
