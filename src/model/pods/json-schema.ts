/**
 * JSON Schema for Marathon's RAML `Pod` (docs/docs/rest-api/public/api/v2/types/pod.raml, podContainer.raml,
 * network.raml, volumes.raml, healthCheck.raml, check.raml, resources.raml), checked with the same ajv setup
 * and Play error keys as apps. Three Play reader behaviours sit outside JSON Schema and are added here:
 * the `scaling` discriminator (`kind` must be exactly `fixed`), the key pattern of `EnvVars` maps, and the
 * order of the `PodVolume` union (persistent, secret, host, ephemeral; the first that reads wins).
 */
import type { Violation } from '../apps/errors.js';
import {
  anyPort,
  arr,
  artifact,
  bool,
  checkTypes,
  compileSchema,
  dateTime,
  defineUnion,
  filePath,
  httpScheme,
  int32,
  labels,
  linuxInfo,
  map,
  name,
  network,
  num,
  obj,
  oneOfNames,
  pathId,
  persistentVolumeInfo,
  str,
  stringArray,
  union,
} from '../apps/json-schema.js';

/** RAML `EnvVars` key pattern (`Pod.ConstraintEnvironmentKeypattern`), matched in full. */
export const ENV_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]{0,253}?$/u;

defineUnion('podVolume', [
  obj({ name: str({ minLength: 1 }), persistent: persistentVolumeInfo }, ['name', 'persistent']),
  obj({ name: str({ minLength: 1 }), secret: str({ minLength: 1 }) }, ['name', 'secret']),
  obj({ name, host: str() }, ['name', 'host']),
  obj({ name }, ['name']),
]);

/** Which member of the PodVolume union a value reads as (index into the list above). */
export const POD_VOLUME_MEMBERS = ['persistent', 'secret', 'host', 'ephemeral'] as const;

const port = int32({ minimum: 1, maximum: 65535 });
const envVars = map(union('envValue'));

const endpoint = obj(
  {
    name,
    containerPort: port,
    hostPort: anyPort,
    protocol: arr(name, { minItems: 1 }),
    labels,
    networkNames: arr(name),
  },
  ['name'],
);

const httpCheck = obj({ endpoint: name, path: filePath, scheme: httpScheme }, ['endpoint']);
const tcpCheck = obj({ endpoint: name }, ['endpoint']);
const commandCheck = obj({ command: union('mesosCommand') }, ['command']);

const healthCheck = obj({
  http: httpCheck,
  tcp: tcpCheck,
  exec: commandCheck,
  gracePeriodSeconds: int32({ minimum: 0 }),
  intervalSeconds: int32({ minimum: 0 }),
  maxConsecutiveFailures: int32({ minimum: 0 }),
  timeoutSeconds: int32({ minimum: 0 }),
  delaySeconds: int32({ minimum: 0 }),
});

const check = obj({
  http: httpCheck,
  tcp: tcpCheck,
  exec: commandCheck,
  intervalSeconds: int32({ minimum: 0 }),
  timeoutSeconds: int32({ minimum: 0 }),
  delaySeconds: int32({ minimum: 0 }),
});

const container = obj(
  {
    name,
    exec: obj({ command: union('mesosCommand'), overrideEntrypoint: bool() }, ['command']),
    resources: obj({
      cpus: num({ minimum: 0.001 }),
      mem: num({ minimum: 0.001 }),
      disk: num({ minimum: 0 }),
      gpus: int32({ minimum: 0 }),
    }),
    resourceLimits: obj({ cpus: union('resourceLimit'), mem: union('resourceLimit') }),
    endpoints: arr(endpoint),
    linuxInfo,
    image: obj(
      {
        kind: oneOfNames('DOCKER'),
        id: filePath,
        pullConfig: obj({ secret: str({ minLength: 1 }) }, ['secret']),
        forcePull: bool(),
        labels,
      },
      ['kind', 'id'],
    ),
    environment: envVars,
    user: str(),
    healthCheck,
    check,
    volumeMounts: arr(obj({ name, mountPath: filePath, readOnly: bool() }, ['name', 'mountPath'])),
    artifacts: arr(artifact),
    labels,
    lifecycle: obj({ killGracePeriodSeconds: num({ minimum: 0 }) }),
    tty: bool(),
  },
  ['name', 'resources'],
);

const scheduling = obj({
  backoff: obj({ backoff: num({ minimum: 0 }), backoffFactor: num({ minimum: 0 }), maxLaunchDelay: num({ minimum: 0 }) }),
  upgrade: obj({ minimumHealthCapacity: num({ minimum: 0, maximum: 1 }), maximumOverCapacity: num({ minimum: 0, maximum: 1 }) }),
  placement: obj({
    constraints: arr(
      obj({ fieldName: str(), operator: oneOfNames('UNIQUE', 'CLUSTER', 'GROUP_BY', 'LIKE', 'UNLIKE', 'MAX_PER', 'IS'), value: str() }, [
        'fieldName',
        'operator',
      ]),
    ),
    acceptedResourceRoles: stringArray,
  }),
  killSelection: oneOfNames('YOUNGEST_FIRST', 'OLDEST_FIRST'),
  unreachableStrategy: union('unreachableStrategy'),
});

/** Properties in RAML declaration order, so errors come out in the order Marathon's reader lists them. */
const podSchema = obj(
  {
    id: pathId,
    labels,
    version: dateTime,
    user: str(),
    environment: envVars,
    containers: arr(container, { minItems: 1 }),
    secrets: map(obj({ source: str({ minLength: 1 }) }, ['source'])),
    volumes: arr(union('podVolume')),
    networks: arr(network),
    scaling: obj({ kind: str(), instances: int32({ minimum: 0 }) }),
    scheduling,
    executorResources: obj({ cpus: num({ minimum: 0.1 }), mem: num({ minimum: 32 }), disk: num({ minimum: 10 }) }),
    role: str({ minLength: 1 }),
    linuxInfo,
    legacySharedCgroups: bool(),
  },
  ['id', 'containers'],
);

const validatePod = compileSchema(podSchema);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Type-level check of a JSON object (nulls already stripped) against RAML `Pod`; Play-style violations. */
export function checkPodTypes(value: Json): Violation[] {
  const violations = checkTypes(validatePod, value);
  const failedUnder = (prefix: string): boolean => violations.some((v) => v.path === prefix || v.path.startsWith(`${prefix}/`));

  // FixedPodScalingPolicy is chosen by its discriminator; anything but the string `fixed` fails the read.
  if ('scaling' in value && !(isObject(value.scaling) && value.scaling.kind === 'fixed') && !failedUnder('/scaling')) {
    violations.push({ path: '/scaling', error: 'error.expected.jsstring' });
  }

  // EnvVars reads the values first, then checks every key against the pattern.
  const checkKeys = (env: unknown, at: string): void => {
    if (!isObject(env) || failedUnder(at)) return;
    for (const key of Object.keys(env)) if (!ENV_NAME_PATTERN.test(key)) violations.push({ path: `${at}/${key}`, error: 'error.pattern' });
  };
  checkKeys(value.environment, '/environment');
  if (Array.isArray(value.containers)) value.containers.forEach((c, i) => isObject(c) && checkKeys(c.environment, `/containers(${i})/environment`));
  return violations;
}
