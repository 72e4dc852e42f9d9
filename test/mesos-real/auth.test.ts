/**
 * A real Mesos master that authenticates HTTP frameworks (`--authenticate_http_frameworks
 * --http_framework_authenticators=basic --credentials=<file>`), with Pacer speaking protobuf
 * (`--mesos_content_type protobuf`) and authenticating with `--mesos_authentication_principal`
 * and `--mesos_authentication_secret_file`; a Pacer with a wrong secret is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { masterFrameworks, pacerFrameworkId, removeDir, tempDir, waitFor } from '../helpers/processes.js';
import { startCluster, writeCredentials, type MesosCluster } from './cluster.js';
import { createApp, deleteAppAndWait, expectViewsAgree, startPacerOn, waitAppSettled, type PacerOnMesos } from './pacer-on-mesos.js';
import { rawCall } from './framework-view.js';

const PRINCIPAL = 'pacer-principal';
let dir: string;
let cluster: MesosCluster;
let secretFile: string;
let pacer: PacerOnMesos | undefined;

beforeAll(async () => {
  dir = tempDir('pacer-mesos-auth');
  const files = writeCredentials(dir, PRINCIPAL, 'the-right-secret');
  secretFile = files.secretFile;
  cluster = await startCluster({
    name: 'auth',
    agents: 1,
    master: { extraFlags: ['--authenticate_http_frameworks', '--http_framework_authenticators=basic', `--credentials=${files.credentialsFile}`] },
  });
});

afterAll(async () => {
  await pacer?.process.kill('SIGKILL');
  await cluster?.stop();
  removeDir(pacer?.dataDir);
  removeDir(dir);
});

describe('HTTP framework authentication and protobuf on a real Mesos', () => {
  it('refuses a SUBSCRIBE without credentials with 401', async () => {
    const answer = await rawCall(
      cluster.masters[0]!.url,
      JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'root', name: 'anonymous' } } }),
      { 'Content-Type': 'application/json', Accept: 'application/json' },
    );
    expect(answer.status).toBe(401);
  });

  it('Pacer with protobuf and the right secret subscribes under its principal and runs an app', async () => {
    pacer = await startPacerOn(cluster.masterSpec, 'auth-protobuf', {
      extraArgs: ['--mesos_content_type', 'protobuf', '--mesos_authentication_principal', PRINCIPAL, '--mesos_authentication_secret_file', secretFile],
    });
    const masterUrl = cluster.masters[0]!.url;
    const state = (await (await fetch(`${masterUrl}/master/state`)).json()) as { frameworks: Array<{ id: string; principal?: string }> };
    const frameworkId = await pacerFrameworkId(pacer.url);
    expect(state.frameworks.find((f) => f.id === frameworkId)?.principal).toBe(PRINCIPAL);
    await createApp(pacer, { id: '/auth/app', cmd: 'sleep 100000', cpus: 0.05, mem: 16, instances: 2, portDefinitions: [] });
    await waitAppSettled(pacer, '/auth/app', 2);
    expect(await expectViewsAgree(pacer, masterUrl)).toHaveLength(2);
    await deleteAppAndWait(pacer, masterUrl, '/auth/app');
    await pacer.process.kill('SIGTERM');
  });

  it('Pacer with a wrong secret is refused and never registers', async () => {
    const wrong = path.join(dir, 'wrong-secret');
    writeFileSync(wrong, 'not-the-secret', { mode: 0o600 });
    const refused = await startPacerOn(cluster.masterSpec, 'auth-wrong', {
      waitForFrameworkId: false,
      extraArgs: ['--mesos_authentication_principal', PRINCIPAL, '--mesos_authentication_secret_file', wrong],
    });
    try {
      await waitFor(
        'Pacer to log the master refusing it (401)',
        async () => (/"status":401,.*"msg":"SUBSCRIBE refused"/.test(readFileSync(refused.process.logFile, 'utf8')) ? true : undefined),
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      // A refused driver stops; the process may stay up (API only) or exit, never with an id.
      if (refused.process.isRunning()) expect(await pacerFrameworkId(refused.url).catch(() => undefined)).toBeUndefined();
      expect((await masterFrameworks(cluster.masters[0]!.url)).filter((f) => f.active)).toEqual([]);
    } finally {
      await refused.process.kill('SIGKILL');
      removeDir(refused.dataDir);
    }
  });
});
