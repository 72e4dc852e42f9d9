/**
 * A type-checked pod body -> `RamlPod`: the RAML `Pod` as Marathon's generated reader yields it, RAML defaults
 * filled (resources, health check timings, artifacts, backoff, upgrade, network mode), and what the body
 * left out still absent where validation or normalisation must know it (scaling, scheduling parts, role,
 * executor resources).
 */
import { unionMemberIndex } from '../apps/json-schema.js';
import { bool, literal, num, readLinuxInfo, uniqueBy } from '../apps/read.js';
import type { Artifact, EnvValue, Labels, LinuxInfo, MesosCommand } from '../apps/types.js';
import { POD_VOLUME_MEMBERS } from './json-schema.js';
import type {
  ConstraintOperator,
  Endpoint,
  ExecutorResources,
  KillSelection,
  PodBackoffStrategy,
  PodConstraint,
  PodContainer,
  PodHealthCheck,
  PodNetwork,
  PodNetworkMode,
  PodUpgradeStrategy,
  PodVolume,
  UnreachableStrategy,
} from './types.js';

type Json = Record<string, unknown>;

export interface RamlPodScheduling {
  backoff?: PodBackoffStrategy;
  upgrade?: PodUpgradeStrategy;
  placement?: { constraints: PodConstraint[]; acceptedResourceRoles: string[] };
  killSelection?: KillSelection;
  unreachableStrategy?: UnreachableStrategy;
}

export interface RamlPod {
  /** As given (validated raw, canonicalised by the conversion). */
  id: string;
  labels: Labels;
  user?: string;
  environment: Record<string, EnvValue>;
  containers: PodContainer[];
  secrets: Record<string, { source: string }>;
  volumes: PodVolume[];
  networks: PodNetwork[];
  scaling?: { instances: number };
  scheduling?: RamlPodScheduling;
  executorResources?: ExecutorResources;
  role?: string;
  linuxInfo?: LinuxInfo;
  legacySharedCgroups?: boolean;
}

/** RAML defaults (resources.raml, healthCheck.raml, pod.raml). */
export const POD_DEFAULTS = {
  containerCpus: 1,
  containerMem: 128,
  executorResources: { cpus: 0.1, mem: 32, disk: 10 } satisfies ExecutorResources,
  backoff: { backoff: 1, backoffFactor: 1.15, maxLaunchDelay: 300 } satisfies PodBackoffStrategy,
  upgrade: { minimumHealthCapacity: 1, maximumOverCapacity: 1 } satisfies PodUpgradeStrategy,
  health: { gracePeriodSeconds: 300, intervalSeconds: 60, maxConsecutiveFailures: 3, timeoutSeconds: 20, delaySeconds: 15 },
} as const;

export function readPod(j: Json): RamlPod {
  const pod: RamlPod = {
    id: j.id as string,
    labels: readLabels(j.labels),
    environment: readEnv(j.environment),
    containers: (j.containers as Json[]).map(readContainer),
    secrets: readSecrets(j.secrets),
    volumes: arrayOf(j.volumes).map(readVolume),
    networks: arrayOf(j.networks).map(readNetwork),
  };
  if (j.user !== undefined) pod.user = j.user as string;
  if (j.scaling !== undefined) pod.scaling = { instances: num((j.scaling as Json).instances, 1) };
  if (j.scheduling !== undefined) pod.scheduling = readScheduling(j.scheduling as Json);
  if (j.executorResources !== undefined) {
    const e = j.executorResources as Json;
    const d = POD_DEFAULTS.executorResources;
    pod.executorResources = { cpus: num(e.cpus, d.cpus), mem: num(e.mem, d.mem), disk: num(e.disk, d.disk) };
  }
  if (j.role !== undefined) pod.role = j.role as string;
  if (j.linuxInfo !== undefined) pod.linuxInfo = readLinuxInfo(j.linuxInfo as Json);
  if (j.legacySharedCgroups !== undefined) pod.legacySharedCgroups = j.legacySharedCgroups as boolean;
  return pod;
}

function readContainer(c: Json): PodContainer {
  const r = (c.resources ?? {}) as Json;
  const out: PodContainer = {
    name: c.name as string,
    resources: { cpus: num(r.cpus, POD_DEFAULTS.containerCpus), mem: num(r.mem, POD_DEFAULTS.containerMem), disk: num(r.disk, 0), gpus: num(r.gpus, 0) },
    endpoints: arrayOf(c.endpoints).map(readEndpoint),
    environment: readEnv(c.environment),
    volumeMounts: arrayOf(c.volumeMounts).map((m) => ({ name: m.name as string, mountPath: m.mountPath as string, readOnly: m.readOnly === true })),
    artifacts: arrayOf(c.artifacts).map(readArtifact),
    labels: readLabels(c.labels),
  };
  if (c.exec !== undefined) {
    const e = c.exec as Json;
    out.exec = { command: readCommand(e.command as Json) };
    if (e.overrideEntrypoint !== undefined) out.exec.overrideEntrypoint = e.overrideEntrypoint as boolean;
  }
  if (c.resourceLimits !== undefined) {
    const l = c.resourceLimits as Json;
    out.resourceLimits = {};
    // A string other than `unlimited` passes the type check and is refused by validation with its own message.
    if (l.cpus !== undefined) out.resourceLimits.cpus = l.cpus as number | 'unlimited';
    if (l.mem !== undefined) out.resourceLimits.mem = l.mem as number | 'unlimited';
  }
  if (c.image !== undefined) {
    const i = c.image as Json;
    out.image = { kind: 'DOCKER', id: i.id as string, labels: readLabels(i.labels) };
    if (i.pullConfig !== undefined) out.image.pullConfig = { secret: (i.pullConfig as Json).secret as string };
    if (i.forcePull !== undefined) out.image.forcePull = i.forcePull as boolean;
  }
  if (c.user !== undefined) out.user = c.user as string;
  if (c.healthCheck !== undefined) out.healthCheck = readHealthCheck(c.healthCheck as Json);
  if (c.lifecycle !== undefined) {
    const l = c.lifecycle as Json;
    out.lifecycle = l.killGracePeriodSeconds === undefined ? {} : { killGracePeriodSeconds: l.killGracePeriodSeconds as number };
  }
  if (c.tty !== undefined) out.tty = c.tty as boolean;
  if (c.linuxInfo !== undefined) out.linuxInfo = readLinuxInfo(c.linuxInfo as Json);
  return out;
}

function readEndpoint(e: Json): Endpoint {
  const out: Endpoint = {
    name: e.name as string,
    protocol: arrayOfStrings(e.protocol),
    labels: readLabels(e.labels),
    networkNames: arrayOfStrings(e.networkNames),
  };
  if (e.containerPort !== undefined) out.containerPort = e.containerPort as number;
  if (e.hostPort !== undefined) out.hostPort = e.hostPort as number;
  return out;
}

function readHealthCheck(h: Json): PodHealthCheck {
  const d = POD_DEFAULTS.health;
  const out: PodHealthCheck = {
    gracePeriodSeconds: num(h.gracePeriodSeconds, d.gracePeriodSeconds),
    intervalSeconds: num(h.intervalSeconds, d.intervalSeconds),
    maxConsecutiveFailures: num(h.maxConsecutiveFailures, d.maxConsecutiveFailures),
    timeoutSeconds: num(h.timeoutSeconds, d.timeoutSeconds),
    delaySeconds: num(h.delaySeconds, d.delaySeconds),
  };
  if (h.http !== undefined) {
    const http = h.http as Json;
    out.http = { endpoint: http.endpoint as string, scheme: literal(http.scheme, ['HTTP', 'HTTPS'] as const, 'HTTP') };
    if (http.path !== undefined) out.http.path = http.path as string;
  }
  if (h.tcp !== undefined) out.tcp = { endpoint: (h.tcp as Json).endpoint as string };
  if (h.exec !== undefined) out.exec = { command: readCommand((h.exec as Json).command as Json) };
  return out;
}

function readVolume(v: Json): PodVolume {
  const name = v.name as string;
  switch (POD_VOLUME_MEMBERS[unionMemberIndex('podVolume', v)]) {
    case 'persistent': {
      const p = v.persistent as Json;
      const profileName = p.profileName as string | undefined;
      // VolumeConversion: the type defaults to `mount` when a profile is named, `root` otherwise.
      const type = literal(p.type, ['root', 'path', 'mount'] as const, profileName === undefined ? 'root' : 'mount');
      const persistent: PodVolume & { kind: 'persistent' } = {
        kind: 'persistent',
        name,
        persistent: { type, size: p.size as number, constraints: uniqueBy(arrayOf<string[]>(p.constraints).map((c) => [...c])) },
      };
      if (p.maxSize !== undefined) persistent.persistent.maxSize = p.maxSize as number;
      if (profileName !== undefined) persistent.persistent.profileName = profileName;
      return persistent;
    }
    case 'secret':
      return { kind: 'secret', name, secret: v.secret as string };
    case 'host':
      return { kind: 'host', name, host: v.host as string };
    default:
      return { kind: 'ephemeral', name };
  }
}

function readNetwork(n: Json): PodNetwork {
  const out: PodNetwork = { mode: literal<PodNetworkMode>(n.mode, ['container', 'container/bridge', 'host'], 'container'), labels: readLabels(n.labels) };
  if (n.name !== undefined) out.name = n.name as string;
  return out;
}

const OPERATORS: ConstraintOperator[] = ['UNIQUE', 'CLUSTER', 'GROUP_BY', 'LIKE', 'UNLIKE', 'MAX_PER', 'IS'];

function readScheduling(s: Json): RamlPodScheduling {
  const out: RamlPodScheduling = {};
  if (s.backoff !== undefined) {
    const b = s.backoff as Json;
    const d = POD_DEFAULTS.backoff;
    out.backoff = {
      backoff: num(b.backoff, d.backoff),
      backoffFactor: num(b.backoffFactor, d.backoffFactor),
      maxLaunchDelay: num(b.maxLaunchDelay, d.maxLaunchDelay),
    };
  }
  if (s.upgrade !== undefined) {
    const u = s.upgrade as Json;
    const d = POD_DEFAULTS.upgrade;
    out.upgrade = {
      minimumHealthCapacity: num(u.minimumHealthCapacity, d.minimumHealthCapacity),
      maximumOverCapacity: num(u.maximumOverCapacity, d.maximumOverCapacity),
    };
  }
  if (s.placement !== undefined) {
    const p = s.placement as Json;
    // RAML `uniqueItems`: the generated type is a Set, duplicates vanish on reading.
    const constraints = uniqueBy(
      arrayOf(p.constraints).map((c): PodConstraint => {
        const out: PodConstraint = { fieldName: c.fieldName as string, operator: literal(c.operator, OPERATORS, 'UNIQUE') };
        if (c.value !== undefined) out.value = c.value as string;
        return out;
      }),
    );
    out.placement = { constraints, acceptedResourceRoles: arrayOfStrings(p.acceptedResourceRoles) };
  }
  if (s.killSelection !== undefined) out.killSelection = literal(s.killSelection, ['YOUNGEST_FIRST', 'OLDEST_FIRST'] as const, 'YOUNGEST_FIRST');
  if (s.unreachableStrategy !== undefined) {
    const u = s.unreachableStrategy;
    out.unreachableStrategy =
      typeof u === 'string'
        ? 'disabled'
        : { inactiveAfterSeconds: num((u as Json).inactiveAfterSeconds, 0), expungeAfterSeconds: num((u as Json).expungeAfterSeconds, 0) };
  }
  return out;
}

function readArtifact(a: Json): Artifact {
  const out: Artifact = { uri: a.uri as string, extract: bool(a.extract, true), executable: bool(a.executable, false), cache: bool(a.cache, false) };
  if (a.destPath !== undefined) out.destPath = a.destPath as string;
  return out;
}

function readCommand(c: Json): MesosCommand {
  return unionMemberIndex('mesosCommand', c) === 0 ? { shell: c.shell as string } : { argv: [...(c.argv as string[])] };
}

function readEnv(e: unknown): Record<string, EnvValue> {
  const out: Record<string, EnvValue> = {};
  for (const [k, v] of Object.entries((e ?? {}) as Json)) out[k] = typeof v === 'string' ? v : { secret: (v as Json).secret as string };
  return out;
}

function readSecrets(s: unknown): Record<string, { source: string }> {
  const out: Record<string, { source: string }> = {};
  for (const [k, v] of Object.entries((s ?? {}) as Json)) out[k] = { source: (v as Json).source as string };
  return out;
}

function readLabels(l: unknown): Labels {
  return { ...((l ?? {}) as Labels) };
}

function arrayOf<T = Json>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

function arrayOfStrings(v: unknown): string[] {
  return arrayOf<string>(v).slice();
}
