/**
 * JSON Schema for Marathon's RAML App types (docs/docs/rest-api/public/api/v2/types/*.raml), checked with
 * ajv. Errors are translated to the keys Marathon's generated Play readers produce: the RAML constraints
 * map to `error.min`, `error.max`, `error.minLength` (also for minItems), `error.maxLength` (also maxItems),
 * `error.pattern`; wrong JSON types to `error.expected.js<type>`; enums (matched case-insensitively, as the
 * generated readers do) to `error.unknown.enum.literal`; non-integral or out-of-range int32/int64 numbers to
 * `error.expected.int` / `error.expected.long`.
 */
import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Violation } from './errors.js';

type Schema = SchemaObject;

// ---------------------------------------------------------------------------------------------
// Schema builders (RAML type -> JSON Schema)

export const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
export const num = (extra: Schema = {}): Schema => ({ type: 'number', ...extra });
export const int32 = (extra: Schema = {}): Schema => ({ playInt: 'int', ...extra });
export const int64 = (extra: Schema = {}): Schema => ({ playInt: 'long', ...extra });
export const bool = (): Schema => ({ type: 'boolean' });
export const arr = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });
export const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
});
export const map = (values: Schema): Schema => ({ type: 'object', additionalProperties: values });
export const oneOfNames = (...values: string[]): Schema => ({ ciEnum: values });
export const union = (name: UnionName): Schema => ({ playUnion: name });

/** RAML patterns are matched in full by the Play readers (Scala `Regex.unapplySeq`). */
export const fullMatch = (source: string): string => `^(?:${source})$`;

const PATH_ID_PATTERN = '^(\\/?((\\.\\.)|(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9]))?($|\\/))+$';
const EXECUTOR_PATTERN = '^(//cmd)|(/?[^/]+(/[^/]+)*)|$';

export const labels = map(str());
export const pathId = str({ minLength: 1, pattern: fullMatch(PATH_ID_PATTERN) });
export const uri = str({ minLength: 1, maxLength: 1024 });
export const filePath = str({ minLength: 1, maxLength: 1024 });
export const legacyName = str({ minLength: 1, pattern: fullMatch('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$') });
export const name = str({ minLength: 1, maxLength: 63, pattern: fullMatch('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$') });
export const networkName = str({ minLength: 1, maxLength: 63, pattern: fullMatch('^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$') });
export const anyPort = int32({ minimum: 0, maximum: 65535 });
const networkProtocol = oneOfNames('tcp', 'udp', 'udp,tcp');
const readMode = oneOfNames('RO', 'RW');
export const httpScheme = oneOfNames('HTTP', 'HTTPS');
export const dateTime = str({ format: 'date-time' });
export const stringArray = arr(str());
export const constraintArray = arr(str(), { minItems: 2, maxItems: 3 });

export const artifact = obj({ uri, extract: bool(), executable: bool(), cache: bool(), destPath: filePath }, ['uri']);

const portDefinition = obj({ port: anyPort, labels, name: legacyName, protocol: networkProtocol });

export const network = obj({
  name: networkName,
  mode: oneOfNames('container', 'container/bridge', 'host'),
  labels,
});

const ipAddress = obj({
  discovery: obj({
    ports: arr(obj({ number: anyPort, name: legacyName, protocol: networkProtocol, labels }, ['name'])),
  }),
  groups: stringArray,
  labels,
  networkName: str({ minLength: 1 }),
});

const portMapping = obj({
  containerPort: anyPort,
  hostPort: anyPort,
  labels,
  name: legacyName,
  protocol: networkProtocol,
  servicePort: anyPort,
  networkNames: arr(name),
});

const docker = obj(
  {
    credential: obj({ principal: str(), secret: str() }, ['principal']),
    pullConfig: obj({ secret: str({ minLength: 1 }) }, ['secret']),
    forcePullImage: bool(),
    image: str({ minLength: 1 }),
    network: oneOfNames('BRIDGE', 'HOST', 'NONE', 'USER'),
    parameters: arr(obj({ key: str({ minLength: 1 }), value: str() }, ['key', 'value'])),
    portMappings: arr(portMapping),
    privileged: bool(),
  },
  ['image'],
);

export const linuxInfo = obj({
  seccomp: obj({ profileName: str(), unconfined: bool() }),
  ipcInfo: obj({ mode: oneOfNames('PRIVATE', 'SHARE_PARENT'), shmSize: int32() }, ['mode']),
});

export const persistentVolumeInfo = obj(
  {
    type: oneOfNames('root', 'path', 'mount'),
    size: int64({ minimum: 0 }),
    maxSize: int64({ minimum: 0 }),
    profileName: str(),
    constraints: arr(constraintArray),
  },
  ['size'],
);

const container = obj({
  type: oneOfNames('MESOS', 'DOCKER'),
  docker,
  linuxInfo,
  volumes: arr(union('volume')),
  portMappings: arr(portMapping),
});

const healthCheck = obj({
  command: obj({ value: str() }, ['value']),
  gracePeriodSeconds: int32({ minimum: 0 }),
  ignoreHttp1xx: bool(),
  intervalSeconds: int32({ minimum: 0 }),
  maxConsecutiveFailures: int32({ minimum: 0 }),
  path: str(),
  port: anyPort,
  portIndex: anyPort,
  protocol: oneOfNames('HTTP', 'HTTPS', 'TCP', 'COMMAND', 'MESOS_TCP', 'MESOS_HTTP', 'MESOS_HTTPS'),
  ipProtocol: oneOfNames('IPv4', 'IPv6'),
  timeoutSeconds: int32(),
  delaySeconds: int32({ minimum: 0 }),
});

const check = obj({
  http: obj({ portIndex: anyPort, port: anyPort, path: filePath, scheme: httpScheme }),
  tcp: obj({ portIndex: anyPort, port: anyPort }),
  exec: obj({ command: union('mesosCommand') }, ['command']),
  intervalSeconds: int32({ minimum: 0 }),
  timeoutSeconds: int32({ minimum: 0 }),
  delaySeconds: int32({ minimum: 0 }),
});

const readinessCheck = obj({
  name: str({ minLength: 1 }),
  protocol: httpScheme,
  path: filePath,
  portName: legacyName,
  intervalSeconds: int32({ minimum: 0 }),
  timeoutSeconds: int32({ minimum: 1 }),
  httpStatusCodesForReady: arr(int32({ minimum: 100, maximum: 999 }), { minItems: 1 }),
  preserveLastResponse: bool(),
});

const upgradeStrategy = obj(
  {
    maximumOverCapacity: num({ minimum: 0, maximum: 1 }),
    minimumHealthCapacity: num({ minimum: 0, maximum: 1 }),
  },
  ['maximumOverCapacity', 'minimumHealthCapacity'],
);

/** Properties in RAML declaration order, so errors come out in the order Marathon lists them. */
const appProperties: Record<string, Schema> = {
  id: pathId,
  acceptedResourceRoles: stringArray,
  args: stringArray,
  backoffFactor: num({ minimum: 1 }),
  backoffSeconds: int32({ minimum: 0 }),
  cmd: str({ minLength: 1 }),
  constraints: arr(constraintArray),
  container,
  cpus: num({ minimum: 0.001 }),
  dependencies: arr(pathId),
  disk: num({ minimum: 0 }),
  env: map(union('envValue')),
  executor: str({ pattern: fullMatch(EXECUTOR_PATTERN) }),
  executorResources: obj({
    cpus: num({ minimum: 0.1 }),
    mem: num({ minimum: 32 }),
    disk: num({ minimum: 10 }),
  }),
  fetch: arr(artifact),
  healthChecks: arr(healthCheck),
  check,
  instances: int32({ minimum: 0 }),
  labels,
  maxLaunchDelaySeconds: int32({ minimum: 0 }),
  mem: num({ minimum: 0 }),
  gpus: int32({ minimum: 0 }),
  ipAddress,
  networks: arr(network),
  ports: arr(anyPort),
  portDefinitions: arr(portDefinition),
  readinessChecks: arr(readinessCheck),
  residency: obj({
    relaunchEscalationTimeoutSeconds: int64({ minimum: 0 }),
    taskLostBehavior: oneOfNames('WAIT_FOREVER', 'RELAUNCH_AFTER_TIMEOUT'),
  }),
  resourceLimits: obj({ cpus: union('resourceLimit'), mem: union('resourceLimit') }),
  requirePorts: bool(),
  secrets: map(obj({ source: str({ minLength: 1 }) }, ['source'])),
  taskKillGracePeriodSeconds: int32({ minimum: 0 }),
  upgradeStrategy,
  uris: arr(uri),
  user: str(),
  version: dateTime,
  versionInfo: obj({ lastScalingAt: dateTime, lastConfigChangeAt: dateTime }, ['lastScalingAt', 'lastConfigChangeAt']),
  killSelection: oneOfNames('YOUNGEST_FIRST', 'OLDEST_FIRST'),
  unreachableStrategy: union('unreachableStrategy'),
  tty: bool(),
  role: str({ minLength: 1 }),
};

/** RAML `App`: `id` required. */
export const appSchema: Schema = obj(appProperties, ['id']);
/** RAML `AppUpdate` (generated update type): every field optional. */
export const appUpdateSchema: Schema = obj(appProperties);

// ---------------------------------------------------------------------------------------------
// Unions. The generated readers try each member in order and, when all fail, report the last
// member's errors; we do the same with one compiled validator per member.

type AppUnionName = 'envValue' | 'unreachableStrategy' | 'resourceLimit' | 'volume' | 'externalVolume' | 'mesosCommand';
/** App unions plus those other RAML types (pods) register with `defineUnion`. */
export type UnionName = AppUnionName | `pod${string}`;

const dvdiVolumeInfo = obj({
  size: int64({ minimum: 0 }),
  name: str(),
  provider: str(),
  options: labels,
  shared: bool(),
});
const csiVolumeInfo = obj(
  {
    name: str(),
    provider: oneOfNames('csi'),
    options: obj(
      {
        pluginName: str({ minLength: 1 }),
        capability: obj(
          {
            accessMode: oneOfNames(
              'SINGLE_NODE_WRITER',
              'SINGLE_NODE_READER_ONLY',
              'MULTI_NODE_READER_ONLY',
              'MULTI_NODE_SINGLE_WRITER',
              'MULTI_NODE_MULTI_WRITER',
            ),
            accessType: oneOfNames('block', 'mount'),
            fsType: str(),
            mountFlags: stringArray,
          },
          ['accessMode', 'accessType'],
        ),
        nodeStageSecret: labels,
        nodePublishSecret: labels,
        volumeContext: labels,
      },
      ['pluginName', 'capability'],
    ),
  },
  ['name', 'provider', 'options'],
);

const unionMembers: Record<AppUnionName, Schema[]> & Partial<Record<UnionName, Schema[]>> = {
  envValue: [str(), obj({ secret: str() }, ['secret'])],
  unreachableStrategy: [oneOfNames('disabled'), obj({ inactiveAfterSeconds: int64({ minimum: 0 }), expungeAfterSeconds: int64({ minimum: 0 }) })],
  resourceLimit: [str(), num()],
  volume: [
    obj({ containerPath: str({ minLength: 1 }), persistent: persistentVolumeInfo, mode: readMode }, ['containerPath', 'persistent', 'mode']),
    obj({ containerPath: str({ minLength: 1 }), external: union('externalVolume'), mode: readMode }, ['containerPath', 'external', 'mode']),
    obj({ containerPath: str({ minLength: 1 }), secret: str({ minLength: 1 }) }, ['containerPath', 'secret']),
    obj({ containerPath: str({ minLength: 1 }), hostPath: str({ minLength: 1 }), mode: readMode }, ['containerPath', 'hostPath', 'mode']),
  ],
  externalVolume: [dvdiVolumeInfo, csiVolumeInfo],
  mesosCommand: [obj({ shell: str({ minLength: 1 }) }, ['shell']), obj({ argv: arr(str(), { minItems: 1 }) }, ['argv'])],
};

/** Registers a union of other RAML types (tried in order, like the generated readers); call before compiling schemas using it. */
export function defineUnion(name: `pod${string}`, members: Schema[]): void {
  unionMembers[name] = members;
}

/** Which member of a union a value matched; index into `unionMembers[name]`. */
export function unionMemberIndex(name: UnionName, value: unknown): number {
  return memberValidators(name).findIndex((validate) => validate(value));
}

// ---------------------------------------------------------------------------------------------
// ajv setup

interface PlayError {
  /** Play path relative to the value the keyword ran on: '' or '/a(0)/b'. */
  path: string;
  key: string;
}

interface PlayErrorParams {
  playErrors: PlayError[];
}

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, validateFormats: true });
// ajv-formats is CommonJS with a default export; under NodeNext its default sits one level down.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (instance: Ajv, formats: string[]) => Ajv;
addFormats(ajv, ['date-time']);

ajv.addKeyword({
  keyword: 'ciEnum',
  schemaType: 'array',
  errors: true,
  validate: function ciEnum(values: string[], data: unknown): boolean {
    return typeof data === 'string' && values.some((v) => v.toLowerCase() === data.toLowerCase());
  },
});

ajv.addKeyword({
  keyword: 'playInt',
  schemaType: 'string',
  errors: true,
  compile(kind: 'int' | 'long') {
    const [min, max] = kind === 'int' ? [-(2 ** 31), 2 ** 31 - 1] : [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
    const validate = (data: unknown): boolean => {
      if (typeof data !== 'number') {
        setPlayErrors(validate, [{ path: '', key: 'error.expected.jsnumber' }]);
        return false;
      }
      if (!Number.isInteger(data) || data < min || data > max) {
        setPlayErrors(validate, [{ path: '', key: `error.expected.${kind}` }]);
        return false;
      }
      return true;
    };
    return validate;
  },
});

ajv.addKeyword({
  keyword: 'playUnion',
  schemaType: 'string',
  errors: true,
  compile(unionName: UnionName) {
    const validate = (data: unknown): boolean => {
      const members = memberValidators(unionName);
      if (members.some((member) => member(data))) return true;
      setPlayErrors(validate, lastMemberErrors(unionName, data));
      return false;
    };
    return validate;
  },
});

type KeywordFn = ((data: unknown) => boolean) & { errors?: Array<Partial<ErrorObject>> };

function setPlayErrors(fn: KeywordFn, playErrors: PlayError[]): void {
  const params: PlayErrorParams = { playErrors };
  fn.errors = [{ keyword: 'play', params }];
}

const memberCache = new Map<UnionName, ValidateFunction[]>();

function memberValidators(name: UnionName): ValidateFunction[] {
  let validators = memberCache.get(name);
  if (validators === undefined) {
    const members = unionMembers[name];
    if (members === undefined) throw new Error(`union ${name} is not defined`);
    validators = members.map((schema) => ajv.compile(schema));
    memberCache.set(name, validators);
  }
  return validators;
}

function lastMemberErrors(name: UnionName, data: unknown): PlayError[] {
  // A string that is not `disabled` is an unknown literal, not a malformed object.
  if (name === 'unreachableStrategy' && typeof data === 'string') return [{ path: '', key: 'error.unknown.enum.literal' }];
  // The secret member of an env var reads `secret` from whatever it gets: anything else lacks it.
  if (name === 'envValue' && (typeof data !== 'object' || data === null || Array.isArray(data))) {
    return [{ path: '/secret', key: 'error.path.missing' }];
  }
  const members = memberValidators(name);
  const last = members.at(-1);
  if (last === undefined) throw new Error(`no validators for the union ${name}`);
  last(data);
  return toPlayErrors(last.errors ?? [], data);
}

const validateApp = ajv.compile(appSchema);
const validateAppUpdate = ajv.compile(appUpdateSchema);

/** Type-level check of a JSON value against RAML `App` (or `AppUpdate`); returns Play-style violations. */
export function checkAppTypes(value: unknown, update = false): Violation[] {
  return checkTypes(update ? validateAppUpdate : validateApp, value);
}

/** Compiles a schema built with the builders above (Play-style error keys, case-insensitive enums, unions). */
export function compileSchema(schema: Schema): ValidateFunction {
  return ajv.compile(schema);
}

/** Runs a compiled schema and translates its errors to Marathon's Play paths and keys. */
export function checkTypes(validate: ValidateFunction, value: unknown): Violation[] {
  if (validate(value)) return [];
  return toPlayErrors(validate.errors ?? [], value).map((e) => ({ path: e.path, error: e.key }));
}

// ---------------------------------------------------------------------------------------------
// ajv error -> Play error

const KEYWORD_TO_PLAY: Record<string, string> = {
  minimum: 'error.min',
  maximum: 'error.max',
  minLength: 'error.minLength',
  minItems: 'error.minLength',
  maxLength: 'error.maxLength',
  maxItems: 'error.maxLength',
  pattern: 'error.pattern',
  ciEnum: 'error.unknown.enum.literal',
  format: 'error.expected.date.isoformat',
};

function toPlayErrors(errors: readonly ErrorObject[], root: unknown): PlayError[] {
  const out: PlayError[] = [];
  for (const err of errors) {
    const at = playPath(err.instancePath, root);
    switch (err.keyword) {
      case 'type':
        out.push({ path: at, key: `error.expected.js${String((err.params as { type: string }).type)}` });
        break;
      case 'required':
        out.push({
          path: `${at}/${(err.params as { missingProperty: string }).missingProperty}`,
          key: 'error.path.missing',
        });
        break;
      case 'play':
        for (const inner of (err.params as PlayErrorParams).playErrors) out.push({ path: at + inner.path, key: inner.key });
        break;
      default:
        out.push({ path: at, key: KEYWORD_TO_PLAY[err.keyword] ?? `error.${err.keyword}` });
    }
  }
  return out;
}

/** JSON pointer -> Play path: object keys become `/key`, array indexes `(n)`. */
function playPath(pointer: string, root: unknown): string {
  if (pointer === '') return '';
  let node: unknown = root;
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      out += `(${key})`;
      node = node[Number(key)];
    } else {
      out += `/${key}`;
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return out;
}
