/**
 * Marathon's semantic (wix-accord) rules for apps with its exact messages and paths:
 * api/v2/validation/{AppValidation,SchedulingValidation,NetworkValidation,EnvVarValidation}.scala and the
 * model-level rules of state/AppDefinition.scala that the API-level ones do not already cover.
 */
import { ViolationSink } from './errors.js';
import { hasPersistentVolumes } from './normalize.js';
import { parentPathId, pathIdProblems, pathSegments, PATH_MESSAGES } from './path-id.js';
import type { RamlApp, RamlNetwork } from './read.js';
import type { AppDefinition, AppParseOptions } from './types.js';

const featureMessage = (feature: string): string => `Feature ${feature} is not enabled. Enable with --enable_features ${feature})`;

export const MESSAGES = {
  cmdArgsOrContainer: "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.",
  healthPortIndex: 'Health check port indices must address an element of the ports array or container port mappings.',
  checkPortIndex: 'check port index must address an element of the ports array or container port mappings.',
  ipv6: 'IPv6 can only be used for container type DOCKER and Mesos http/https/tcp health checks',
  oneMesosHealthCheck: 'AppDefinition can contain at most one Mesos health check',
  singleInstance: 'Single instance app may only have one instance',
  migrationApi: 'DCOS_PACKAGE_FRAMEWORK_NAME and DCOS_MIGRATION_API_PATH must be defined when using DCOS_MIGRATION_API_VERSION',
  gpuDocker: 'GPU resources only work with the Mesos containerizer',
  residentUnreachable: 'unreachableStrategy must be disabled for resident tasks',
  dockerSingleNetwork: 'may only specify a single container network when using the Docker container engine',
  networkNameRequired: 'networkNames must be a single item list when hostPort is specified and more than 1 container network is defined',
  uriSyntax: 'URI has invalid syntax.',
  checksWithDocker: "AppDefinition must not use 'checks' if using docker",
  envSecretsFeature: 'use of secret-references in the environment requires the secrets feature to be enabled',
  constraintOperator: 'operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS',
  constraintFields: 'Each constraint must have either 2 or 3 fields',
  constraintIllegal: 'illegal constraint specification',
  uniqueNoValue: 'UNIQUE does not accept a value',
  groupByInt: 'GROUP BY must define an integer value or else no value at all',
  maxPerInt: 'MAX_PER requires an integer value',
  likeRegex: 'LIKE and UNLIKE require a non-empty, regular expression value',
  invalidRegex: 'is not a valid regular expression',
  isText: 'IS only supports Mesos text and float values (see http://mesos.apache.org/documentation/latest/attributes-resources/)',
  feature: featureMessage,
} as const;

/** Scala renders doubles with a fraction (`1.0`), ints without. */
export function scalaDouble(n: number): string {
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

/** `java.net.URI` refuses these characters and malformed escapes. */
export function isValidJavaUri(uri: string): boolean {
  if (/[\s"<>\\^`{|}]/u.test(uri)) return false;
  if (/%(?![0-9a-fA-F]{2})/u.test(uri)) return false;
  const scheme = /^([^/?#:]*):/u.exec(uri);
  if (scheme !== null && !/^[a-zA-Z][a-zA-Z0-9+.-]*$/u.test(scheme[1] ?? '')) return false;
  return true;
}

/** Java's Pattern and JS RegExp differ at the edges; a value JS cannot compile is refused. */
function compiles(regex: string): boolean {
  try {
    new RegExp(regex, 'u');
    return true;
  } catch {
    try {
      new RegExp(regex);
      return true;
    } catch {
      return false;
    }
  }
}

const isJavaInt = (s: string): boolean => /^[+-]?\d+$/u.test(s) && Math.abs(Number(s)) <= 2 ** 31;

/** SchedulingValidation.complyWithAppConstraintRules: the message for one `[field, OP(, value)]`, or none. */
export function constraintProblem(c: readonly string[]): string | undefined {
  if (c.length < 2 || c.length > 3) return MESSAGES.constraintFields;
  const [field = '', op = '', value] = c;
  if (field.length === 0) return MESSAGES.constraintIllegal;
  switch (op.toUpperCase()) {
    case 'UNIQUE':
      return value === undefined ? undefined : MESSAGES.uniqueNoValue;
    case 'CLUSTER':
      return undefined;
    case 'GROUP_BY':
      return value === undefined || isJavaInt(value) ? undefined : MESSAGES.groupByInt;
    case 'MAX_PER':
      return value !== undefined && isJavaInt(value) ? undefined : MESSAGES.maxPerInt;
    case 'LIKE':
    case 'UNLIKE':
      if (value === undefined) return MESSAGES.likeRegex;
      return compiles(value) ? undefined : MESSAGES.invalidRegex;
    case 'IS':
      return /^[a-zA-Z0-9_/.-]*$/u.test(value ?? '') ? undefined : MESSAGES.isText;
    default:
      return MESSAGES.constraintOperator;
  }
}

function duplicates<T>(values: readonly T[]): boolean {
  return new Set(values).size !== values.length;
}

const isSingleInstance = (labels: Record<string, string>): boolean => labels.MARATHON_SINGLE_INSTANCE_APP === 'true';

// ---------------------------------------------------------------------------------------------
// Rules on deprecated fields, before their translation (AppValidation.validateOldAppAPI)

export function validateOldAppApi(app: RamlApp): ViolationSink {
  const v = new ViolationSink();
  const c = app.container;
  const d = c?.docker;
  if (c !== undefined && d !== undefined) {
    if (d.credential !== undefined) v.add('/container/docker/credential', 'must be empty');
    if (c.type === 'MESOS') {
      if (d.network !== undefined) v.add('/container/docker/network', 'must be empty');
      if (d.parameters.length > 0) v.add('/container/docker/parameters', 'must be empty');
      if (d.portMappings !== undefined) v.add('/container/docker/portMappings', 'must be empty');
    }
    const names = (d.portMappings ?? []).flatMap((m) => (m.name === undefined ? [] : [m.name]));
    if (duplicates(names)) v.add('/container/docker/portMappings', 'Port names must be unique.');
  }
  if (app.ipAddress !== undefined && c?.type === 'DOCKER' && app.ipAddress.discoveryPorts.length > 0) {
    v.add('/ipAddress', 'ipAddress/discovery is not allowed for Docker containers');
  }
  if (app.uris !== undefined) {
    app.uris.forEach((uri, i) => {
      if (!isValidJavaUri(uri)) v.add(`/uris(${i})`, MESSAGES.uriSyntax);
    });
    if (app.uris.length > 0 && app.fetch.length > 0) v.add('/uris', 'may not be set in conjunction with fetch');
  }
  if (d?.network !== undefined && app.networks.length > 0) v.add('/', 'must not specify both container.docker.network and networks');
  if (app.ipAddress !== undefined && app.networks.length > 0) v.add('/', 'must not specify both networks and ipAddress');
  if (duplicates((app.ports ?? []).filter((p) => p !== 0))) v.add('/', 'ports must be unique');
  if (app.ipAddress !== undefined && ((app.ports?.length ?? 0) > 0 || (app.portDefinitions?.length ?? 0) > 0)) {
    v.add('/', 'cannot specify both an IP address and port');
  }
  if (app.ports !== undefined && app.portDefinitions !== undefined) {
    const same = app.ports.length === app.portDefinitions.length && app.ports.every((p, i) => app.portDefinitions?.[i]?.port === p);
    if (!same) v.add('/', 'cannot specify both ports and port definitions');
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Rules on the translated app (AppValidation.validateCanonicalAppAPI)

/** The role an app gets when its body has none, and the roles it may use (Marathon's RoleSettings). */
export interface RoleSettings {
  defaultRole: string;
  validRoles: string[];
}

/** What RoleSettings.forService reads from the current root group about one app id. */
export interface RoleContext {
  /** `enforceRole` of the app's top-level group (false when the group does not exist yet). */
  enforceRole: boolean;
  /** The role of the app stored at this id, if any: kept valid so old apps can still be updated. */
  existingRole?: string | undefined;
}

/**
 * RoleSettings.forService for the app routes. Apps directly under `/` may only use `--mesos_role`.
 * Below a top-level group `/g`, an enforcing group allows `g` (its default) and the app's current
 * role; otherwise `--mesos_role` (the default), `g` and the current role are allowed.
 */
export function roleSettingsFor(id: string, mesosRole: string, context: RoleContext): RoleSettings {
  if (parentPathId(id) === '/') return { defaultRole: mesosRole, validRoles: [mesosRole] };
  const groupRole = pathSegments(id)[0] ?? mesosRole;
  const existing = context.existingRole === undefined ? [] : [context.existingRole];
  if (context.enforceRole) return { defaultRole: groupRole, validRoles: [...new Set([groupRole, ...existing])] };
  return { defaultRole: mesosRole, validRoles: [...new Set([mesosRole, groupRole, ...existing])] };
}

export function validateCanonicalApp(app: RamlApp, opts: AppParseOptions, roles: readonly string[]): ViolationSink {
  const v = new ViolationSink();
  const features = opts.features ?? new Set<string>();
  const secretsOn = features.has('secrets');
  const c = app.container;
  const containerNetworks = app.networks.filter((n) => n.mode === 'container');

  if (c !== undefined) {
    const mappings = c.portMappings ?? [];
    if (duplicates(mappings.flatMap((m) => (m.name === undefined ? [] : [m.name])))) {
      v.add('/container/portMappings', 'Port names must be unique.');
    }
    const netNames = app.networks.flatMap((n) => (n.name === undefined ? [] : [n.name]));
    mappings.forEach((m, i) => {
      if (containerNetworks.length > 1 && m.hostPort !== undefined && m.networkNames.length !== 1) {
        v.add(`/container/portMappings(${i})`, MESSAGES.networkNameRequired);
      }
      m.networkNames.forEach((name, j) => {
        if (!netNames.includes(name)) v.add(`/container/portMappings(${i})/networkNames(${j})`, `is not one of (${netNames.join(',')})`);
      });
    });
    const externalNames = c.volumes.flatMap((vol) => {
      if (vol.kind !== 'external') return [];
      const volName = vol.external.name;
      return typeof volName === 'string' ? [volName] : [];
    });
    if (duplicates(externalNames)) v.add('/container/volumes', 'Volume names must be unique');
    c.volumes.forEach((vol, i) => {
      const at = `/container/volumes(${i})`;
      switch (vol.kind) {
        case 'persistent': {
          if (vol.containerPath === '.' || vol.containerPath === '..') v.add(`${at}/containerPath`, 'can not be one of (.,..)');
          if (vol.containerPath.includes('/')) v.add(`${at}/containerPath`, 'value must not contain "/"');
          if (vol.mode !== 'RW') v.add(`${at}/mode`, 'does not equal RW');
          const info = vol.persistent;
          if (info.size <= 0) v.add(`${at}/persistent/size`, `got ${info.size}, expected more than 0`);
          info.constraints.forEach((pc, j) => {
            const problem = volumeConstraintProblem(pc);
            if (problem !== undefined) v.add(`${at}/persistent/constraints(${j})`, problem);
          });
          if (info.type !== 'mount' && info.maxSize !== undefined) v.add(`${at}/persistent`, 'Only mount volumes can have maxSize');
          if ((info.type ?? 'root') === 'root' && info.constraints.length > 0) {
            v.add(`${at}/persistent`, 'Constraints on root volumes are not supported');
          }
          if (info.maxSize !== undefined && info.maxSize <= info.size) v.add(`${at}/persistent`, 'Max size must be larger than size');
          break;
        }
        case 'external':
          if (!features.has('external_volumes')) v.add(at, featureMessage('external_volumes'));
          break;
        case 'secret':
          if (!(vol.secret in app.secrets)) v.add(at, 'volume.secret must refer to an existing secret');
          if (!secretsOn) v.add('/container/volumes', featureMessage('secrets'));
          break;
        case 'host':
          break;
      }
    });
    // state/LinuxInfo.validLinuxInfoForContainerState
    const seccomp = c.linuxInfo?.seccomp;
    if (seccomp !== undefined && seccomp.profileName !== undefined && seccomp.unconfined) {
      v.add('/container/linuxInfo/seccomp', 'Seccomp unconfined can NOT be true when Profile is defined');
    } else if (seccomp !== undefined && seccomp.profileName === undefined && !seccomp.unconfined) {
      v.add('/container/linuxInfo/seccomp', 'Seccomp unconfined must be true when Profile is NOT defined');
    }
    const ipcInfo = c.linuxInfo?.ipcInfo;
    if (ipcInfo?.mode === 'SHARE_PARENT' && ipcInfo.shmSize !== undefined) {
      v.add('/container/linuxInfo/ipcInfo', 'ipcInfo shmSize can NOT be set when mode is SHARE_PARENT');
    }
    if (c.type === 'DOCKER') {
      if (c.docker === undefined) v.add('/container/docker', 'not defined');
      else if (c.docker.pullConfig !== undefined) {
        v.add('/container/docker/pullConfig', 'pullConfig is not supported with Docker containerizer');
      }
    } else if (c.docker?.pullConfig !== undefined) {
      if (!secretsOn) {
        v.add('/container/docker/pullConfig', 'must be empty');
        v.add('/container/docker/pullConfig', featureMessage('secrets'));
      }
      if (!(c.docker.pullConfig.secret in app.secrets)) {
        v.add('/container/docker/pullConfig', 'pullConfig.secret must refer to an existing secret');
      }
    }
  }

  if (app.portDefinitions !== undefined) {
    if (duplicates(app.portDefinitions.flatMap((p) => (p.name === undefined ? [] : [p.name])))) {
      v.add('/portDefinitions', 'Port names must be unique.');
    }
    if (duplicates(app.portDefinitions.map((p) => p.port).filter((p) => p !== 0))) v.add('/portDefinitions', 'Ports must be unique.');
  }

  const hasCmd = app.cmd !== undefined;
  const hasArgs = app.args.length > 0;
  const hasContainer = c !== undefined && (c.docker !== undefined || c.type === 'MESOS');
  if (!(hasCmd !== hasArgs || (!(hasCmd && hasArgs) && hasContainer))) v.add('/', MESSAGES.cmdArgsOrContainer);

  const portCount = c?.portMappings !== undefined ? c.portMappings.length : (app.portDefinitions?.length ?? 0);
  app.healthChecks.forEach((h, i) => {
    if (h.command === undefined && (h.protocol === 'HTTP' || h.protocol === 'HTTPS' || h.protocol === 'TCP')) {
      const ok = h.portIndex !== undefined ? h.portIndex < portCount : h.port !== undefined || portCount === 1;
      if (!ok) v.add(`/healthChecks(${i})`, MESSAGES.healthPortIndex);
    }
  });
  app.healthChecks.forEach((h, i) => {
    const mesosNetworkCheck = h.protocol === 'MESOS_HTTP' || h.protocol === 'MESOS_HTTPS' || h.protocol === 'MESOS_TCP';
    if (h.ipProtocol !== 'IPv4' && !(mesosNetworkCheck && c?.type === 'DOCKER')) v.add(`/healthChecks(${i})`, MESSAGES.ipv6);
  });
  const commandChecks = app.healthChecks.filter((h) => h.command !== undefined).length;
  const mesosChecks = app.healthChecks.filter(
    (h) => h.command !== undefined || ['COMMAND', 'MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP'].includes(h.protocol),
  ).length;
  if (mesosChecks - commandChecks > 1) v.add('/', MESSAGES.oneMesosHealthCheck);

  app.fetch.forEach((a, i) => {
    if (!isValidJavaUri(a.uri)) v.add(`/fetch(${i})/uri`, MESSAGES.uriSyntax);
  });

  if (app.resourceLimits !== undefined) {
    for (const key of ['cpus', 'mem'] as const) {
      const limit = app.resourceLimits[key];
      if (typeof limit === 'string' && limit !== 'unlimited') {
        v.add(`/resourceLimits/${key}`, `'${limit}' is an invalid resource limit. It must be 'unlimited' or a number`);
      } else if (typeof limit === 'number' && limit < app[key]) {
        v.add(`/resourceLimits/${key}`, `resource limit must be greater than or equal to requested resource (${scalaDouble(app[key])})`);
      }
    }
  }

  if (Object.keys(app.secrets).length > 0 && !secretsOn) v.add('/secrets', featureMessage('secrets'));
  if (Object.keys(app.env).some((k) => k.length === 0)) v.add('/env', 'must not be empty');
  const envSecrets = Object.entries(app.env).filter((e): e is [string, { secret: string }] => typeof e[1] !== 'string');
  if (envSecrets.length > 0 && !secretsOn) v.add('/env', MESSAGES.envSecretsFeature);
  for (const [key, ref] of envSecrets) {
    if (!(ref.secret in app.secrets)) v.add(`/env/${key}/secret`, 'references an undefined secret');
  }

  const resident = app.residency !== undefined;
  if (app.acceptedResourceRoles !== undefined) {
    const accepted = app.acceptedResourceRoles;
    if (accepted.length === 0) v.add('/acceptedResourceRoles', 'must not be empty');
    accepted.forEach((role, i) => {
      for (const problem of resourceRoleProblems(role)) v.add(`/acceptedResourceRoles(${i})`, problem);
    });
    if (resident && !(accepted.length === 1 && accepted[0] === '*')) {
      v.add('/acceptedResourceRoles', 'A resident app must have `acceptedResourceRoles = ["*"]`.');
    }
  }

  if (app.gpus > 0) {
    if (c?.type === 'DOCKER') v.add('/', MESSAGES.gpuDocker);
    if (!features.has('gpu_resources')) v.add('/', featureMessage('gpu_resources'));
  }

  const migrationVersion = app.labels.DCOS_MIGRATION_API_VERSION;
  if (migrationVersion !== undefined && migrationVersion.length > 0) {
    const complies =
      migrationVersion === 'v1' && (app.labels.DCOS_PACKAGE_FRAMEWORK_NAME ?? '').length > 0 && (app.labels.DCOS_MIGRATION_API_PATH ?? '').length > 0;
    if (!complies) v.add('/', MESSAGES.migrationApi);
  }

  if (app.readinessChecks.length > 1) v.add('/readinessChecks', `got ${app.readinessChecks.length}, expected 1 or less`);
  const portNames =
    c?.portMappings !== undefined
      ? c.portMappings.flatMap((m) => (m.name === undefined ? [] : [m.name]))
      : (app.portDefinitions ?? []).flatMap((p) => (p.name === undefined ? [] : [p.name]));
  app.readinessChecks.forEach((r, i) => {
    if (!portNames.includes(r.portName)) v.add(`/readinessChecks(${i})/portName`, `No port definition reference for portName ${r.portName}`);
    if (r.timeoutSeconds >= r.intervalSeconds) {
      v.add(`/readinessChecks(${i})/timeoutSeconds`, `got ${r.timeoutSeconds}, expected less than ${r.intervalSeconds}`);
    }
  });

  if (isSingleInstance(app.labels) && app.instances > 1) v.add('/', MESSAGES.singleInstance);
  if (app.upgradeStrategy !== undefined) {
    const u = app.upgradeStrategy;
    if (isSingleInstance(app.labels)) {
      if (u.minimumHealthCapacity !== 0) {
        v.add('/upgradeStrategy/minimumHealthCapacity', `got ${scalaDouble(u.minimumHealthCapacity)}, expected 0.0`);
      }
      if (u.maximumOverCapacity !== 0) v.add('/upgradeStrategy/maximumOverCapacity', `got ${scalaDouble(u.maximumOverCapacity)}, expected 0.0`);
    }
    if (resident && u.maximumOverCapacity !== 0) {
      v.add('/upgradeStrategy/maximumOverCapacity', `got ${scalaDouble(u.maximumOverCapacity)}, expected 0.0`);
    }
  }
  if (resident && app.unreachableStrategy !== undefined && app.unreachableStrategy !== 'disabled') {
    v.add('/', MESSAGES.residentUnreachable);
  }
  if (c?.type === 'DOCKER' && containerNetworks.length > 1) v.add('/', MESSAGES.dockerSingleNetwork);

  app.constraints.forEach((constraint, i) => {
    const problem = constraintProblem(constraint);
    if (problem !== undefined) v.add(`/constraints(${i})`, problem);
  });

  for (const problem of networkProblems(app.networks)) v.add('/networks', problem);

  const role = app.role ?? opts.mesosRole;
  if (!roles.includes(role)) v.add('/role', `got ${role}, expected one of: [${roles.join(', ')}]`);
  if (app.acceptedResourceRoles !== undefined && app.acceptedResourceRoles.length > 0) {
    const allowed = [...new Set(['*', role])].sort();
    const ok = app.acceptedResourceRoles.length <= 2 && app.acceptedResourceRoles.every((r) => allowed.includes(r));
    if (!ok) v.add('/acceptedResourceRoles', `acceptedResourceRoles can only contain ${allowed.join(' and ')}`);
  }

  for (const problem of pathIdProblems(app.id)) v.add('/id', problem);
  app.dependencies.forEach((dep, i) => {
    for (const problem of pathIdProblems(dep)) if (problem !== PATH_MESSAGES.empty) v.add(`/dependencies(${i})`, problem);
  });
  if (app.networks.some((n) => n.mode === 'container' && n.name === undefined) && opts.defaultNetworkName === undefined) {
    v.add('/networks', 'Network name must be specified when container network is selected.');
  }
  if (pathSegments(app.id).length === 0) v.add('/', PATH_MESSAGES.root);
  if (app.cmd !== undefined && app.cmd.length <= 1) v.add('/', 'must not be an empty string');
  if (app.networks.some((n) => n.mode === 'host') && (c?.portMappings?.length ?? 0) > 0) {
    v.add('/', 'portMappings are not allowed with host-networking');
  }
  if (app.networks.some((n) => n.mode !== 'host') && (app.portDefinitions?.length ?? 0) > 0) {
    v.add('/', 'portDefinitions are only allowed with host-networking');
  }
  return v;
}

function volumeConstraintProblem(c: readonly string[]): string | undefined {
  const [field, op, value] = c;
  if (field === undefined && op === undefined) return 'Missing field and operator';
  if (field === 'path' && op !== undefined && value !== undefined) {
    const known = ['UNIQUE', 'CLUSTER', 'GROUP_BY', 'LIKE', 'UNLIKE', 'MAX_PER', 'IS'];
    if (!known.includes(op)) return `unknown constraint operator ${op}`;
    if (op !== 'LIKE' && op !== 'UNLIKE') return 'Operator must be one of LIKE, UNLIKE';
    return compiles(value) ? undefined : 'Invalid regular expression';
  }
  return `Unsupported constraint ${c.join(',')}`;
}

export function resourceRoleProblems(role: string): string[] {
  const out: string[] = [];
  if (role === '') out.push('A role name must not be "".');
  if (role === '.') out.push('A role name must not be ".".');
  if (role === '..') out.push('A role name must not be "..".');
  if (role.startsWith('-')) out.push("A role name must not start with a '-'.");
  const forbidden: Array<[string, string]> = [
    ['\t', 'horizontal tab (\\x09)'],
    ['\n', 'line feed (\\x0a)'],
    ['\v', 'vertical tab (\\x0b)'],
    ['\f', 'form feed (\\x0c)'],
    ['\r', 'carriage return (\\x0d)'],
    [' ', 'space (\\x20)'],
    ['/', 'slash (\\x2f)'],
    ['\x7f', 'backspace (\\x7f)'],
  ];
  for (const [ch, label] of forbidden) if (role.includes(ch)) out.push(`A role name must not include a ${label} character.`);
  return out;
}

/** NetworkValidation.ramlNetworksValidator. */
export function networkProblems(nets: readonly RamlNetwork[]): string[] {
  const out: string[] = [];
  if (nets.some((n) => n.mode === 'host' && ((n.name ?? '') !== '' || Object.keys(n.labels).length > 0))) {
    out.push('Host networks may not have names or labels');
  }
  if (nets.some((n) => n.mode === 'container/bridge' && (n.name ?? '') !== '')) out.push('Bridge networks may not have names');
  const unnamed = nets.filter((n) => n.mode === 'container' && n.name === undefined).length;
  if (unnamed >= 2 || duplicates(nets.flatMap((n) => (n.name === undefined ? [] : [n.name])))) {
    out.push('Duplicate networks are not allowed');
  }
  const host = nets.filter((n) => n.mode === 'host').length;
  const bridge = nets.filter((n) => n.mode === 'container/bridge').length;
  const container = nets.filter((n) => n.mode === 'container').length;
  const ok = (host <= 1 && bridge === 0 && container === 0) || (host === 0 && bridge <= 1 && container === 0) || (host === 0 && bridge === 0 && container > 0);
  if (!ok) out.push('May specify a single host network, single bridge network, or else 1-to-n container networks');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Model-level rules (state/AppDefinition.validAppDefinition) not already covered above

export function validateDefinition(app: AppDefinition): ViolationSink {
  const v = new ViolationSink();
  if (app.check !== undefined && app.container?.type === 'DOCKER') v.add('/', MESSAGES.checksWithDocker);
  const portCount = app.container?.portMappings !== undefined ? app.container.portMappings.length : app.portDefinitions.length;
  const ref = app.check?.http ?? app.check?.tcp;
  if (ref !== undefined) {
    const ok = ref.portIndex !== undefined ? ref.portIndex < portCount : ref.port !== undefined || portCount === 1;
    if (!ok) v.add('/check', MESSAGES.checkPortIndex);
  }
  const resident = hasPersistentVolumes(app.container);
  if (resident && app.role === '*') v.add('/role', 'Resident apps cannot have the role *');
  const u = app.unreachableStrategy;
  if (u !== 'disabled' && u.inactiveAfterSeconds > u.expungeAfterSeconds) {
    v.add(
      '/unreachableStrategy/inactiveAfterSeconds',
      `inactiveAfterSeconds (${u.inactiveAfterSeconds}) must be less or equal to expungeAfterSeconds, which is ${u.expungeAfterSeconds}`,
    );
  }
  const s = app.upgradeStrategy;
  if (isSingleInstance(app.labels)) {
    if (s.minimumHealthCapacity !== 0) v.add('/upgradeStrategy/minimumHealthCapacity', `got ${scalaDouble(s.minimumHealthCapacity)}, expected 0.0`);
    if (s.maximumOverCapacity !== 0) v.add('/upgradeStrategy/maximumOverCapacity', `got ${scalaDouble(s.maximumOverCapacity)}, expected 0.0`);
  }
  if (resident && s.maximumOverCapacity !== 0) {
    v.add('/upgradeStrategy/maximumOverCapacity', `got ${scalaDouble(s.maximumOverCapacity)}, expected 0.0`);
  }
  return v;
}
