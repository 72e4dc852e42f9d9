/**
 * Canonical app -> the JSON Marathon writes (RAML `App`, without AppInfo extras). Marathon's generated
 * writers omit unset options and the collections marked `omitEmpty` (args, constraints, dependencies, env,
 * fetch, healthChecks, readinessChecks, secrets, networkNames, some labels) and always write the rest.
 * The deprecated `ports`, `uris` and `ipAddress` are never written.
 */
import type { AppCheck, AppDefinition, AppVolume, Container, HealthCheck, Network, PortDefinition, PortMapping } from './types.js';

type Json = Record<string, unknown>;

const nonEmpty = (o: Record<string, unknown>): boolean => Object.keys(o).length > 0;

export function renderApp(app: AppDefinition): Record<string, unknown> {
  const hostNetworking = !app.networks.some((n) => n.mode !== 'host');
  const out: Json = { id: app.id };
  if (app.acceptedResourceRoles !== undefined && app.acceptedResourceRoles.length > 0) {
    out.acceptedResourceRoles = [...app.acceptedResourceRoles];
  }
  if (app.args.length > 0) out.args = [...app.args];
  out.backoffFactor = app.backoffFactor;
  out.backoffSeconds = app.backoffSeconds;
  if (app.cmd !== undefined) out.cmd = app.cmd;
  if (app.constraints.length > 0) out.constraints = app.constraints.map((c) => [...c]);
  if (app.container !== undefined) out.container = renderContainer(app.container, hostNetworking);
  out.cpus = app.cpus;
  if (app.dependencies.length > 0) out.dependencies = [...app.dependencies];
  out.disk = app.disk;
  if (nonEmpty(app.env)) out.env = structuredClone(app.env);
  out.executor = app.executor;
  if (app.executorResources !== undefined) out.executorResources = { ...app.executorResources };
  if (app.fetch.length > 0) out.fetch = app.fetch.map((a) => ({ ...a }));
  if (app.healthChecks.length > 0) out.healthChecks = app.healthChecks.map(renderHealthCheck);
  if (app.check !== undefined) out.check = renderCheck(app.check);
  out.instances = app.instances;
  out.labels = { ...app.labels };
  out.maxLaunchDelaySeconds = app.maxLaunchDelaySeconds;
  out.mem = app.mem;
  out.gpus = app.gpus;
  out.networks = app.networks.map(renderNetwork);
  if (hostNetworking) out.portDefinitions = app.portDefinitions.map(renderPortDefinition);
  if (app.readinessChecks.length > 0) {
    out.readinessChecks = app.readinessChecks.map((r) => ({ ...r, httpStatusCodesForReady: [...r.httpStatusCodesForReady] }));
  }
  if (app.residency !== undefined) out.residency = { ...app.residency };
  if (app.resourceLimits !== undefined) out.resourceLimits = { ...app.resourceLimits };
  out.requirePorts = app.requirePorts;
  if (nonEmpty(app.secrets)) out.secrets = structuredClone(app.secrets);
  if (app.taskKillGracePeriodSeconds !== undefined) out.taskKillGracePeriodSeconds = app.taskKillGracePeriodSeconds;
  out.upgradeStrategy = { ...app.upgradeStrategy };
  if (app.user !== undefined) out.user = app.user;
  if (app.version !== undefined) out.version = app.version;
  if (app.versionInfo !== undefined) out.versionInfo = { ...app.versionInfo };
  out.killSelection = app.killSelection;
  out.unreachableStrategy = app.unreachableStrategy === 'disabled' ? 'disabled' : { ...app.unreachableStrategy };
  if (app.tty !== undefined) out.tty = app.tty;
  out.role = app.role;
  return out;
}

function renderContainer(c: Container, hostNetworking: boolean): Json {
  const out: Json = { type: c.type };
  if (c.docker !== undefined) {
    const d: Json = {
      forcePullImage: c.docker.forcePullImage,
      image: c.docker.image,
      parameters: c.docker.parameters.map((p) => ({ ...p })),
      privileged: c.docker.privileged,
    };
    if (c.docker.pullConfig !== undefined) d.pullConfig = { ...c.docker.pullConfig };
    out.docker = d;
  }
  if (c.linuxInfo !== undefined) out.linuxInfo = structuredClone(c.linuxInfo);
  out.volumes = c.volumes.map(renderVolume);
  if (!hostNetworking && c.portMappings !== undefined) out.portMappings = c.portMappings.map(renderPortMapping);
  return out;
}

function renderVolume(v: AppVolume): Json {
  switch (v.kind) {
    case 'host':
      return { containerPath: v.containerPath, hostPath: v.hostPath, mode: v.mode };
    case 'persistent': {
      const p: Json = { type: v.persistent.type ?? 'root', size: v.persistent.size };
      if (v.persistent.maxSize !== undefined) p.maxSize = v.persistent.maxSize;
      if (v.persistent.profileName !== undefined) p.profileName = v.persistent.profileName;
      p.constraints = v.persistent.constraints.map((c) => [...c]);
      return { containerPath: v.containerPath, mode: v.mode, persistent: p };
    }
    case 'external':
      return { containerPath: v.containerPath, external: structuredClone(v.external), mode: v.mode };
    case 'secret':
      return { containerPath: v.containerPath, secret: v.secret };
  }
}

function renderPortMapping(m: PortMapping): Json {
  const out: Json = { containerPort: m.containerPort };
  if (m.hostPort !== undefined) out.hostPort = m.hostPort;
  out.labels = { ...m.labels };
  if (m.name !== undefined) out.name = m.name;
  out.protocol = m.protocol;
  out.servicePort = m.servicePort;
  if (m.networkNames.length > 0) out.networkNames = [...m.networkNames];
  return out;
}

function renderPortDefinition(p: PortDefinition): Json {
  const out: Json = { port: p.port };
  if (nonEmpty(p.labels)) out.labels = { ...p.labels };
  if (p.name !== undefined) out.name = p.name;
  out.protocol = p.protocol;
  return out;
}

function renderNetwork(n: Network): Json {
  const out: Json = {};
  if (n.name !== undefined) out.name = n.name;
  out.mode = n.mode;
  if (nonEmpty(n.labels)) out.labels = { ...n.labels };
  return out;
}

/** A health check as Marathon writes it (RAML AppHealthCheck); also used in health events. */
export function renderHealthCheck(h: HealthCheck): Json {
  const out: Json = {};
  if (h.command !== undefined) out.command = { ...h.command };
  out.gracePeriodSeconds = h.gracePeriodSeconds;
  if (h.ignoreHttp1xx !== undefined) out.ignoreHttp1xx = h.ignoreHttp1xx;
  out.intervalSeconds = h.intervalSeconds;
  out.maxConsecutiveFailures = h.maxConsecutiveFailures;
  if (h.path !== undefined) out.path = h.path;
  if (h.port !== undefined) out.port = h.port;
  if (h.portIndex !== undefined) out.portIndex = h.portIndex;
  out.protocol = h.protocol;
  out.ipProtocol = h.ipProtocol;
  out.timeoutSeconds = h.timeoutSeconds;
  out.delaySeconds = h.delaySeconds;
  return out;
}

function renderCheck(c: AppCheck): Json {
  const out: Json = {};
  if (c.http !== undefined) out.http = { ...c.http };
  if (c.tcp !== undefined) out.tcp = { ...c.tcp };
  if (c.exec !== undefined) out.exec = structuredClone(c.exec);
  out.intervalSeconds = c.intervalSeconds;
  out.timeoutSeconds = c.timeoutSeconds;
  out.delaySeconds = c.delaySeconds;
  return out;
}
