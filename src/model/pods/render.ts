/**
 * Canonical pod -> the JSON Marathon answers for it (GET /v2/pods/{id}, POST/PUT bodies, `group.pods`).
 * Marathon 1.11 writes RAML types with its generated Jackson serializers: options are written only when
 * set, collections and maps marked `omitEmpty` only when non-empty, everything else always
 * (raml/PodConversion.scala podRamlWriter, ContainerConversion, VolumeConversion, NetworkConversion).
 */
import type { Endpoint, PodContainer, PodDefinition, PodHealthCheck, PodNetwork, PodVolume } from './types.js';

type Json = Record<string, unknown>;

const nonEmpty = (o: Record<string, unknown>): boolean => Object.keys(o).length > 0;

export function renderPod(pod: PodDefinition): Json {
  const out: Json = { id: pod.id };
  if (nonEmpty(pod.labels)) out.labels = { ...pod.labels };
  if (pod.version !== undefined) out.version = pod.version;
  if (pod.user !== undefined) out.user = pod.user;
  if (nonEmpty(pod.environment)) out.environment = structuredClone(pod.environment);
  out.containers = pod.containers.map(renderContainer);
  if (nonEmpty(pod.secrets)) out.secrets = structuredClone(pod.secrets);
  if (pod.volumes.length > 0) out.volumes = pod.volumes.map(renderVolume);
  if (pod.networks.length > 0) out.networks = pod.networks.map(renderNetwork);
  out.scaling = { kind: pod.scaling.kind, instances: pod.scaling.instances };
  const s = pod.scheduling;
  const placement: Json = {};
  if (s.placement.constraints.length > 0) placement.constraints = s.placement.constraints.map((c) => ({ ...c }));
  if (s.placement.acceptedResourceRoles.length > 0) placement.acceptedResourceRoles = [...s.placement.acceptedResourceRoles];
  out.scheduling = {
    backoff: { ...s.backoff },
    upgrade: { ...s.upgrade },
    placement,
    killSelection: s.killSelection,
    unreachableStrategy: s.unreachableStrategy === 'disabled' ? 'disabled' : { ...s.unreachableStrategy },
  };
  out.executorResources = { ...pod.executorResources };
  out.role = pod.role;
  if (pod.linuxInfo !== undefined) out.linuxInfo = structuredClone(pod.linuxInfo);
  if (pod.legacySharedCgroups === true) out.legacySharedCgroups = true;
  return out;
}

function renderContainer(c: PodContainer): Json {
  const out: Json = { name: c.name };
  if (c.exec !== undefined) out.exec = structuredClone(c.exec);
  out.resources = { ...c.resources };
  if (c.resourceLimits !== undefined) out.resourceLimits = { ...c.resourceLimits };
  if (c.endpoints.length > 0) out.endpoints = c.endpoints.map(renderEndpoint);
  if (c.image !== undefined) {
    const image: Json = { kind: c.image.kind, id: c.image.id };
    if (c.image.pullConfig !== undefined) image.pullConfig = { ...c.image.pullConfig };
    if (c.image.forcePull !== undefined) image.forcePull = c.image.forcePull;
    if (nonEmpty(c.image.labels)) image.labels = { ...c.image.labels };
    out.image = image;
  }
  if (nonEmpty(c.environment)) out.environment = structuredClone(c.environment);
  if (c.user !== undefined) out.user = c.user;
  if (c.healthCheck !== undefined) out.healthCheck = renderHealthCheck(c.healthCheck);
  if (c.volumeMounts.length > 0) out.volumeMounts = c.volumeMounts.map((m) => ({ ...m }));
  if (c.artifacts.length > 0) out.artifacts = c.artifacts.map((a) => ({ ...a }));
  if (nonEmpty(c.labels)) out.labels = { ...c.labels };
  if (c.lifecycle !== undefined) out.lifecycle = { ...c.lifecycle };
  if (c.tty !== undefined) out.tty = c.tty;
  if (c.linuxInfo !== undefined) out.linuxInfo = structuredClone(c.linuxInfo);
  return out;
}

function renderEndpoint(e: Endpoint): Json {
  const out: Json = { name: e.name };
  if (e.containerPort !== undefined) out.containerPort = e.containerPort;
  if (e.hostPort !== undefined) out.hostPort = e.hostPort;
  if (e.protocol.length > 0) out.protocol = [...e.protocol];
  if (nonEmpty(e.labels)) out.labels = { ...e.labels };
  if (e.networkNames.length > 0) out.networkNames = [...e.networkNames];
  return out;
}

function renderHealthCheck(h: PodHealthCheck): Json {
  const out: Json = {};
  if (h.http !== undefined) out.http = { ...h.http };
  if (h.tcp !== undefined) out.tcp = { ...h.tcp };
  if (h.exec !== undefined) out.exec = structuredClone(h.exec);
  out.gracePeriodSeconds = h.gracePeriodSeconds;
  out.intervalSeconds = h.intervalSeconds;
  out.maxConsecutiveFailures = h.maxConsecutiveFailures;
  out.timeoutSeconds = h.timeoutSeconds;
  out.delaySeconds = h.delaySeconds;
  return out;
}

function renderVolume(v: PodVolume): Json {
  switch (v.kind) {
    case 'ephemeral':
      return { name: v.name };
    case 'host':
      return { name: v.name, host: v.host };
    case 'secret':
      return { name: v.name, secret: v.secret };
    case 'persistent': {
      const p: Json = { type: v.persistent.type, size: v.persistent.size };
      if (v.persistent.maxSize !== undefined) p.maxSize = v.persistent.maxSize;
      if (v.persistent.profileName !== undefined) p.profileName = v.persistent.profileName;
      p.constraints = v.persistent.constraints.map((c) => [...c]);
      return { name: v.name, persistent: p };
    }
  }
}

function renderNetwork(n: PodNetwork): Json {
  // NetworkConversion: a host network is written as `{mode: host}` only; a bridge network has no name.
  if (n.mode === 'host') return { mode: 'host' };
  const out: Json = {};
  if (n.mode === 'container' && n.name !== undefined) out.name = n.name;
  out.mode = n.mode;
  if (nonEmpty(n.labels)) out.labels = { ...n.labels };
  return out;
}
