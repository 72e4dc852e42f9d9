/**
 * Every pod in Marathon's system-test corpus (../shared/conformance/marathon/pods/, from
 * tests/system/pods/*.json), read at test time: accepted and rendered as GET /v2/pods/{id} renders it, or
 * refused with the answer Marathon gives. Each expectation names the Marathon source it is derived from
 * (paths relative to mesosphere/marathon; `V/` = src/main/scala/mesosphere/marathon/api/v2/validation/,
 * `RAML/` = docs/docs/rest-api/public/api/v2/types/).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePodBody, renderPod, type PodParseOptions } from '../../../src/model/pods/index.js';

const corpus = fileURLToPath(new URL('../../../../shared/conformance/marathon/pods/', import.meta.url));
const read = (file: string): string => readFileSync(corpus + file, 'utf8');
const defaults: PodParseOptions = { mesosRole: '*' };
type Rendered = Record<string, any>;

function accept(file: string, opts: PodParseOptions = defaults): Rendered {
  const result = parsePodBody(read(file), opts);
  if (!result.ok) throw new Error(`${file} refused: ${result.failure.message}`);
  return renderPod(result.pod);
}

function refusal(file: string, opts: PodParseOptions = defaults): { status: number; body: unknown } {
  const result = parsePodBody(read(file), opts);
  if (result.ok) throw new Error(`${file} was accepted`);
  return { status: result.failure.status, body: result.failure.body };
}

/**
 * What PodConversion.podRamlWriter fills in for a pod that names no scheduling, executor resources or role
 * (state/RunSpec BackoffStrategy(): 1 s, factor 1.15, 5 min; AppDefinition.DefaultUpgradeStrategy 1/1;
 * UnreachableStrategy.default(resident = false) = 0 s/0 s; KillSelection.DefaultKillSelection;
 * RAML/resources.raml ExecutorResources defaults 0.1/32/10; PodNormalization: role = --mesos_role).
 * `placement` is written as `{}`: the Jackson serializer writes the Some(placement) and omits its two empty
 * `omitEmpty` lists.
 */
const podDefaults = {
  scaling: { kind: 'fixed', instances: 1 },
  scheduling: {
    backoff: { backoff: 1, backoffFactor: 1.15, maxLaunchDelay: 300 },
    upgrade: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
    placement: {},
    killSelection: 'YOUNGEST_FIRST',
    unreachableStrategy: { inactiveAfterSeconds: 0, expungeAfterSeconds: 0 },
  },
  executorResources: { cpus: 0.1, mem: 32, disk: 10 },
  role: '*',
};

const secretsOff = 'Feature secrets is not enabled. Enable with --enable_features secrets)';

const table: Array<[file: string, outcome: string, check: (file: string) => void]> = [
  [
    'container-bridge-pod.json',
    // V/PodsValidation endpointValidator: containerPort is only forbidden in host mode and only required in
    // container mode; PodNormalization.Containers: not container mode, so hostPort stays as given (0).
    'accepted; bridge network, endpoint with containerPort 80 and a dynamic host port',
    (file) => {
      expect(accept(file)).toEqual({
        ...podDefaults,
        id: '/container-bridge-pod',
        containers: [
          {
            name: 'nginx',
            resources: { cpus: 1, mem: 128, disk: 0, gpus: 0 },
            endpoints: [{ name: 'web', containerPort: 80, hostPort: 0, protocol: ['tcp'] }],
            image: { kind: 'DOCKER', id: 'nginx' },
          },
        ],
        networks: [{ mode: 'container/bridge' }],
      });
    },
  ],
  [
    'container-net-pod.json',
    // V/NetworkValidation.defaultNetworkNameValidator (PodsValidation: `pod.networks is
    // defaultNetworkNameValidator(...)`): a container network without a name needs --default_network_name.
    '422: container network without a name and no --default_network_name',
    (file) => {
      expect(refusal(file)).toEqual({
        status: 422,
        body: {
          message: 'Object is not valid',
          details: [{ path: '/networks', errors: ['Network name must be specified when container network is selected.'] }],
        },
      });
    },
  ],
  [
    'ephemeral-volume-pod.json',
    // RAML/volumes.raml PodEphemeralVolume {name}; ContainerConversion writes every volume mount's
    // readOnly (false by default); RAML/resources.raml disk 0 and gpus 0 by default.
    'accepted; shared ephemeral volume mounted by both containers',
    (file) => {
      const pod = accept(file);
      expect(pod).toMatchObject({ ...podDefaults, id: '/ephemeral-volume-pod', volumes: [{ name: 'v1' }], networks: [{ mode: 'host' }] });
      expect(pod.containers.map((c: Rendered) => c.volumeMounts)).toEqual([
        [{ name: 'v1', mountPath: 'ct1-v1', readOnly: false }],
        [{ name: 'v1', mountPath: 'etc', readOnly: false }],
      ]);
      expect(pod.containers[0].resources).toEqual({ cpus: 0.1, mem: 32, disk: 0, gpus: 0 });
      expect(pod.containers[1]).not.toHaveProperty('image');
    },
  ],
  [
    'persistent-volume-pod.json',
    // V/PodsValidation.validPodDefinitionWithRoleEnforcement: "Resident pods cannot have the role *" when the
    // pod has persistent volumes and its role (here --mesos_role's default `*`) is `*`.
    '422: a resident pod cannot use role *',
    (file) => {
      expect(refusal(file)).toEqual({
        status: 422,
        body: { message: 'Object is not valid', details: [{ path: '/role', errors: ['Resident pods cannot have the role *'] }] },
      });
    },
  ],
  [
    'ports-pod.json',
    // `containerPort: null` and `name: null` read as absent (Play optional fields); host mode: hostPort 0
    // kept; healthCheck defaults from RAML/healthCheck.raml (delaySeconds 15), scheme matched
    // case-insensitively and written HTTP; an empty placement is written as {}.
    'accepted; host endpoints with HTTP health checks',
    (file) => {
      const pod = accept(file);
      expect(pod).toMatchObject({ ...podDefaults, id: '/ports-pod', networks: [{ mode: 'host' }] });
      expect(pod.containers[0].endpoints).toEqual([{ name: 'httpendpoint', hostPort: 0, protocol: ['tcp'] }]);
      expect(pod.containers[1].endpoints).toEqual([{ name: 'httpendpoint2', hostPort: 0, protocol: ['http'] }]);
      expect(pod.containers[0].healthCheck).toEqual({
        http: { endpoint: 'httpendpoint', path: '/', scheme: 'HTTP' },
        gracePeriodSeconds: 2,
        intervalSeconds: 2,
        maxConsecutiveFailures: 2,
        timeoutSeconds: 1,
        delaySeconds: 15,
      });
    },
  ],
  [
    'private-docker-pod.json',
    // V/PodsValidation imageValidator: `image.pullConfig is empty or featureEnabled(secrets)`; podValidator:
    // `pod.secrets is empty or (secretValidator and featureEnabled(secrets))`. wix-accord's Or keeps every
    // child violation, so each path lists "must be empty" and the feature message. The unknown
    // `image.force` is ignored by the generated reader.
    '422: secrets feature not enabled',
    (file) => {
      expect(refusal(file)).toEqual({
        status: 422,
        body: {
          message: 'Object is not valid',
          details: [
            { path: '/containers(0)/image/pullConfig', errors: ['must be empty', secretsOff] },
            { path: '/secrets', errors: ['must be empty', secretsOff] },
          ],
        },
      });
    },
  ],
  [
    'simple-pod.json',
    // RAML/volumes.raml PodHostVolume {name, host}; pod environment kept; both volumes are mounted.
    'accepted; ephemeral and host volumes, pod environment',
    (file) => {
      const pod = accept(file);
      expect(pod).toMatchObject({ ...podDefaults, id: '/simple-pod', environment: { PING: 'PONG' } });
      expect(pod.volumes).toEqual([{ name: 'v1' }, { name: 'v2', host: '/var/lib/docker' }]);
    },
  ],
  [
    'test-pod.json',
    // RAML/podContainer.raml PodContainer.name is strings.Name, pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$:
    // "healthApp1" has an upper-case letter, so the generated reader fails with error.pattern (422 Invalid JSON).
    '422 Invalid JSON: container names with upper-case letters',
    (file) => {
      expect(refusal(file)).toEqual({
        status: 422,
        body: {
          message: 'Invalid JSON',
          details: [
            { path: '/containers(0)/name', errors: ['error.pattern'] },
            { path: '/containers(1)/name', errors: ['error.pattern'] },
          ],
        },
      });
    },
  ],
];

describe('Marathon pod corpus', () => {
  it('the table covers every file in the corpus', () => {
    expect(table.map(([file]) => file).sort()).toEqual(readdirSync(corpus).sort());
  });

  for (const [file, outcome, check] of table) {
    it(`${file}: ${outcome}`, () => check(file));
  }

  it('persistent-volume-pod.json is accepted under a non-* role, with resident defaults', () => {
    // PodNormalization.normalizeScheduling keeps the given upgrade/unreachable strategies of a resident pod;
    // VolumeConversion: persistent type defaults to root.
    const pod = accept('persistent-volume-pod.json', { mesosRole: 'data' });
    expect(pod).toMatchObject({
      role: 'data',
      scheduling: { upgrade: { minimumHealthCapacity: 0, maximumOverCapacity: 0 }, unreachableStrategy: 'disabled' },
      volumes: [{ name: 'pst', persistent: { type: 'root', size: 10, constraints: [] } }],
    });
    expect(pod.containers[0].lifecycle).toEqual({ killGracePeriodSeconds: 60 });
    expect(pod.containers[0].endpoints).toEqual([{ name: 'httpct1', hostPort: 0, protocol: ['tcp'] }]);
  });

  it('container-net-pod.json is accepted with --default_network_name, which names the network', () => {
    // NetworkNormalization.Networks: unnamed container networks take the default name; container mode
    // keeps endpoints without a host port.
    const pod = accept('container-net-pod.json', { mesosRole: '*', defaultNetworkName: 'dcos' });
    expect(pod.networks).toEqual([{ name: 'dcos', mode: 'container' }]);
    expect(pod.containers[0].endpoints).toEqual([{ name: 'web', containerPort: 80, protocol: ['http'] }]);
  });

  it('private-docker-pod.json is accepted once the secrets feature is enabled', () => {
    const pod = accept('private-docker-pod.json', { mesosRole: '*', features: new Set(['secrets']) });
    expect(pod.containers[0].image).toEqual({ kind: 'DOCKER', id: 'mesosphere/simple-docker-ee:latest', pullConfig: { secret: 'pullConfigSecret' } });
    expect(pod.secrets).toEqual({ pullConfigSecret: { source: '/pullconfig' } });
  });

  it('every accepted pod reads back to itself (what GET returns can be PUT again unchanged)', () => {
    for (const file of ['container-bridge-pod.json', 'ephemeral-volume-pod.json', 'ports-pod.json', 'simple-pod.json']) {
      const once = accept(file);
      const again = parsePodBody(JSON.stringify(once), defaults);
      expect(again.ok && renderPod(again.pod)).toEqual(once);
    }
  });
});
