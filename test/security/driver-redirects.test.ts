/**
 * The driver's redirects (Mesos's 307 to the leading master) must not leak credentials: never
 * from HTTPS to HTTP, and with credentials never to a host that neither --master nor ZooKeeper
 * named. A refused redirect is logged and treated as a failed master: the driver backs off and
 * tries its configured masters again. The masters here are fakes (a misbehaving master is outside
 * Pacer).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { StaticMasterDetector } from '../../src/mesos/detector.js';
import { SchedulerDriver, type SchedulerDriverOptions } from '../../src/mesos/driver.js';
import { buildFrameworkInfo } from '../../src/mesos/framework-info.js';
import { EventTap, FakeMaster, subscribedEvent, type Reply } from '../helpers/fake-master.js';
import { removeDir, tempDir } from '../helpers/processes.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const credentials = { principal: 'pacer', secret: 's3cret' };

async function master(tls?: { key: string; cert: string }): Promise<FakeMaster> {
  const m = await FakeMaster.start(tls ? { tls } : {});
  cleanups.push(() => m.close());
  return m;
}

function startDriver(masters: string, opts: Partial<SchedulerDriverOptions> = {}): { driver: SchedulerDriver; tap: EventTap } {
  const driver = new SchedulerDriver({
    detector: new StaticMasterDetector(masters),
    frameworkInfo: buildFrameworkInfo({ user: 'tester', hostname: 'pacer.test' }),
    persistFrameworkId: async () => undefined,
    logger: pino({ level: 'silent' }),
    backoff: { initialMs: 5, maxMs: 20 },
    ...opts,
  });
  cleanups.push(() => driver.close());
  const tap = new EventTap(driver);
  driver.start();
  return { driver, tap };
}

const subscribe =
  (frameworkId: string) =>
  (_r: unknown, reply: Reply): void => {
    void reply.stream().send(subscribedEvent(frameworkId, 15));
  };

describe('driver redirects', () => {
  it('does not carry credentials to a host no one configured; retries the configured master instead', async () => {
    const [configured, stranger] = [await master(), await master()];
    configured.onSubscribe((_r, reply) => reply.redirect(`//${stranger.hostPort}/api/v1/scheduler`), subscribe('fw-stay'));
    stranger.onSubscribe(subscribe('fw-stranger'));
    const { tap } = startDriver(configured.base, { credentials });
    const subscribed = await tap.take('subscribed');
    expect(subscribed.master).toBe(`${configured.base}/api/v1/scheduler`);
    expect(stranger.requests).toEqual([]);
    expect(configured.subscribes()).toHaveLength(2);
  });

  it('follows a redirect with credentials to another configured master', async () => {
    const [first, second] = [await master(), await master()];
    first.onSubscribe((_r, reply) => reply.redirect(`//${second.hostPort}/api/v1/scheduler`));
    second.onSubscribe(subscribe('fw-second'));
    const { tap } = startDriver(`${first.hostPort},${second.hostPort}`, { credentials });
    const subscribed = await tap.take('subscribed');
    expect(subscribed.master).toBe(`${second.base}/api/v1/scheduler`);
    expect(second.subscribes()[0]!.headers.authorization).toMatch(/^Basic /);
  });

  it('refuses a call redirected with credentials to an unknown host', async () => {
    const [configured, stranger] = [await master(), await master()];
    configured.onSubscribe(subscribe('fw-call'));
    configured.onCall((_r, reply) => reply.redirect(`//${stranger.hostPort}/api/v1/scheduler`));
    const { driver, tap } = startDriver(configured.base, { credentials });
    await tap.take('subscribed');
    await expect(driver.kill({ value: 't1' })).rejects.toMatchObject({ code: 'PACER_MESOS_UNSAFE_REDIRECT' });
    expect(stranger.requests).toEqual([]);
  });

  it('never follows HTTPS to HTTP', async () => {
    const dir = tempDir('pacer-driver-tls-');
    cleanups.push(() => removeDir(dir));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    const config = path.join(dir, 'openssl.cnf');
    writeFileSync(
      config,
      ['[req]', 'distinguished_name = dn', 'x509_extensions = ext', 'prompt = no', '[dn]', 'CN = 127.0.0.1', '[ext]', 'subjectAltName = IP:127.0.0.1'].join(
        '\n',
      ),
    );
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-keyout', key, '-out', cert, '-config', config], {
      stdio: 'ignore',
    });
    const secure = await master({ key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') });
    const plain = await master();
    secure.onSubscribe((_r, reply) => reply.redirect(`http://${plain.hostPort}/api/v1/scheduler`), subscribe('fw-secure'));
    plain.onSubscribe(subscribe('fw-plain'));
    // Both are "configured": only the downgrade is wrong.
    const { tap } = startDriver(`${secure.base},${plain.base}`.replace(plain.base, `https://${plain.hostPort}`), { tls: { ca: readFileSync(cert) } });
    const subscribed = await tap.take('subscribed');
    expect(subscribed.master).toBe(`${secure.base}/api/v1/scheduler`);
    expect(plain.requests).toEqual([]);
  });
});
