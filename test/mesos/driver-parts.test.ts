import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Backoff, sleep } from '../../src/mesos/backoff.js';
import { StaticMasterDetector, createMasterDetector, parseMasterAddress } from '../../src/mesos/detector.js';
import { buildFrameworkInfo } from '../../src/mesos/framework-info.js';
import { resolveLocation, schedulerEndpoint } from '../../src/mesos/http-util.js';
import { OrderedCalls } from '../../src/mesos/lane.js';
import { EventQueue } from '../../src/mesos/event-queue.js';

describe('master addresses', () => {
  it.each([
    ['10.0.0.1:5050', 'http://10.0.0.1:5050'],
    ['master.example', 'http://master.example:5050'],
    ['http://m:80', 'http://m'],
    ['https://m', 'https://m:5050'],
    ['https://m:443/', 'https://m'],
    ['[::1]:6060', 'http://[::1]:6060'],
    ['http://proxy:8080/mesos/', 'http://proxy:8080/mesos'],
  ])('%s -> %s', (input, expected) => {
    expect(parseMasterAddress(input)).toBe(expected);
  });

  it.each(['', 'zk://zk:2181/mesos', 'ftp://x', 'http://u:p@m:5050', 'http://m:5050/?q=1'])('rejects %j', (bad) => {
    expect(() => parseMasterAddress(bad)).toThrow(expect.objectContaining({ code: 'PACER_MESOS_BAD_MASTER_URL' }));
  });

  it('a static list keeps its order and drops duplicates', async () => {
    const detector = new StaticMasterDetector('m1:5050, m2:5050,m1:5050,');
    expect(await detector.candidates()).toEqual(['http://m1:5050', 'http://m2:5050']);
  });

  it('createMasterDetector gives a static detector for host lists', async () => {
    const detector = await createMasterDetector('a:1,https://b:2', pino({ level: 'silent' }));
    expect(detector).toBeInstanceOf(StaticMasterDetector);
    expect(await detector.candidates()).toEqual(['http://a:1', 'https://b:2']);
  });

  it('builds the scheduler endpoint under any prefix', () => {
    expect(schedulerEndpoint('http://m:5050').href).toBe('http://m:5050/api/v1/scheduler');
    expect(schedulerEndpoint('http://proxy/mesos').href).toBe('http://proxy/mesos/api/v1/scheduler');
  });
});

describe('redirect targets', () => {
  const current = new URL('https://m1:5050/api/v1/scheduler');
  it.each([
    ['//m2:5050/api/v1/scheduler', 'https://m2:5050/api/v1/scheduler'],
    ['http://m2:5050/api/v1/scheduler', 'http://m2:5050/api/v1/scheduler'],
    ['m2:5050', 'https://m2:5050/api/v1/scheduler'],
    ['//m2:5050', 'https://m2:5050/api/v1/scheduler'],
    ['/master/api/v1/scheduler', 'https://m1:5050/master/api/v1/scheduler'],
  ])('%s', (location, expected) => {
    expect(resolveLocation(location, current).href).toBe(expected);
  });

  it('rejects non-HTTP targets', () => {
    expect(() => resolveLocation('ftp://x/y', current)).toThrow(expect.objectContaining({ code: 'PACER_MESOS_BAD_RESPONSE' }));
  });
});

describe('buildFrameworkInfo', () => {
  it('uses Marathon defaults', () => {
    const info = buildFrameworkInfo({ user: 'u', hostname: 'h' });
    expect(info).toEqual({
      user: 'u',
      name: 'pacer',
      failover_timeout: 604800,
      checkpoint: true,
      roles: ['*'],
      hostname: 'h',
      webui_url: 'http://h:8080',
      capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }, { type: 'REGION_AWARE' }],
    });
  });

  it('adds optional capabilities, id and principal when asked', () => {
    const info = buildFrameworkInfo({
      user: 'u',
      hostname: 'h',
      taskKilling: true,
      gpuResources: true,
      frameworkId: 'fw',
      principal: 'p',
      roles: ['a', 'b'],
      webuiUrl: 'https://ui',
    });
    expect(info.capabilities?.map((c) => c.type)).toContain('TASK_KILLING_STATE');
    expect(info.capabilities?.map((c) => c.type)).toContain('GPU_RESOURCES');
    expect(info).toMatchObject({ id: { value: 'fw' }, principal: 'p', roles: ['a', 'b'], webui_url: 'https://ui' });
  });
});

describe('Backoff', () => {
  it('grows exponentially with jitter in [base/2, base] and caps', () => {
    let r = 0;
    const b = new Backoff({ initialMs: 100, maxMs: 1000, random: () => r });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([50, 100, 200, 400, 500]);
    r = 0.999999;
    expect(b.next()).toBe(1000);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('sleep returns early when aborted', async () => {
    const ac = new AbortController();
    const p = sleep(60_000, ac.signal);
    ac.abort();
    await p;
  });
});

describe('OrderedCalls', () => {
  /** A task that records when it starts and is answered when the test says so. */
  function recorder() {
    const log: string[] = [];
    const answers = new Map<string, (fail?: boolean) => void>();
    const task = (name: string) => () =>
      new Promise<string>((resolve, reject) => {
        log.push(`start ${name}`);
        answers.set(name, (fail = false) => {
          log.push(`end ${name}`);
          if (fail) reject(new Error(name));
          else resolve(name);
        });
      });
    const answer = async (name: string, fail = false): Promise<void> => {
      for (let i = 0; i < 20 && !answers.has(name); i++) await new Promise((r) => setImmediate(r));
      answers.get(name)!(fail);
      await new Promise((r) => setImmediate(r));
    };
    return { log, task, answer };
  }

  it('runs offer calls together, and a barrier only after all before it and before all after it', async () => {
    const calls = new OrderedCalls();
    const { log, task, answer } = recorder();
    const results = Promise.allSettled([
      calls.concurrent(task('accept-1')),
      calls.concurrent(task('decline-1')),
      calls.barrier(task('revive')),
      calls.concurrent(task('decline-2')),
      calls.barrier(task('suppress')),
    ]);
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['start accept-1', 'start decline-1']);
    await answer('decline-1', true);
    expect(log).toEqual(['start accept-1', 'start decline-1', 'end decline-1']);
    await answer('accept-1');
    expect(log.slice(3)).toEqual(['end accept-1', 'start revive']);
    await answer('revive');
    expect(log.slice(5)).toEqual(['end revive', 'start decline-2']);
    await answer('decline-2');
    await answer('suppress');
    expect(log.slice(7)).toEqual(['end decline-2', 'start suppress', 'end suppress']);
    expect((await results).map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(calls.depth).toBe(0);
  });

  it('keeps at most maxConcurrent offer calls in flight', async () => {
    const calls = new OrderedCalls({ maxConcurrent: 2 });
    const { log, task, answer } = recorder();
    const all = Promise.all(['a', 'b', 'c', 'd'].map((n) => calls.concurrent(task(n))));
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['start a', 'start b']);
    await answer('b');
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    await answer('a');
    await answer('c');
    await answer('d');
    expect(await all).toEqual(['a', 'b', 'c', 'd']);
    expect(calls.depth).toBe(0);
  });
});

describe('EventQueue', () => {
  it('blocks the producer at the high-water mark until the consumer drains', async () => {
    const q = new EventQueue<number>(2);
    q.push(1);
    q.push(2);
    let roomy = false;
    const room = q.waitForRoom().then(() => {
      roomy = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(roomy).toBe(false);
    const it = q[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ value: 1, done: false });
    await room;
    q.end();
    expect(await it.next()).toEqual({ value: 2, done: false });
    expect((await it.next()).done).toBe(true);
  });

  it('stops accepting items once its consumer leaves', async () => {
    const q = new EventQueue<number>(1);
    q.push(1);
    for await (const _ of q) break;
    q.push(2);
    await q.waitForRoom();
    expect(q.ended).toBe(true);
  });
});
