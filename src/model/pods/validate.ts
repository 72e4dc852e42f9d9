/**
 * Marathon's semantic rules for pods with its exact messages and paths (wix-accord descriptions rendered as
 * Marathon's Validation.allViolations does): api/v2/validation/PodsValidation.scala (podValidator on the RAML
 * pod before normalisation, podDefValidator on the converted pod), with the rules it borrows from
 * NetworkValidation, SchedulingValidation, EnvVarValidation, SecretValidation, AppValidation.validResourceLimits,
 * state/ResourceRole and state/LinuxInfo. A combinator `x is empty or v` that fails reports both `must be empty`
 * and v's messages (wix-accord's Or keeps every child violation).
 */
import { ViolationSink } from '../apps/errors.js';
import type { EnvValue, LinuxInfo } from '../apps/types.js';
import { rawPathIdProblems } from '../apps/path-id.js';
import { constraintProblem, MESSAGES, networkProblems, resourceRoleProblems, scalaDouble } from '../apps/validate.js';
import type { RamlPod } from './read.js';
import type { Endpoint, PodConstraint, PodContainer, PodDefinition, PodNetwork, PodParseOptions, ResourceLimits } from './types.js';

export const POD_MESSAGES = {
  endpointNamesUnique: 'endpoint names nust be unique across all containers',
  containerPortsUnique: 'container ports must be unique across all containers',
  hostPortsUnique: 'host ports must be unique across all containers',
  volumeNamesUnique: 'volume names must be unique',
  containerNamesUnique: 'container names must be unique',
  secretVolumeMustReferenceSecret: 'volume.secret must refer to an existing secret',
  pullConfigSecret: 'pullConfig.secret must refer to an existing secret',
  volumeUnreferenced: 'volume must be referenced by at least one container',
  volumeMountUnknown: 'Referenced Volume in VolumeMount should exist',
  endpointUnknown: 'contained in the container endpoints',
  oneCheckKind: 'Only one of http, tcp, or command may be specified',
  containerPortHost: 'is not allowed when using host-mode networking',
  containerPortRequired: 'is required when using container-mode networking',
  duplicateProtocols: 'Duplicate protocols within the same endpoint are not allowed',
  residentUnreachable: 'unreachableStrategy must be disabled for pods with persistent volumes',
  residentRole: 'Resident pods cannot have the role *',
  residentAcceptedRoles: 'A resident pod must have `acceptedResourceRoles = ["*"]`.',
  limitsWithSharedCgroups: 'resourceLimits cannot be defined if legacySharedCgroups is enabled',
  podSeccomp: 'Seccomp configuration on executor level is not supported',
  networkNameRequired: 'Network name must be specified when container network is selected.',
  constraintField: 'missing field for constraint declaration',
  mustBeEmpty: 'must be empty',
  notEmpty: 'must not be empty',
} as const;

const featureMessage = MESSAGES.feature;

const duplicates = <T>(values: readonly T[]): boolean => new Set(values).size !== values.length;
const hasPersistentVolumes = (pod: { volumes: RamlPod['volumes'] }): boolean => pod.volumes.some((v) => v.kind === 'persistent');

/** RoleSettings.residentRoleChangeWarningMessage */
export function residentRoleChangeMessage(previousRole: string, newRole: string): string {
  return (
    'It is not possible to change the role for existing reservations. If you proceed with this change, all existing ' +
    `instances will continue to run under the previous role, ${previousRole}. Only new instances will be ` +
    `allocated with the new role, ${newRole}. In order to continue, retry your request with ?force=true`
  );
}

// ---------------------------------------------------------------------------------------------
// PodsValidation.podValidator: the RAML pod as read, before normalisation

export function validateRamlPod(pod: RamlPod, opts: PodParseOptions): ViolationSink {
  const v = new ViolationSink();
  const features = opts.features ?? new Set<string>();
  const secretsOn = features.has('secrets');

  for (const problem of rawPathIdProblems(pod.id)) v.add('/id', problem);
  if (pod.user === '') v.add('/user', POD_MESSAGES.notEmpty);
  validateEnv(v, '/environment', pod.environment, pod.secrets, secretsOn);

  // `podSecretVolumes(pod)` is not a field access: wix-accord describes it by its source text.
  const secretVolumes = pod.volumes.filter((vol) => vol.kind === 'secret');
  const secretVolumesAt = '/podSecretVolumes(pod)';
  if (secretVolumes.length > 0 && !secretsOn) {
    v.add(secretVolumesAt, POD_MESSAGES.mustBeEmpty);
    v.add(secretVolumesAt, featureMessage('secrets'));
  }
  const unknownSecretVolumes = secretVolumes.flatMap((vol, i) => (vol.secret in pod.secrets ? [] : [i]));
  if (unknownSecretVolumes.length > 0) {
    v.add(secretVolumesAt, POD_MESSAGES.mustBeEmpty);
    for (const i of unknownSecretVolumes) v.add(`${secretVolumesAt}(${i})/secret`, POD_MESSAGES.secretVolumeMustReferenceSecret);
  }

  pod.volumes.forEach((vol, i) => {
    if (!pod.containers.some((c) => c.volumeMounts.some((m) => m.name === vol.name))) v.add(`/volumes(${i})`, POD_MESSAGES.volumeUnreferenced);
  });
  if (duplicates(pod.volumes.map((vol) => vol.name))) v.add('/volumes', POD_MESSAGES.volumeNamesUnique);

  // `pod.containers is notEmpty` cannot fail here: the RAML reader already refuses an empty list (minItems 1).
  pod.containers.forEach((c, i) => validateContainer(v, `/containers(${i})`, c, pod, secretsOn));
  if (duplicates(pod.containers.map((c) => c.name))) v.add('/containers', POD_MESSAGES.containerNamesUnique);

  if (Object.keys(pod.secrets).length > 0) {
    const secretProblems: Array<[string, string]> = [];
    Object.keys(pod.secrets).forEach((key, i) => {
      if (key.length === 0) secretProblems.push([`/secrets/keys(${i})`, POD_MESSAGES.notEmpty]);
    });
    if (!secretsOn) secretProblems.push(['/secrets', featureMessage('secrets')]);
    if (secretProblems.length > 0) {
      v.add('/secrets', POD_MESSAGES.mustBeEmpty);
      for (const [path, error] of secretProblems) v.add(path, error);
    }
  }

  for (const problem of networkProblems(pod.networks)) v.add('/networks', problem);
  if (pod.networks.some((n) => n.mode === 'container' && n.name === undefined) && opts.defaultNetworkName === undefined) {
    v.add('/networks', POD_MESSAGES.networkNameRequired);
  }

  const placement = pod.scheduling?.placement;
  if (placement !== undefined) {
    validateAcceptedRoles(v, '/scheduling/placement/acceptedResourceRoles', placement.acceptedResourceRoles, 'pod', false);
    const problems = placement.constraints.flatMap((c, i) => {
      const problem = podConstraintProblem(c);
      return problem === undefined ? [] : [[`/scheduling/placement/constraints(${i})`, problem] as const];
    });
    if (problems.length > 0) {
      v.add('/scheduling/placement/constraints', POD_MESSAGES.mustBeEmpty);
      for (const [path, error] of problems) v.add(path, error);
    }
  }

  const endpoints = pod.containers.flatMap((c) => c.endpoints);
  if (duplicates(endpoints.map((e) => e.name))) v.add('/', POD_MESSAGES.endpointNamesUnique);
  if (duplicates(endpoints.flatMap((e) => (e.containerPort === undefined || e.containerPort === 0 ? [] : [e.containerPort])))) {
    v.add('/', POD_MESSAGES.containerPortsUnique);
  }
  if (duplicates(endpoints.flatMap((e) => (e.hostPort === undefined || e.hostPort === 0 ? [] : [e.hostPort])))) v.add('/', POD_MESSAGES.hostPortsUnique);

  const resident = hasPersistentVolumes(pod);
  const upgrade = pod.scheduling?.upgrade;
  if (resident && upgrade !== undefined && upgrade.maximumOverCapacity !== 0) {
    v.add('/upgrade/maximumOverCapacity', `got ${scalaDouble(upgrade.maximumOverCapacity)}, expected 0.0`);
  }
  const unreachable = pod.scheduling?.unreachableStrategy;
  if (resident && unreachable !== undefined && unreachable !== 'disabled') v.add('/', POD_MESSAGES.residentUnreachable);
  validateAcceptedRoles(v, '/acceptedResourceRoles', unique(placement?.acceptedResourceRoles ?? []), 'pod', resident);

  if (pod.linuxInfo?.seccomp !== undefined) v.add('/linuxInfo/seccomp', POD_MESSAGES.podSeccomp);
  validateIpcInfo(v, '/linuxInfo', pod.linuxInfo);
  return v;
}

function validateContainer(v: ViolationSink, at: string, c: PodContainer, pod: RamlPod, secretsOn: boolean): void {
  if (c.resourceLimits !== undefined) validateResourceLimits(v, `${at}/resourceLimits`, c.resourceLimits, c.resources);

  c.endpoints.forEach((e, j) => validateEndpoint(v, `${at}/endpoints(${j})`, e, pod.networks));

  const pullConfig = c.image?.pullConfig;
  if (pullConfig !== undefined) {
    if (!secretsOn) {
      v.add(`${at}/image/pullConfig`, POD_MESSAGES.mustBeEmpty);
      v.add(`${at}/image/pullConfig`, featureMessage('secrets'));
    }
    if (!(pullConfig.secret in pod.secrets)) v.add(`${at}/image/pullConfig`, POD_MESSAGES.pullConfigSecret);
  }

  validateEnv(v, `${at}/environment`, c.environment, pod.secrets, secretsOn);

  const h = c.healthCheck;
  if (h !== undefined) {
    const hat = `${at}/healthCheck`;
    if (!(h.timeoutSeconds < h.intervalSeconds)) v.add(`${hat}/timeoutSeconds`, `got ${h.timeoutSeconds}, expected less than ${h.intervalSeconds}`);
    const known = (name: string): boolean => c.endpoints.some((e) => e.name === name);
    if (h.http !== undefined && !known(h.http.endpoint)) v.add(`${hat}/http/endpoint`, POD_MESSAGES.endpointUnknown);
    if (h.tcp !== undefined && !known(h.tcp.endpoint)) v.add(`${hat}/tcp/endpoint`, POD_MESSAGES.endpointUnknown);
    if ([h.http, h.tcp, h.exec].filter((x) => x !== undefined).length !== 1) v.add(hat, POD_MESSAGES.oneCheckKind);
  }

  c.volumeMounts.forEach((m, j) => {
    if (!pod.volumes.some((vol) => vol.name === m.name)) v.add(`${at}/volumeMounts(${j})/name`, POD_MESSAGES.volumeMountUnknown);
  });

  const seccomp = c.linuxInfo?.seccomp;
  if (seccomp !== undefined && seccomp.profileName !== undefined && seccomp.unconfined) {
    v.add(`${at}/linuxInfo/seccomp`, 'Seccomp unconfined can NOT be true when Profile is defined');
  } else if (seccomp !== undefined && seccomp.profileName === undefined && !seccomp.unconfined) {
    v.add(`${at}/linuxInfo/seccomp`, 'Seccomp unconfined must be true when Profile is NOT defined');
  }
  validateIpcInfo(v, `${at}/linuxInfo`, c.linuxInfo);

  if (pod.legacySharedCgroups === true && c.resourceLimits !== undefined) v.add(`${at}/resourceLimits`, POD_MESSAGES.limitsWithSharedCgroups);
}

function validateEndpoint(v: ViolationSink, at: string, e: Endpoint, networks: readonly PodNetwork[]): void {
  const names = networks.flatMap((n) => (n.name === undefined ? [] : [n.name]));
  e.networkNames.forEach((name, k) => {
    if (!names.includes(name)) v.add(`${at}/networkNames(${k})`, `is not one of (${names.join(',')})`);
  });
  if (networks.some((n) => n.mode === 'host') && e.containerPort !== undefined) v.add(`${at}/containerPort`, POD_MESSAGES.containerPortHost);
  if (networks.some((n) => n.mode === 'container') && e.containerPort === undefined) v.add(`${at}/containerPort`, POD_MESSAGES.containerPortRequired);
  if (duplicates(e.protocol)) v.add(`${at}/protocol`, POD_MESSAGES.duplicateProtocols);
  if (networks.filter((n) => n.mode === 'container').length > 1 && e.hostPort !== undefined && e.networkNames.length !== 1) {
    v.add(at, MESSAGES.networkNameRequired);
  }
}

/** AppValidation.validResourceLimits */
function validateResourceLimits(v: ViolationSink, at: string, limits: ResourceLimits, requested: { cpus: number; mem: number }): void {
  for (const key of ['cpus', 'mem'] as const) {
    const limit: unknown = limits[key];
    if (typeof limit === 'string' && limit !== 'unlimited') {
      v.add(`${at}/${key}`, `'${limit}' is an invalid resource limit. It must be 'unlimited' or a number`);
    } else if (typeof limit === 'number' && limit < requested[key]) {
      v.add(`${at}/${key}`, `resource limit must be greater than or equal to requested resource (${scalaDouble(requested[key])})`);
    }
  }
}

/** EnvVarValidation.envValidator(strictNameValidation = false, …); key patterns are checked by the RAML reader. */
function validateEnv(v: ViolationSink, at: string, env: Record<string, EnvValue>, secrets: Record<string, unknown>, secretsOn: boolean): void {
  const refs = Object.entries(env).filter((e): e is [string, { secret: string }] => typeof e[1] !== 'string');
  if (refs.length > 0 && !secretsOn) v.add(at, MESSAGES.envSecretsFeature);
  for (const [key, ref] of refs) if (!(ref.secret in secrets)) v.add(`${at}/${key}/secret`, 'references an undefined secret');
}

/** `roles is empty or ResourceRole.validAcceptedResourceRoles(kind, resident)` */
function validateAcceptedRoles(v: ViolationSink, at: string, roles: readonly string[], kind: string, resident: boolean): void {
  if (roles.length === 0) return;
  const problems: Array<[string, string]> = [];
  roles.forEach((role, i) => {
    for (const problem of resourceRoleProblems(role)) problems.push([`${at}(${i})`, problem]);
  });
  if (resident && !(unique(roles).length === 1 && roles[0] === '*')) problems.push([at, `A resident ${kind} must have \`acceptedResourceRoles = ["*"]\`.`]);
  if (problems.length === 0) return;
  v.add(at, POD_MESSAGES.mustBeEmpty);
  for (const [path, error] of problems) v.add(path, error);
}

function validateIpcInfo(v: ViolationSink, at: string, linuxInfo: LinuxInfo | undefined): void {
  const ipc = linuxInfo?.ipcInfo;
  if (ipc?.mode === 'SHARE_PARENT' && ipc.shmSize !== undefined) v.add(`${at}/ipcInfo`, 'ipcInfo shmSize can NOT be set when mode is SHARE_PARENT');
}

/** SchedulingValidation.complyWithConstraintRules for a RAML `Constraint` object. */
export function podConstraintProblem(c: PodConstraint): string | undefined {
  if (c.fieldName.length === 0) return POD_MESSAGES.constraintField;
  return constraintProblem(c.value === undefined ? [c.fieldName, c.operator] : [c.fieldName, c.operator, c.value]);
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

// ---------------------------------------------------------------------------------------------
// PodsValidation.podDefValidator: the converted pod, with the roles the pod may use

export function validatePodDefinition(pod: PodDefinition, validRoles: readonly string[], previousRole: string | undefined, force: boolean): ViolationSink {
  const v = new ViolationSink();
  if (!validRoles.includes(pod.role)) v.add('/role', `got ${pod.role}, expected one of: [${validRoles.join(', ')}]`);
  const resident = hasPersistentVolumes(pod);
  if (resident && pod.role === '*') v.add('/role', POD_MESSAGES.residentRole);
  if (resident && previousRole !== undefined && previousRole !== pod.role && !force) v.add('/role', residentRoleChangeMessage(previousRole, pod.role));
  const accepted = pod.scheduling.placement.acceptedResourceRoles;
  if (accepted.length > 0) {
    const allowed = [...new Set(['*', pod.role])].sort();
    if (!(accepted.length <= 2 && accepted.every((r) => allowed.includes(r)))) {
      v.add('/acceptedResourceRoles', `acceptedResourceRoles can only contain ${allowed.join(' and ')}`);
    }
  }
  return v;
}
