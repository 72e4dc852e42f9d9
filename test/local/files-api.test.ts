/**
 * Upstream's agent files API on the embedded agents, over real HTTP: a sandbox tree in upstream's
 * layout in the work directory, served by a real `startMesosLocal` at the address its agents
 * advertise. Browse, read (offsets, lengths, `offset=-1` for the size), download and debug answer
 * as upstream's files.cpp does, and nothing outside a run directory can be reached: not by `..`,
 * not by a symlink, not by naming another directory.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMesosLocal, type MesosLocalHandle } from '../../src/local/index.js';

const STDERR = 'Traceback (most recent call last):\nOSError: [Errno 98] Address already in use\n';
let local: MesosLocalHandle | undefined;
let workDir: string;
let run: string;
let otherRun: string;

beforeAll(async () => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'pacer-files-api-'));
  const executors = path.join(workDir, 'slaves', 'A-S0', 'frameworks', 'F-0000', 'executors');
  run = path.join(executors, 'web.1', 'runs', 'c1');
  otherRun = path.join(executors, 'db.1', 'runs', 'c2');
  mkdirSync(path.join(run, 'sub'), { recursive: true });
  mkdirSync(otherRun, { recursive: true });
  symlinkSync('c1', path.join(executors, 'web.1', 'runs', 'latest'));
  writeFileSync(path.join(run, 'stderr'), STDERR);
  writeFileSync(path.join(run, 'stdout'), '');
  writeFileSync(path.join(run, 'sub', 'app.log'), 'hello');
  writeFileSync(path.join(otherRun, 'stdout'), 'another task');
  writeFileSync(path.join(workDir, 'secret'), 'not for you');
  symlinkSync(path.join(workDir, 'secret'), path.join(run, 'escape'));
  symlinkSync(otherRun, path.join(run, 'neighbour'));
  local = await startMesosLocal({ ip: '127.0.0.1', port: 0, agents: 0, simulatedAgents: 1, workDir }, pino({ level: 'silent' }));
});

afterAll(async () => {
  await local?.close();
  rmSync(workDir, { recursive: true, force: true });
});

async function get(endpoint: string, query: Record<string, string>): Promise<{ status: number; text: string; headers: Headers }> {
  const url = new URL(`${local!.url}/files/${endpoint}`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const response = await fetch(url);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

describe('files API of the embedded agents', () => {
  it('is served at the address the agents advertise in /master/state', async () => {
    const state = (await (await fetch(`${local!.url}/master/state`)).json()) as { slaves: Array<{ pid: string }> };
    const agentAddress = state.slaves[0]!.pid.split('@')[1];
    expect(`http://${agentAddress}`).toBe(local!.url);
  });

  it('browses a run directory by its real path and by its virtual path', async () => {
    const real = await get('browse', { path: run });
    expect(real.status).toBe(200);
    const listing = JSON.parse(real.text) as Array<Record<string, unknown>>;
    expect(listing.map((f) => f.path)).toEqual(['escape', 'neighbour', 'stderr', 'stdout', 'sub'].map((n) => path.join(run, n)));
    const stderr = listing.find((f) => f.path === path.join(run, 'stderr'))!;
    expect(stderr).toMatchObject({ size: Buffer.byteLength(STDERR), nlink: 1 });
    expect(stderr.mode).toMatch(/^-rw/);
    expect(listing.find((f) => f.path === path.join(run, 'sub'))!.mode).toMatch(/^d/);
    expect(typeof stderr.mtime).toBe('number');

    const virtual = await get('browse', { path: '/frameworks/F-0000/executors/web.1/runs/latest/sub' });
    expect(virtual.status).toBe(200);
    expect(JSON.parse(virtual.text)).toEqual([expect.objectContaining({ path: '/frameworks/F-0000/executors/web.1/runs/latest/sub/app.log', size: 5 })]);
  });

  it("reads with offsets and lengths, and answers the size for offset=-1, in upstream's {data, offset}", async () => {
    const file = path.join(run, 'stderr');
    const size = Buffer.byteLength(STDERR);
    expect(JSON.parse((await get('read', { path: file, offset: '-1' })).text)).toEqual({ data: '', offset: size });
    expect(JSON.parse((await get('read', { path: file, offset: '0' })).text)).toEqual({ data: STDERR, offset: 0 });
    expect(JSON.parse((await get('read', { path: file, offset: '10', length: '6' })).text)).toEqual({ data: STDERR.slice(10, 16), offset: 10 });
    expect(JSON.parse((await get('read', { path: file, offset: '5000' })).text)).toEqual({ data: '', offset: 5000 });
    expect(JSON.parse((await get('read', { path: file, offset: '0', length: '-1' })).text)).toEqual({ data: STDERR, offset: 0 });
    const virtual = await get('read', { path: '/frameworks/F-0000/executors/web.1/runs/latest/stderr', offset: '0' });
    expect(JSON.parse(virtual.text)).toEqual({ data: STDERR, offset: 0 });
  });

  it("refuses bad offsets, lengths and paths with upstream's status codes", async () => {
    const file = path.join(run, 'stderr');
    expect(await get('read', { path: file, offset: 'abc' })).toMatchObject({ status: 400, text: expect.stringContaining('Failed to parse offset') });
    expect(await get('read', { path: file, offset: '-2' })).toMatchObject({ status: 400, text: 'Negative offset provided: -2.\n' });
    expect(await get('read', { path: file, length: '-7' })).toMatchObject({ status: 400, text: 'Negative length provided: -7.\n' });
    expect(await get('read', { path: run, offset: '0' })).toMatchObject({ status: 400, text: 'Cannot read a directory.\n' });
    expect(await get('read', {})).toMatchObject({ status: 400, text: "Expecting 'path=value' in query.\n" });
    expect((await get('read', { path: path.join(run, 'missing'), offset: '0' })).status).toBe(404);
    expect((await get('browse', { path: '/frameworks/F-0000/executors/nope/runs/latest' })).status).toBe(404);
    expect((await get('download', { path: run })).status).toBe(400);
  });

  it('downloads a file as an attachment', async () => {
    const answer = await get('download', { path: '/frameworks/F-0000/executors/web.1/runs/latest/stderr' });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(STDERR);
    expect(answer.headers.get('content-type')).toBe('application/octet-stream');
    expect(answer.headers.get('content-disposition')).toBe('attachment; filename=stderr');
  });

  it('shows the attached paths in /files/debug', async () => {
    const debug = JSON.parse((await get('debug', {})).text) as Record<string, string>;
    expect(debug['/frameworks/F-0000/executors/web.1/runs/latest']).toBe(run);
    expect(debug[run]).toBe(run);
    expect(debug[otherRun]).toBe(otherRun);
    expect(Object.values(debug).every((dir) => dir.startsWith(path.join(workDir, 'slaves')))).toBe(true);
  });

  it('keeps every request inside its run directory: .., symlinks and other paths are refused', async () => {
    const attempts: Array<[string, Record<string, string>]> = [
      ['read', { path: `${run}/../../../../../../../secret`, offset: '0' }],
      ['read', { path: `${run}/../../../../../../../../../../etc/passwd`, offset: '0' }],
      ['read', { path: path.join(run, 'escape'), offset: '0' }],
      ['download', { path: path.join(run, 'escape') }],
      ['read', { path: path.join(run, 'neighbour', 'stdout'), offset: '0' }],
      ['browse', { path: path.join(run, 'neighbour') }],
      ['browse', { path: `${run}/..` }],
      ['read', { path: '/frameworks/F-0000/executors/web.1/runs/latest/../../../../../../secret', offset: '0' }],
      ['read', { path: '/frameworks/F-0000/executors/../../../../secret', offset: '0' }],
      ['read', { path: path.join(workDir, 'secret'), offset: '0' }],
      ['browse', { path: workDir }],
      ['browse', { path: '/' }],
      ['read', { path: '/etc/passwd', offset: '0' }],
      ['download', { path: `${workDir}/slaves/A-S0/frameworks/F-0000/executors/web.1/runs/..%2F..%2F..%2F..%2Fsecret` }],
    ];
    for (const [endpoint, query] of attempts) {
      const answer = await get(endpoint, query);
      expect([400, 404], `${endpoint} ${query.path} answered ${answer.status}`).toContain(answer.status);
      expect(answer.text).not.toContain('not for you');
      expect(answer.text).not.toContain('another task');
      expect(answer.text).not.toContain('root:');
    }
    // A symlink escape is upstream's "inaccessible" (400), a path never attached is 404.
    expect((await get('read', { path: path.join(run, 'escape'), offset: '0' })).status).toBe(400);
    expect((await get('read', { path: '/etc/passwd', offset: '0' })).status).toBe(404);
  });

  it('answers 405 to methods other than GET', async () => {
    const response = await fetch(`${local!.url}/files/read?path=${encodeURIComponent(path.join(run, 'stderr'))}`, { method: 'POST' });
    expect(response.status).toBe(405);
  });
});
