/**
 * The browser needs JavaScript. `npm test` builds dist/ first (pretest); when a developer runs
 * the UI tests alone and dist/src/ui/app is missing or older than the sources, the modules are
 * compiled with the repository's compiler options into a temporary directory instead.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const SOURCE_DIR = path.join(REPO_ROOT, 'src/ui/app');
const DIST_DIR = path.join(REPO_ROOT, 'dist/src/ui/app');

export interface BuiltUi {
  modulesDir: string;
  /** Removes the temporary directory, if one was made. */
  cleanup(): void;
}

function distIsFresh(): boolean {
  for (const name of readdirSync(SOURCE_DIR)) {
    if (!name.endsWith('.ts')) continue;
    const js = path.join(DIST_DIR, name.replace(/\.ts$/, '.js'));
    if (!existsSync(js) || statSync(js).mtimeMs < statSync(path.join(SOURCE_DIR, name)).mtimeMs) return false;
  }
  return true;
}

export function browserModules(): BuiltUi {
  if (distIsFresh()) return { modulesDir: DIST_DIR, cleanup: () => {} };
  const out = mkdtempSync(path.join(tmpdir(), 'pacer-ui-'));
  // Same compiler options as the build, so the browser gets what production serves.
  const config = ts.getParsedCommandLineOfConfigFile(path.join(REPO_ROOT, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  const files = readdirSync(SOURCE_DIR)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => path.join(SOURCE_DIR, name));
  const program = ts.createProgram(files, { ...config!.options, noEmit: false, outDir: out, rootDir: SOURCE_DIR, sourceMap: false });
  const result = program.emit();
  if (result.emitSkipped) throw new Error('could not compile src/ui/app for the browser');
  return { modulesDir: out, cleanup: () => rmSync(out, { recursive: true, force: true }) };
}
