// The embedded master of `pacer --master local` runs on a worker thread. A worker loads
// compiled JavaScript only, so this test drives the build in dist/ (npm test builds first).
import { createServer, type Server } from 'node:net';
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

type EmbeddedMasterModule = typeof import('../../src/local/embedded-master.js');
type EmbeddedMaster = Awaited<ReturnType<EmbeddedMasterModule['startEmbeddedMaster']>>;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const logger = pino({ level: 'silent' });
let mod: EmbeddedMasterModule;
let master: EmbeddedMaster | undefined;
let blocker: Server | undefined;

beforeAll(async () => {
  for (const name of ['embedded-master', 'embedded-master-worker', 'index']) {
    const source = statSync(path.join(root, 'src/local', `${name}.ts`)).mtimeMs;
    const built = statSync(path.join(root, 'dist/src/local', `${name}.js`), { throwIfNoEntry: false })?.mtimeMs;
    if (built === undefined || built < source) throw new Error(`dist/src/local/${name}.js is missing or older than its source: run npm run build`);
  }
  mod = (await import(pathToFileURL(path.join(root, 'dist/src/local/embedded-master.js')).href)) as EmbeddedMasterModule;
});

afterEach(async () => {
  await master?.close();
  master = undefined;
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = undefined;
});

describe('embedded master on a worker thread', () => {
  it('serves the master over HTTP from its own thread and stops when closed', async () => {
    master = await mod.startEmbeddedMaster({ ip: '127.0.0.1', port: 0, agents: 0, simulatedAgents: 2 }, logger);
    expect(master.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(master.masterInfo.address?.port).toBe(Number(new URL(master.url).port));

    const state = (await (await fetch(`${master.url}/master/state`)).json()) as { id: string; slaves: unknown[]; frameworks: unknown[] };
    expect(state.id).toBe(master.masterInfo.id);
    expect(state.slaves).toHaveLength(2);
    expect(state.frameworks).toEqual([]);

    const url = master.url;
    await master.close();
    master = undefined;
    await expect(fetch(`${url}/master/state`)).rejects.toThrow();
  });

  it('rejects with the master’s own reason when it cannot start, and leaves no thread behind', async () => {
    blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker!.listen(0, '127.0.0.1', () => resolve((blocker!.address() as { port: number }).port)));
    const started = mod.startEmbeddedMaster({ ip: '127.0.0.1', port, agents: 0, simulatedAgents: 1 }, logger);
    await expect(started).rejects.toMatchObject({ code: 'PACER_EMBEDDED_MASTER', message: expect.stringContaining(`cannot listen on 127.0.0.1:${port}`) });
  });
});
