/**
 * Every app in Marathon's system-test corpus and REST examples (read from ../shared at test time):
 * accepted and rendered with Marathon's defaults, or refused with the answer Marathon gives.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AppValidationError, normalizeAndValidateApp, parseAppCreate, parseAppUpdate, renderApp, type AppParseOptions } from '../../../src/model/apps/index.js';

const corpus = fileURLToPath(new URL('../../../../shared/conformance/marathon/', import.meta.url));
const read = (file: string): string => readFileSync(corpus + file, 'utf8');
const defaults: AppParseOptions = { mesosRole: '*' };
type Rendered = Record<string, any>;

function accept(file: string, opts: AppParseOptions = defaults): Rendered {
  return renderApp(parseAppCreate(read(file), opts));
}

function refusal(run: () => unknown): AppValidationError {
  try {
    run();
  } catch (err) {
    if (err instanceof AppValidationError) return err;
    throw err;
  }
  throw new Error('expected the app to be refused');
}

const hostDefaults = {
  backoffFactor: 1.15,
  backoffSeconds: 1,
  maxLaunchDelaySeconds: 300,
  executor: '',
  gpus: 0,
  labels: {},
  requirePorts: false,
  killSelection: 'YOUNGEST_FIRST',
  role: '*',
  networks: [{ mode: 'host' }],
  upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
  unreachableStrategy: { inactiveAfterSeconds: 0, expungeAfterSeconds: 0 },
};

const secretsOff = 'Feature secrets is not enabled. Enable with --enable_features secrets)';

/** file -> expected outcome with the default options (--mesos_role '*', no features). */
const table: Array<[file: string, outcome: string, check: (run: () => Rendered) => void]> = [
  [
    'apps/sleep-app.json',
    'accepted; defaults filled, default port',
    (run) => {
      const app = run();
      expect(app).toMatchObject({ ...hostDefaults, id: '/sleep', cpus: 0.01, mem: 32, disk: 0, instances: 1 });
      expect(app.portDefinitions).toEqual([{ port: 0, name: 'default', protocol: 'tcp' }]);
      for (const omitted of ['args', 'env', 'fetch', 'constraints', 'healthChecks', 'ports', 'uris', 'ipAddress']) {
        expect(app).not.toHaveProperty(omitted);
      }
    },
  ],
  [
    'apps/large-sleep.json',
    'accepted; relative id "sleep" made absolute',
    (run) => {
      expect(run()).toMatchObject({ ...hostDefaults, id: '/sleep', cpus: 3.5 });
    },
  ],
  ['apps/http-server.json', 'accepted', (run) => expect(run()).toMatchObject({ ...hostDefaults, id: '/http-server' })],
  [
    'apps/mesos-app.json',
    'accepted; MESOS container without image',
    (run) => {
      expect(run()).toMatchObject({ ...hostDefaults, container: { type: 'MESOS', volumes: [] } });
    },
  ],
  [
    'apps/docker-http-server.json',
    'accepted; docker.network BRIDGE -> networks, docker.portMappings -> container.portMappings',
    (run) => {
      const app = run();
      expect(app.networks).toEqual([{ mode: 'container/bridge' }]);
      expect(app.container).toEqual({
        type: 'DOCKER',
        docker: { image: 'python:3.5-alpine', forcePullImage: false, privileged: false, parameters: [] },
        volumes: [],
        portMappings: [{ containerPort: 8080, hostPort: 0, servicePort: 0, protocol: 'tcp', labels: {} }],
      });
      expect(app).not.toHaveProperty('portDefinitions');
    },
  ],
  [
    'apps/docker-nginx-ssl.json',
    'accepted; named bridge port mappings',
    (run) => {
      expect(run().container.portMappings.map((m: Rendered) => m.name)).toEqual(['http', 'https']);
    },
  ],
  [
    'apps/app-with-https-readiness-checks.json',
    'accepted; readiness check on port name "https"',
    (run) => {
      expect(run().readinessChecks).toEqual([
        {
          name: 'readinessCheck',
          protocol: 'HTTPS',
          path: '/',
          portName: 'https',
          intervalSeconds: 10,
          timeoutSeconds: 5,
          httpStatusCodesForReady: [200],
          preserveLastResponse: false,
        },
      ]);
    },
  ],
  [
    'apps/ucr-docker-http-server.json',
    'accepted; MESOS container with docker image (UCR)',
    (run) => {
      expect(run().container).toMatchObject({ type: 'MESOS', docker: { image: 'python:3.5-alpine' } });
    },
  ],
  [
    'apps/ipv6-healthcheck.json',
    'accepted; IPv6 allowed for DOCKER + MESOS_HTTP',
    (run) => {
      const app = run();
      expect(app.networks).toEqual([{ mode: 'container', name: 'mesos-docker-ipv6-test' }]);
      expect(app.healthChecks).toEqual([
        {
          protocol: 'MESOS_HTTP',
          ipProtocol: 'IPv6',
          path: '/',
          portIndex: 0,
          gracePeriodSeconds: 300,
          intervalSeconds: 60,
          timeoutSeconds: 20,
          maxConsecutiveFailures: 3,
          delaySeconds: 15,
        },
      ]);
    },
  ],
  [
    'apps/readiness-and-health-app.json',
    'accepted; HTTP health check keeps portIndex 0, gets ignoreHttp1xx false',
    (run) => {
      const app = run();
      expect(app.healthChecks[0]).toMatchObject({ protocol: 'HTTP', portIndex: 0, ignoreHttp1xx: false, ipProtocol: 'IPv4', delaySeconds: 15 });
      expect(app.portDefinitions).toEqual([{ port: 0, name: 'api', protocol: 'tcp' }]);
    },
  ],
  [
    'apps/fake-framework.json',
    'accepted; single-instance app with DC/OS migration labels',
    (run) => {
      expect(run()).toMatchObject({ instances: 1, upgradeStrategy: { minimumHealthCapacity: 0, maximumOverCapacity: 0 } });
    },
  ],
  [
    'apps/pinger-bridge-app.json',
    'accepted; fetch defaults, fixed host port 7777',
    (run) => {
      const app = run();
      expect(app.fetch).toEqual([{ uri: 'http://master.mesos:7777/pinger.py', extract: true, executable: false, cache: false }]);
      expect(app.container.portMappings[0]).toMatchObject({ hostPort: 7777, name: 'http' });
      expect(app.container.volumes).toEqual([{ containerPath: '/opt/pinger.py', hostPath: 'pinger.py', mode: 'RO' }]);
    },
  ],
  [
    'apps/pinger-container-app.json',
    'accepted; ipAddress -> container network + MESOS container with discovery port mapping',
    (run) => {
      const app = run();
      expect(app.networks).toEqual([{ mode: 'container', name: 'dcos' }]);
      expect(app.container).toEqual({
        type: 'MESOS',
        volumes: [],
        portMappings: [{ containerPort: 7777, name: 'my-port', protocol: 'tcp', servicePort: 0, labels: {} }],
      });
      expect(app).not.toHaveProperty('ipAddress');
    },
  ],
  [
    'apps/pinger-localhost-app.json',
    'accepted; requirePorts true with port 7777',
    (run) => {
      expect(run()).toMatchObject({ requirePorts: true, portDefinitions: [{ port: 7777, name: 'api', protocol: 'tcp' }] });
    },
  ],
  [
    'apps/private-docker-app.json',
    'accepted; .tar.gz fetch',
    (run) => {
      expect(run().fetch).toEqual([{ uri: 'file:///home/centos/docker.tar.gz', extract: true, executable: false, cache: false }]);
    },
  ],
  [
    'apps/private-ucr-docker-app.json',
    '422: secrets feature not enabled',
    (run) => {
      expect(refusal(run).body).toEqual({
        message: 'Object is not valid',
        details: [
          { path: '/container/docker/pullConfig', errors: ['must be empty', secretsOff] },
          { path: '/secrets', errors: [secretsOff] },
        ],
      });
    },
  ],
  [
    'apps/external-volume-mesos-app.json',
    '422: external_volumes feature not enabled',
    (run) => {
      expect(refusal(run).body).toEqual({
        message: 'Object is not valid',
        details: [{ path: '/container/volumes(0)', errors: ['Feature external_volumes is not enabled. Enable with --enable_features external_volumes)'] }],
      });
    },
  ],
  [
    'apps/persistent-volume-app.json',
    '422: a resident app cannot use role *',
    (run) => {
      expect(refusal(run).body).toEqual({ message: 'Object is not valid', details: [{ path: '/role', errors: ['Resident apps cannot have the role *'] }] });
    },
  ],
  [
    'apps/resident-docker-app.json',
    '422: a resident app cannot use role *',
    (run) => {
      expect(refusal(run).status).toBe(422);
      expect(refusal(run).body.details).toEqual([{ path: '/role', errors: ['Resident apps cannot have the role *'] }]);
    },
  ],
  [
    'apps/healthcheck-and-volume.json',
    '422: a resident app cannot use role *',
    (run) => {
      expect(refusal(run).body.details).toEqual([{ path: '/role', errors: ['Resident apps cannot have the role *'] }]);
    },
  ],
  [
    'examples/app.json',
    '422: mixes ipAddress/discovery with DOCKER and ports',
    (run) => {
      expect(refusal(run).body).toEqual({
        message: 'Object is not valid',
        details: [
          { path: '/ipAddress', errors: ['ipAddress/discovery is not allowed for Docker containers'] },
          { path: '/', errors: ['cannot specify both an IP address and port'] },
        ],
      });
    },
  ],
];

describe('Marathon conformance corpus', () => {
  for (const [file, outcome, check] of table) {
    it(`${file}: ${outcome}`, () => check(() => accept(file)));
  }

  it('resident apps are accepted under a non-* role, with resident defaults', () => {
    const opts: AppParseOptions = { mesosRole: 'data' };
    const app = accept('apps/persistent-volume-app.json', opts);
    expect(app).toMatchObject({
      role: 'data',
      acceptedResourceRoles: ['*'],
      unreachableStrategy: 'disabled',
      residency: { relaunchEscalationTimeoutSeconds: 3600, taskLostBehavior: 'WAIT_FOREVER' },
      upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 },
    });
    expect(app.container.volumes[0]).toEqual({ containerPath: 'data', mode: 'RW', persistent: { type: 'root', size: 10, constraints: [] } });

    const docker = accept('apps/resident-docker-app.json', opts);
    expect(docker.networks).toEqual([{ mode: 'container', name: 'dcos' }]);
    expect(docker.upgradeStrategy).toEqual({ minimumHealthCapacity: 0.5, maximumOverCapacity: 0 });
    expect(docker.container.portMappings).toEqual([{ containerPort: 0, name: 'default', protocol: 'tcp', servicePort: 0, labels: {} }]);
  });

  it('feature-gated apps are accepted once the feature is enabled', () => {
    const ucr = accept('apps/private-ucr-docker-app.json', { mesosRole: '*', features: new Set(['secrets']) });
    expect(ucr.container.docker.pullConfig).toEqual({ secret: 'pullConfigSecret' });
    expect(ucr.secrets).toEqual({ pullConfigSecret: { source: '/pullconfig' } });

    const ext = accept('apps/external-volume-mesos-app.json', { mesosRole: '*', features: new Set(['external_volumes']) });
    expect(ext.upgradeStrategy).toEqual({ minimumHealthCapacity: 0, maximumOverCapacity: 0 });
    expect(ext.container.volumes[0].external).toMatchObject({ name: 'marathon-si-test-vol', provider: 'dvdi' });
  });

  it('examples/apps_create.json: each element is a valid app; dependencies stay absolute', () => {
    const apps = JSON.parse(read('examples/apps_create.json')) as unknown[];
    const rendered = apps.map((a) => renderApp(normalizeAndValidateApp(a, defaults)));
    expect(rendered.map((a) => a.id)).toEqual(['/test/sleep60', '/test/sleep120']);
    expect(rendered[0]!.dependencies).toEqual(['/test/sleep120', '/other/namespace/or/app']);
    expect(rendered[1]).not.toHaveProperty('dependencies');
  });

  it('examples/app_patch.json: merged onto the existing app, only instances change; the path id wins', () => {
    const existing = parseAppCreate('{"id":"/bar","cmd":"sleep 1"}', defaults);
    const patched = parseAppUpdate(read('examples/app_patch.json'), { ...defaults, partial: true, existing, idFromPath: '/bar' });
    expect(patched).toEqual({ ...existing, instances: 2 });
  });

  it('examples/apps_patch.json: each element patches its own app', () => {
    const updates = JSON.parse(read('examples/apps_patch.json')) as Array<Record<string, unknown>>;
    const results = updates.map((u) => {
      const id = String(u.id);
      const existing = parseAppCreate(JSON.stringify({ id, cmd: 'sleep 5' }), defaults);
      return renderApp(parseAppUpdate(JSON.stringify(u), { ...defaults, partial: true, existing, idFromPath: id }) as never);
    });
    expect(results[0]).toMatchObject({ id: '/test/sleep60', cpus: 0.3, instances: 1, cmd: 'sleep 5' });
    expect(results[1]).toMatchObject({ id: '/test/sleep120', cpus: 1, instances: 2 });
  });

  it('groups/155_100.json: all 100 real-world apps are accepted', () => {
    const group = JSON.parse(read('groups/155_100.json')) as { apps?: unknown[]; groups?: Array<{ apps?: unknown[] }> };
    const apps = [...(group.apps ?? []), ...(group.groups ?? []).flatMap((g) => g.apps ?? [])];
    expect(apps.length).toBeGreaterThan(0);
    const failures = apps.flatMap((a) => {
      try {
        normalizeAndValidateApp(a, defaults);
        return [];
      } catch (err) {
        return [`${(a as { id: string }).id}: ${(err as Error).message}`];
      }
    });
    expect(failures).toEqual([]);
  });
});
