/**
 * Entry point for pod bodies, in the order of Marathon's PodsResource.create/update: JSON -> RAML `Pod` reads
 * (422 `Invalid JSON`) -> PodsValidation.podValidator on the pod as read (422 `Object is not valid`) ->
 * PodNormalization -> PodConversion (RAML -> PodDefinition) -> PodsValidation.podDefValidator (roles).
 * Every refusal is the `AppValidationError` apps use (status + Marathon's body).
 */
import { AppValidationError, semanticError, typeError } from '../apps/errors.js';
import { parseJsonBody, stripNulls } from '../apps/parse.js';
import { canonicalPathId } from '../apps/path-id.js';
import { roleSettingsFor } from '../apps/validate.js';
import { checkPodTypes } from './json-schema.js';
import { POD_DEFAULTS, readPod, type RamlPod } from './read.js';
import type { PodDefinition, PodParseOptions, PodSchedulingPolicy } from './types.js';
import { validatePodDefinition, validateRamlPod } from './validate.js';

export type PodParseResult = { ok: true; pod: PodDefinition } | { ok: false; failure: AppValidationError };

/** Fields of a pod body whose object values are user-keyed maps: a `null` inside them is a type error. */
const MAP_KEYS: ReadonlySet<string> = new Set(['labels', 'environment', 'secrets']);

/**
 * A parsed JSON value (the body of POST /v2/pods, PUT /v2/pods/{id}, or a group's `pods[]` entry) -> the
 * canonical pod, without `version` (the caller stamps it when it stores the pod, as Marathon does).
 */
export function parsePod(json: unknown, ctx: PodParseOptions): PodParseResult {
  try {
    return { ok: true, pod: parsePodOrThrow(json, ctx) };
  } catch (err) {
    if (err instanceof AppValidationError) return { ok: false, failure: err };
    throw err;
  }
}

/** Raw request text -> canonical pod; empty or unparsable text gives Marathon's 400 answers. */
export function parsePodBody(body: string, ctx: PodParseOptions): PodParseResult {
  try {
    return parsePod(parseJsonBody(body), ctx);
  } catch (err) {
    if (err instanceof AppValidationError) return { ok: false, failure: err };
    throw err;
  }
}

/** As `parsePod`, throwing the `AppValidationError` (for callers that already map it to a response). */
export function parsePodOrThrow(json: unknown, ctx: PodParseOptions): PodDefinition {
  // Play's reader looks each required field up in whatever it gets: a non-object lacks them all.
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw typeError([
      { path: '/id', error: 'error.path.missing' },
      { path: '/containers', error: 'error.path.missing' },
    ]);
  }
  const stripped = stripNulls(json, false, MAP_KEYS) as Record<string, unknown>;
  const typeViolations = checkPodTypes(stripped);
  if (typeViolations.length > 0) throw typeError(typeViolations);
  const raml = readPod(stripped);

  const id = canonicalPathId(raml.id);
  const roles = ctx.roleSettings?.(id) ?? roleSettingsFor(id, ctx.mesosRole, { enforceRole: false, existingRole: ctx.existingRole });

  const ramlProblems = validateRamlPod(raml, ctx);
  if (!ramlProblems.empty) throw semanticError(ramlProblems.list);

  const pod = toDefinition(normalize(raml, roles.defaultRole, ctx.defaultNetworkName));
  const defProblems = validatePodDefinition(pod, roles.validRoles, ctx.existingRole, ctx.force ?? false);
  if (!defProblems.empty) throw semanticError(defProblems.list);
  return pod;
}

/** PodNormalization.apply */
function normalize(raml: RamlPod, defaultRole: string, defaultNetworkName: string | undefined): RamlPod & { role: string } {
  const networks = raml.networks.map((n) =>
    n.mode === 'container' && n.name === undefined && defaultNetworkName !== undefined ? { ...n, name: defaultNetworkName } : n,
  );
  // Host and bridge endpoints get a dynamic host port unless they name one; container-network endpoints keep theirs.
  const containerMode = networks.some((n) => n.mode === 'container');
  const containers = containerMode
    ? raml.containers
    : raml.containers.map((c) => ({ ...c, endpoints: c.endpoints.map((e) => (e.hostPort === undefined ? { ...e, hostPort: 0 } : e)) }));
  let scheduling = raml.scheduling;
  if (raml.volumes.some((v) => v.kind === 'persistent')) {
    // Resident pods: never over capacity, and never replaced while unreachable, unless the body says otherwise.
    scheduling = {
      ...scheduling,
      upgrade: scheduling?.upgrade ?? { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 },
      unreachableStrategy: scheduling?.unreachableStrategy ?? 'disabled',
    };
  }
  const out: RamlPod & { role: string } = { ...raml, networks, containers, role: raml.role ?? defaultRole };
  if (scheduling !== undefined) out.scheduling = scheduling;
  return out;
}

/** PodConversion.podRamlReader: RAML pod -> PodDefinition, Marathon's model defaults for what is still absent. */
function toDefinition(raml: RamlPod & { role: string }): PodDefinition {
  const s = raml.scheduling;
  const scheduling: PodSchedulingPolicy = {
    backoff: { ...(s?.backoff ?? POD_DEFAULTS.backoff) },
    upgrade: { ...(s?.upgrade ?? POD_DEFAULTS.upgrade) },
    placement: {
      constraints: s?.placement?.constraints ?? [],
      acceptedResourceRoles: [...new Set(s?.placement?.acceptedResourceRoles ?? [])],
    },
    killSelection: s?.killSelection ?? 'YOUNGEST_FIRST',
    unreachableStrategy: s?.unreachableStrategy ?? { inactiveAfterSeconds: 0, expungeAfterSeconds: 0 },
  };
  const pod: PodDefinition = {
    id: canonicalPathId(raml.id),
    labels: raml.labels,
    environment: raml.environment,
    secrets: raml.secrets,
    containers: raml.containers,
    volumes: raml.volumes,
    networks: raml.networks,
    scaling: { kind: 'fixed', instances: raml.scaling?.instances ?? 1 },
    scheduling,
    executorResources: { ...(raml.executorResources ?? POD_DEFAULTS.executorResources) },
    role: raml.role,
  };
  if (raml.user !== undefined) pod.user = raml.user;
  if (raml.linuxInfo !== undefined) pod.linuxInfo = raml.linuxInfo;
  if (raml.legacySharedCgroups === true) pod.legacySharedCgroups = true;
  return pod;
}
