/**
 * One test per pod rule (PodsValidation.scala and the validators it uses): a valid pod changed in one place
 * is refused with Marathon's status, message, path and error text; the unchanged pod is accepted.
 */
import { describe, expect, it } from 'vitest';
import { parsePod, parsePodBody, renderPod, type PodDefinition, type PodParseOptions } from '../../../src/model/pods/index.js';

type Json = Record<string, any>;
const defaults: PodParseOptions = { mesosRole: '*' };
const secretsOn: PodParseOptions = { mesosRole: '*', features: new Set(['secrets']) };

/** Two containers on the host network sharing an ephemeral volume, one HTTP endpoint with a health check. */
function validPod(): Json {
  return {
    id: '/web',
    containers: [
      {
        name: 'server',
        exec: { command: { shell: 'python3 -m http.server $ENDPOINT_HTTP' } },
        resources: { cpus: 0.1, mem: 32 },
        endpoints: [{ name: 'http', hostPort: 0, protocol: ['tcp'] }],
        healthCheck: { http: { endpoint: 'http', path: '/' }, intervalSeconds: 10, timeoutSeconds: 5 },
        volumeMounts: [{ name: 'shared', mountPath: 'shared' }],
      },
      {
        name: 'sidecar',
        exec: { command: { shell: 'cat shared/x; sleep 100' } },
        resources: { cpus: 0.1, mem: 32 },
        volumeMounts: [{ name: 'shared', mountPath: 'shared' }],
      },
    ],
    volumes: [{ name: 'shared' }],
    networks: [{ mode: 'host' }],
  };
}

function accepted(pod: Json, opts: PodParseOptions = defaults): PodDefinition {
  const result = parsePod(pod, opts);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.failure.body)}`);
  return result.pod;
}

function refused(pod: unknown, opts: PodParseOptions = defaults): { status: number; body: Json } {
  const result = parsePod(pod, opts);
  if (result.ok) throw new Error('accepted');
  return { status: result.failure.status, body: result.failure.body };
}

const semantic = (...details: Array<[string, ...string[]]>): { status: number; body: Json } => ({
  status: 422,
  body: { message: 'Object is not valid', details: details.map(([path, ...errors]) => ({ path, errors })) },
});
const invalidJson = (...details: Array<[string, ...string[]]>): { status: number; body: Json } => ({
  status: 422,
  body: { message: 'Invalid JSON', details: details.map(([path, ...errors]) => ({ path, errors })) },
});

function withPod(change: (p: Json) => void): Json {
  const pod = validPod();
  change(pod);
  return pod;
}

describe('pod body: JSON and RAML types (422 Invalid JSON, Play keys)', () => {
  it('the base pod is accepted', () => {
    expect(accepted(validPod()).id).toBe('/web');
  });

  it('empty and unparsable bodies are 400', () => {
    const empty = parsePodBody('  ', defaults);
    expect(!empty.ok && empty.failure.status).toBe(400);
    expect(!empty.ok && empty.failure.body).toEqual({ message: 'Please specify data in JSON format', details: 'No content to map due to end-of-input' });
    const broken = parsePodBody('{"id": ', defaults);
    expect(!broken.ok && broken.failure.status).toBe(400);
    expect(!broken.ok && broken.failure.body.message).toBe('Invalid JSON');
  });

  it('a non-object lacks id and containers', () => {
    expect(refused([1])).toEqual(invalidJson(['/id', 'error.path.missing'], ['/containers', 'error.path.missing']));
  });

  it('containers are required and may not be empty', () => {
    expect(refused({ id: '/p' })).toEqual(invalidJson(['/containers', 'error.path.missing']));
    expect(refused({ id: '/p', containers: [] })).toEqual(invalidJson(['/containers', 'error.minLength']));
  });

  it('container names follow strings.Name', () => {
    expect(refused(withPod((p) => (p.containers[0].name = 'Server')))).toEqual(invalidJson(['/containers(0)/name', 'error.pattern']));
  });

  it('resources below the RAML minimums', () => {
    expect(refused(withPod((p) => (p.containers[0].resources = { cpus: 0, mem: 32 })))).toEqual(invalidJson(['/containers(0)/resources/cpus', 'error.min']));
    expect(refused(withPod((p) => (p.executorResources = { mem: 16 })))).toEqual(invalidJson(['/executorResources/mem', 'error.min']));
  });

  it('endpoint containerPort is a Port (1..65535), hostPort an AnyPort', () => {
    expect(refused(withPod((p) => (p.containers[0].endpoints[0].hostPort = 70000)))).toEqual(
      invalidJson(['/containers(0)/endpoints(0)/hostPort', 'error.max']),
    );
    const bridge = withPod((p) => {
      p.networks = [{ mode: 'container/bridge' }];
      p.containers[0].endpoints[0].containerPort = 0;
    });
    expect(refused(bridge)).toEqual(invalidJson(['/containers(0)/endpoints(0)/containerPort', 'error.min']));
  });

  it('scaling is read by its discriminator: kind must be exactly "fixed"', () => {
    expect(refused(withPod((p) => (p.scaling = { kind: 'auto', instances: 2 })))).toEqual(invalidJson(['/scaling', 'error.expected.jsstring']));
    expect(refused(withPod((p) => (p.scaling = { kind: 'fixed', instances: -1 })))).toEqual(invalidJson(['/scaling/instances', 'error.min']));
    expect(accepted(withPod((p) => (p.scaling = { kind: 'fixed', instances: 3 }))).scaling).toEqual({ kind: 'fixed', instances: 3 });
  });

  it('environment names follow the EnvVars key pattern, at the pod and in containers', () => {
    expect(refused(withPod((p) => (p.environment = { '1BAD': 'x' })))).toEqual(invalidJson(['/environment/1BAD', 'error.pattern']));
    expect(refused(withPod((p) => (p.containers[1].environment = { 'A-B': 'x' })))).toEqual(invalidJson(['/containers(1)/environment/A-B', 'error.pattern']));
  });

  it('enums are matched case-insensitively and stored canonically', () => {
    const pod = accepted(withPod((p) => (p.scheduling = { killSelection: 'oldest_first' })));
    expect(pod.scheduling.killSelection).toBe('OLDEST_FIRST');
    expect(refused(withPod((p) => (p.scheduling = { killSelection: 'RANDOM' })))).toEqual(
      invalidJson(['/scheduling/killSelection', 'error.unknown.enum.literal']),
    );
  });

  it('upgrade strategy numbers lie in [0, 1]', () => {
    expect(refused(withPod((p) => (p.scheduling = { upgrade: { minimumHealthCapacity: 1.5 } })))).toEqual(
      invalidJson(['/scheduling/upgrade/minimumHealthCapacity', 'error.max']),
    );
  });

  it('a volume that reads as none of the PodVolume members reports the last (ephemeral) member', () => {
    expect(refused(withPod((p) => (p.volumes = [{ host: '/tmp' }])))).toEqual(invalidJson(['/volumes(0)/name', 'error.path.missing']));
  });
});

describe('pod rules (422 Object is not valid)', () => {
  it('id: absolute, not root, no reserved last segment', () => {
    expect(refused(withPod((p) => (p.id = 'web')))).toEqual(semantic(['/id', 'Path needs to be absolute']));
    expect(refused(withPod((p) => (p.id = '/')))).toEqual(semantic(['/id', 'Path must contain at least one path element']));
    expect(refused(withPod((p) => (p.id = '/a/tasks')))).toEqual(
      semantic(['/id', 'must not end with any of the following reserved keywords: restart, tasks, versions, ., ..']),
    );
  });

  it('user must not be empty', () => {
    expect(refused(withPod((p) => (p.user = '')))).toEqual(semantic(['/user', 'must not be empty']));
  });

  it('container names must be unique', () => {
    expect(refused(withPod((p) => (p.containers[1].name = 'server')))).toEqual(semantic(['/containers', 'container names must be unique']));
  });

  it('endpoint names, container ports and host ports must be unique across containers', () => {
    const names = withPod((p) => (p.containers[1].endpoints = [{ name: 'http' }]));
    expect(refused(names)).toEqual(semantic(['/', 'endpoint names nust be unique across all containers']));
    const hostPorts = withPod((p) => {
      p.containers[0].endpoints[0].hostPort = 8080;
      p.containers[1].endpoints = [{ name: 'admin', hostPort: 8080 }];
    });
    expect(refused(hostPorts)).toEqual(semantic(['/', 'host ports must be unique across all containers']));
    const containerPorts = withPod((p) => {
      p.networks = [{ mode: 'container/bridge' }];
      p.containers[0].endpoints[0].containerPort = 80;
      p.containers[1].endpoints = [{ name: 'admin', containerPort: 80 }];
    });
    expect(refused(containerPorts)).toEqual(semantic(['/', 'container ports must be unique across all containers']));
    // host port 0 means "any": many endpoints may ask for it
    expect(accepted(withPod((p) => (p.containers[1].endpoints = [{ name: 'admin', hostPort: 0 }]))).containers[1]!.endpoints[0]!.hostPort).toBe(0);
  });

  it('host networking forbids containerPort; container networking requires it', () => {
    expect(refused(withPod((p) => (p.containers[0].endpoints[0].containerPort = 80)))).toEqual(
      semantic(['/containers(0)/endpoints(0)/containerPort', 'is not allowed when using host-mode networking']),
    );
    const container = withPod((p) => (p.networks = [{ mode: 'container', name: 'dcos' }]));
    expect(refused(container)).toEqual(semantic(['/containers(0)/endpoints(0)/containerPort', 'is required when using container-mode networking']));
  });

  it('duplicate protocols within an endpoint', () => {
    expect(refused(withPod((p) => (p.containers[0].endpoints[0].protocol = ['tcp', 'tcp'])))).toEqual(
      semantic(['/containers(0)/endpoints(0)/protocol', 'Duplicate protocols within the same endpoint are not allowed']),
    );
  });

  it('endpoint networkNames must name a pod network; with several container networks a host port needs exactly one', () => {
    const unknown = withPod((p) => {
      p.networks = [{ mode: 'container', name: 'a' }];
      p.containers[0].endpoints[0] = { name: 'http', containerPort: 80, networkNames: ['b'] };
    });
    expect(refused(unknown)).toEqual(semantic(['/containers(0)/endpoints(0)/networkNames(0)', 'is not one of (a)']));
    const ambiguous = withPod((p) => {
      p.networks = [
        { mode: 'container', name: 'a' },
        { mode: 'container', name: 'b' },
      ];
      p.containers[0].endpoints[0] = { name: 'http', containerPort: 80, hostPort: 0 };
    });
    expect(refused(ambiguous)).toEqual(
      semantic([
        '/containers(0)/endpoints(0)',
        'networkNames must be a single item list when hostPort is specified and more than 1 container network is defined',
      ]),
    );
  });

  it('network rules: host networks without names or labels, no mixing, no duplicates, container networks named', () => {
    expect(refused(withPod((p) => (p.networks = [{ mode: 'host', labels: { a: 'b' } }])))).toEqual(
      semantic(['/networks', 'Host networks may not have names or labels']),
    );
    expect(refused(withPod((p) => (p.networks = [{ mode: 'container/bridge', name: 'x' }])))).toEqual(
      semantic(['/networks', 'Bridge networks may not have names']),
    );
    const mixed = withPod((p) => {
      p.networks = [{ mode: 'host' }, { mode: 'container/bridge' }];
      p.containers[0].endpoints = [];
      p.containers[0].healthCheck = undefined;
    });
    expect(refused(mixed)).toEqual(semantic(['/networks', 'May specify a single host network, single bridge network, or else 1-to-n container networks']));
    const twice = withPod((p) => {
      p.networks = [
        { mode: 'container', name: 'a' },
        { mode: 'container', name: 'a' },
      ];
      p.containers[0].endpoints = [];
      p.containers[0].healthCheck = undefined;
    });
    expect(refused(twice)).toEqual(semantic(['/networks', 'Duplicate networks are not allowed']));
  });

  it('health check: timeout below interval, a known endpoint, exactly one kind', () => {
    expect(refused(withPod((p) => (p.containers[0].healthCheck.timeoutSeconds = 10)))).toEqual(
      semantic(['/containers(0)/healthCheck/timeoutSeconds', 'got 10, expected less than 10']),
    );
    // RAML defaults apply before the rule: an interval of 10 with the default timeout (20) is refused.
    expect(refused(withPod((p) => delete p.containers[0].healthCheck.timeoutSeconds))).toEqual(
      semantic(['/containers(0)/healthCheck/timeoutSeconds', 'got 20, expected less than 10']),
    );
    expect(refused(withPod((p) => (p.containers[0].healthCheck.http.endpoint = 'other')))).toEqual(
      semantic(['/containers(0)/healthCheck/http/endpoint', 'contained in the container endpoints']),
    );
    expect(refused(withPod((p) => (p.containers[0].healthCheck.tcp = { endpoint: 'http' })))).toEqual(
      semantic(['/containers(0)/healthCheck', 'Only one of http, tcp, or command may be specified']),
    );
    expect(refused(withPod((p) => (p.containers[0].healthCheck = { tcp: { endpoint: 'other' }, intervalSeconds: 30 })))).toEqual(
      semantic(['/containers(0)/healthCheck/tcp/endpoint', 'contained in the container endpoints']),
    );
    expect(refused(withPod((p) => delete p.containers[0].healthCheck.http))).toEqual(
      semantic(['/containers(0)/healthCheck', 'Only one of http, tcp, or command may be specified']),
    );
  });

  it('volumes: mounted by some container, unique names; mounts name existing volumes', () => {
    expect(refused(withPod((p) => p.volumes.push({ name: 'spare' })))).toEqual(
      semantic(['/volumes(1)', 'volume must be referenced by at least one container']),
    );
    const twice = withPod((p) => p.volumes.push({ name: 'shared', host: '/tmp' }));
    expect(refused(twice)).toEqual(semantic(['/volumes', 'volume names must be unique']));
    expect(refused(withPod((p) => (p.containers[1].volumeMounts[0].name = 'nope')))).toEqual(
      semantic(['/containers(1)/volumeMounts(0)/name', 'Referenced Volume in VolumeMount should exist']),
    );
  });

  it('secrets need the secrets feature; references must name a declared secret', () => {
    const off = 'Feature secrets is not enabled. Enable with --enable_features secrets)';
    expect(refused(withPod((p) => (p.secrets = { s: { source: '/x' } })))).toEqual(semantic(['/secrets', 'must be empty', off]));
    const envRef = withPod((p) => {
      p.secrets = { s: { source: '/x' } };
      p.containers[0].environment = { TOKEN: { secret: 's' } };
    });
    expect(refused(envRef)).toEqual(
      semantic(
        ['/containers(0)/environment', 'use of secret-references in the environment requires the secrets feature to be enabled'],
        ['/secrets', 'must be empty', off],
      ),
    );
    expect(accepted(envRef, secretsOn).containers[0]!.environment).toEqual({ TOKEN: { secret: 's' } });
    const dangling = withPod((p) => (p.environment = { TOKEN: { secret: 'missing' } }));
    expect(refused(dangling, secretsOn)).toEqual(semantic(['/environment/TOKEN/secret', 'references an undefined secret']));
    const pull = withPod((p) => (p.containers[0].image = { kind: 'DOCKER', id: 'nginx', pullConfig: { secret: 'missing' } }));
    expect(refused(pull, secretsOn)).toEqual(semantic(['/containers(0)/image/pullConfig', 'pullConfig.secret must refer to an existing secret']));
  });

  it('secret volumes need the feature and a declared secret', () => {
    const vol = withPod((p) => {
      p.volumes.push({ name: 'cert', secret: 'tls' });
      p.containers[1].volumeMounts.push({ name: 'cert', mountPath: 'cert' });
    });
    expect(refused(vol, secretsOn)).toEqual(
      semantic(['/podSecretVolumes(pod)', 'must be empty'], ['/podSecretVolumes(pod)(0)/secret', 'volume.secret must refer to an existing secret']),
    );
    const declared = withPod((p) => {
      p.volumes.push({ name: 'cert', secret: 'tls' });
      p.containers[1].volumeMounts.push({ name: 'cert', mountPath: 'cert' });
      p.secrets = { tls: { source: '/tls' } };
    });
    expect(refused(declared).body.details[0]).toEqual({
      path: '/podSecretVolumes(pod)',
      errors: ['must be empty', 'Feature secrets is not enabled. Enable with --enable_features secrets)'],
    });
    expect(accepted(declared, secretsOn).volumes[1]).toEqual({ kind: 'secret', name: 'cert', secret: 'tls' });
  });

  it('resource limits: a number at least the request, or "unlimited"; none with legacySharedCgroups', () => {
    expect(refused(withPod((p) => (p.containers[0].resourceLimits = { mem: 16 })))).toEqual(
      semantic(['/containers(0)/resourceLimits/mem', 'resource limit must be greater than or equal to requested resource (32.0)']),
    );
    expect(refused(withPod((p) => (p.containers[0].resourceLimits = { cpus: 'lots' })))).toEqual(
      semantic(['/containers(0)/resourceLimits/cpus', "'lots' is an invalid resource limit. It must be 'unlimited' or a number"]),
    );
    expect(accepted(withPod((p) => (p.containers[0].resourceLimits = { cpus: 'unlimited', mem: 64 }))).containers[0]!.resourceLimits).toEqual({
      cpus: 'unlimited',
      mem: 64,
    });
    const shared = withPod((p) => {
      p.legacySharedCgroups = true;
      p.containers[0].resourceLimits = { mem: 64 };
    });
    expect(refused(shared)).toEqual(semantic(['/containers(0)/resourceLimits', 'resourceLimits cannot be defined if legacySharedCgroups is enabled']));
  });

  it('constraints follow the operator rules; an empty field is reported as missing', () => {
    const bad = withPod(
      (p) =>
        (p.scheduling = {
          placement: {
            constraints: [
              { fieldName: 'hostname', operator: 'UNIQUE', value: 'x' },
              { fieldName: 'rack', operator: 'MAX_PER' },
              { fieldName: '', operator: 'CLUSTER' },
            ],
          },
        }),
    );
    expect(refused(bad)).toEqual(
      semantic(
        ['/scheduling/placement/constraints', 'must be empty'],
        ['/scheduling/placement/constraints(0)', 'UNIQUE does not accept a value'],
        ['/scheduling/placement/constraints(1)', 'MAX_PER requires an integer value'],
        ['/scheduling/placement/constraints(2)', 'missing field for constraint declaration'],
      ),
    );
  });

  it('accepted resource roles: valid role names, and only * or the pod role', () => {
    const badName = withPod((p) => (p.scheduling = { placement: { acceptedResourceRoles: ['a b'] } }));
    expect(refused(badName)).toEqual(
      semantic(
        ['/scheduling/placement/acceptedResourceRoles', 'must be empty'],
        ['/scheduling/placement/acceptedResourceRoles(0)', 'A role name must not include a space (\\x20) character.'],
        ['/acceptedResourceRoles', 'must be empty'],
        ['/acceptedResourceRoles(0)', 'A role name must not include a space (\\x20) character.'],
      ),
    );
    const foreign = withPod((p) => (p.scheduling = { placement: { acceptedResourceRoles: ['*', 'other'] } }));
    expect(refused(foreign)).toEqual(semantic(['/acceptedResourceRoles', 'acceptedResourceRoles can only contain *']));
  });

  it('role: the default role, or one the enclosing group allows', () => {
    expect(accepted(validPod(), { mesosRole: 'marathon' }).role).toBe('marathon');
    expect(refused(withPod((p) => (p.role = 'other')))).toEqual(semantic(['/role', 'got other, expected one of: [*]']));
    // Below a top-level group, the group's name is also a valid role (RoleSettings.forService).
    expect(accepted(withPod((p) => ((p.id = '/dev/web'), (p.role = 'dev')))).role).toBe('dev');
    const enforced: PodParseOptions = { mesosRole: '*', roleSettings: () => ({ defaultRole: 'dev', validRoles: ['dev'] }) };
    expect(
      accepted(
        withPod((p) => (p.id = '/dev/web')),
        enforced,
      ).role,
    ).toBe('dev');
  });

  it('resident pods: role not *, over-capacity 0, unreachable disabled, accepted roles only *, no role change without force', () => {
    const resident = (change: (p: Json) => void = () => {}): Json =>
      withPod((p) => {
        p.id = '/data/db';
        p.role = 'data';
        p.volumes.push({ name: 'pst', persistent: { size: 10 } });
        p.containers[1].volumeMounts.push({ name: 'pst', mountPath: 'pst' });
        change(p);
      });
    const pod = accepted(resident());
    expect(pod.scheduling.upgrade).toEqual({ minimumHealthCapacity: 0.5, maximumOverCapacity: 0 });
    expect(pod.scheduling.unreachableStrategy).toBe('disabled');
    expect(pod.volumes[1]).toEqual({ kind: 'persistent', name: 'pst', persistent: { type: 'root', size: 10, constraints: [] } });

    expect(refused(resident((p) => delete p.role))).toEqual(semantic(['/role', 'Resident pods cannot have the role *']));
    expect(refused(resident((p) => (p.scheduling = { upgrade: { maximumOverCapacity: 0.5 } })))).toEqual(
      semantic(['/upgrade/maximumOverCapacity', 'got 0.5, expected 0.0']),
    );
    expect(refused(resident((p) => (p.scheduling = { unreachableStrategy: { inactiveAfterSeconds: 1, expungeAfterSeconds: 2 } })))).toEqual(
      semantic(['/', 'unreachableStrategy must be disabled for pods with persistent volumes']),
    );
    expect(refused(resident((p) => (p.scheduling = { placement: { acceptedResourceRoles: ['data'] } })))).toEqual(
      semantic(['/acceptedResourceRoles', 'must be empty', 'A resident pod must have `acceptedResourceRoles = ["*"]`.']),
    );
    const moved: PodParseOptions = { mesosRole: '*', roleSettings: () => ({ defaultRole: '*', validRoles: ['*', 'data', 'old'] }), existingRole: 'old' };
    expect(refused(resident(), moved).body.details).toEqual([
      {
        path: '/role',
        errors: [
          'It is not possible to change the role for existing reservations. If you proceed with this change, all existing instances will continue to run under the previous role, old. Only new instances will be allocated with the new role, data. In order to continue, retry your request with ?force=true',
        ],
      },
    ]);
    expect(accepted(resident(), { ...moved, force: true }).role).toBe('data');
  });

  it('linuxInfo: no seccomp at the pod level; container seccomp needs unconfined xor a profile; no shmSize when sharing the parent IPC', () => {
    expect(refused(withPod((p) => (p.linuxInfo = { seccomp: { unconfined: true } })))).toEqual(
      semantic(['/linuxInfo/seccomp', 'Seccomp configuration on executor level is not supported']),
    );
    expect(refused(withPod((p) => (p.containers[0].linuxInfo = { seccomp: { unconfined: false } })))).toEqual(
      semantic(['/containers(0)/linuxInfo/seccomp', 'Seccomp unconfined must be true when Profile is NOT defined']),
    );
    expect(refused(withPod((p) => (p.containers[0].linuxInfo = { seccomp: { profileName: 'default', unconfined: true } })))).toEqual(
      semantic(['/containers(0)/linuxInfo/seccomp', 'Seccomp unconfined can NOT be true when Profile is defined']),
    );
    expect(accepted(withPod((p) => (p.containers[0].linuxInfo = { seccomp: { profileName: 'default' } }))).containers[0]!.linuxInfo).toEqual({
      seccomp: { profileName: 'default', unconfined: false },
    });
    expect(refused(withPod((p) => (p.containers[0].linuxInfo = { ipcInfo: { mode: 'SHARE_PARENT', shmSize: 64 } })))).toEqual(
      semantic(['/containers(0)/linuxInfo/ipcInfo', 'ipcInfo shmSize can NOT be set when mode is SHARE_PARENT']),
    );
  });
});

describe('normalisation and defaults', () => {
  it('host and bridge endpoints get host port 0; container-network endpoints keep none', () => {
    const host = accepted(withPod((p) => delete p.containers[0].endpoints[0].hostPort));
    expect(host.containers[0]!.endpoints[0]!.hostPort).toBe(0);
    const container = accepted(
      withPod((p) => {
        p.networks = [{ mode: 'container' }];
        p.containers[0].endpoints[0] = { name: 'http', containerPort: 8080 };
      }),
      { mesosRole: '*', defaultNetworkName: 'dcos' },
    );
    expect(container.containers[0]!.endpoints[0]).toEqual({ name: 'http', containerPort: 8080, protocol: [], labels: {}, networkNames: [] });
    expect(container.networks).toEqual([{ mode: 'container', name: 'dcos', labels: {} }]);
  });

  it('a pod without networks keeps [] (host networking) and renders none', () => {
    const pod = accepted(withPod((p) => delete p.networks));
    expect(pod.networks).toEqual([]);
    expect(renderPod(pod)).not.toHaveProperty('networks');
  });

  it('RAML defaults: container resources, partial executor resources and backoff, artifacts', () => {
    const pod = accepted(
      withPod((p) => {
        p.containers[1].resources = {};
        p.containers[1].artifacts = [{ uri: 'http://x/y.tgz' }];
        p.executorResources = { cpus: 0.5 };
        p.scheduling = { backoff: { backoff: 5 } };
      }),
    );
    expect(pod.containers[1]!.resources).toEqual({ cpus: 1, mem: 128, disk: 0, gpus: 0 });
    expect(pod.containers[1]!.artifacts).toEqual([{ uri: 'http://x/y.tgz', extract: true, executable: false, cache: false }]);
    expect(pod.executorResources).toEqual({ cpus: 0.5, mem: 32, disk: 10 });
    expect(pod.scheduling.backoff).toEqual({ backoff: 5, backoffFactor: 1.15, maxLaunchDelay: 300 });
  });

  it('constraints and accepted roles are sets: duplicates vanish', () => {
    const pod = accepted(
      withPod((p) => {
        p.scheduling = {
          placement: {
            constraints: [
              { fieldName: 'hostname', operator: 'unique' },
              { fieldName: 'hostname', operator: 'UNIQUE' },
            ],
            acceptedResourceRoles: ['*', '*'],
          },
        };
      }),
    );
    expect(pod.scheduling.placement).toEqual({ constraints: [{ fieldName: 'hostname', operator: 'UNIQUE' }], acceptedResourceRoles: ['*'] });
  });

  it('an id with `..` is refused: PathId.childOf compares the canonical id with the id as written', () => {
    expect(refused(withPod((p) => (p.id = '/a/../web')))).toEqual(semantic(['/id', "Identifier is not child of '/a/..'"]));
    expect(accepted(withPod((p) => (p.id = '//web/'))).id).toBe('/web');
  });

  it('a body version is not kept (Marathon stamps its own)', () => {
    expect(accepted(withPod((p) => (p.version = '2020-01-01T00:00:00.000Z')))).not.toHaveProperty('version');
  });
});
