import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { StaticMasterDetector } from '../../src/mesos/detector.js';
import { SchedulerDriver } from '../../src/mesos/driver.js';
import { buildFrameworkInfo } from '../../src/mesos/framework-info.js';
import { EventTap, FakeMaster, subscribedEvent } from '../helpers/fake-master.js';

const logger = pino({ level: 'silent' });
let dir: string;
let tls: { key: string; cert: string };
let master: FakeMaster;

beforeAll(async () => {
  // A throwaway self-signed certificate for 127.0.0.1, made by the real openssl.
  dir = mkdtempSync(path.join(tmpdir(), 'pacer-tls-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  tls = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  master = await FakeMaster.start({ tls });
});

afterAll(async () => {
  await master?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function driverFor(opts: { ca?: string }): SchedulerDriver {
  return new SchedulerDriver({
    detector: new StaticMasterDetector(master.base),
    frameworkInfo: buildFrameworkInfo({ user: 'tester', hostname: 'h' }),
    persistFrameworkId: async () => undefined,
    logger,
    backoff: { initialMs: 5, maxMs: 20 },
    ...(opts.ca ? { tls: { ca: opts.ca } } : {}),
  });
}

describe('SchedulerDriver over https', () => {
  it('subscribes and calls through TLS with a custom CA', async () => {
    master.onSubscribe((_r, reply) => void reply.stream().send(subscribedEvent('fw-tls')));
    const driver = driverFor({ ca: tls.cert });
    const tap = new EventTap(driver);
    driver.start();
    try {
      const subscribed = await tap.take('subscribed');
      expect(subscribed.master).toBe(`${master.base}/api/v1/scheduler`);
      expect(subscribed.master.startsWith('https://')).toBe(true);
      await driver.reconcile();
      expect(master.calls().map((r) => r.call?.type)).toEqual(['RECONCILE']);
    } finally {
      await driver.close();
    }
  });

  it('does not trust an unknown certificate', async () => {
    const before = master.requests.length;
    const driver = driverFor({});
    driver.start();
    try {
      // Let it try a few times: every attempt must fail in the handshake, before any request.
      await new Promise((r) => setTimeout(r, 100));
      expect(driver.state).toBe('connecting');
      expect(master.requests.length).toBe(before);
    } finally {
      await driver.close();
    }
  });
});
