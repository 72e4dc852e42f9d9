/** `--gc_delay` on a real directory tree: old ended sandboxes go, running and recent ones stay. */
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SandboxGc } from '../../../src/local/agents/sandbox-gc.js';

const DAY = 24 * 3600 * 1000;
let workDir: string | undefined;

afterEach(() => {
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
});

function sandbox(agent: string, executor: string, ageMs: number): { executor: string; run: string } {
  const executorDir = path.join(workDir!, 'slaves', agent, 'frameworks', 'F', 'executors', executor);
  const run = path.join(executorDir, 'runs', 'c');
  mkdirSync(run, { recursive: true });
  writeFileSync(path.join(run, 'stderr'), 'x');
  const then = new Date(Date.now() - ageMs);
  for (const p of [path.join(run, 'stderr'), run, path.join(executorDir, 'runs'), executorDir]) utimesSync(p, then, then);
  return { executor: executorDir, run };
}

describe('sandbox garbage collection', () => {
  it('removes ended sandboxes older than the delay, keeps running and recent ones, and tidies empty parents', async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'pacer-gc-'));
    const old = sandbox('A1', 'old', 8 * DAY);
    const running = sandbox('A2', 'running', 30 * DAY);
    const recent = sandbox('A2', 'recent', 1 * DAY);
    const gc = new SandboxGc({ workDir, gcDelayMs: 7 * DAY, inUse: () => [running.run], logger: pino({ level: 'silent' }) });
    expect(await gc.sweep()).toEqual([old.executor]);
    expect(existsSync(old.executor)).toBe(false);
    expect(existsSync(path.join(workDir, 'slaves', 'A1'))).toBe(false);
    expect(existsSync(running.run)).toBe(true);
    expect(existsSync(recent.run)).toBe(true);
  });

  it('counts a sandbox as young while a file in it still changes', async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'pacer-gc-'));
    const touched = sandbox('A1', 'touched', 8 * DAY);
    writeFileSync(path.join(touched.run, 'stdout'), 'new output');
    const gc = new SandboxGc({ workDir, gcDelayMs: 7 * DAY, inUse: () => [], logger: pino({ level: 'silent' }) });
    expect(await gc.sweep()).toEqual([]);
  });
});
