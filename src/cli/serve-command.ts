import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LevelWithSilent } from 'pino';
import { DEFAULT_HTTP_REALM, parseHttpCredentials, type BasicCredentials } from '../api/http/auth.js';
import { parseAllowedOrigins } from '../api/http/request-guard.js';
import type { MediaType } from '../mesos/codec.js';
import { createLogger } from '../log.js';
import { startPacer, type PacerSettings, type ZkStorageLimits, type ZkTimeouts } from '../pacer.js';
import type { StoreLocation } from '../state/open-store.js';
import type { Logger } from 'pino';
import { parseDurationMs } from './duration.js';
import { FlagError, num, str, type FlagSpec, type FlagValues } from './flags.js';
import { SERVE_FLAGS } from './specs.js';
import { untilSignal } from './signals.js';
import { exitIfStillRunning } from './exit-guard.js';

const CONTENT_TYPES: Record<string, MediaType> = {
  json: 'application/json',
  protobuf: 'application/x-protobuf',
};

async function mesosCredentials(values: FlagValues): Promise<PacerSettings['mesosCredentials']> {
  const principal = str(values, 'mesos_authentication_principal');
  if (principal === undefined) return undefined;
  const file = str(values, 'mesos_authentication_secret_file');
  const inline = str(values, 'mesos_authentication_secret');
  if (file === undefined && inline !== undefined) return { principal, secret: inline };
  if (file === undefined) {
    throw new FlagError('--mesos_authentication_principal needs --mesos_authentication_secret_file (or --mesos_authentication_secret)');
  }
  const secret = (await readFile(file, 'utf8')).trim();
  return { principal, secret };
}

export async function settingsFromFlags(values: FlagValues): Promise<PacerSettings> {
  const contentType = CONTENT_TYPES[str(values, 'mesos_content_type') ?? 'json'];
  if (contentType === undefined) throw new FlagError("--mesos_content_type must be 'json' or 'protobuf'");
  const httpAddress = str(values, 'http_address') ?? '127.0.0.1';
  const wildcard = httpAddress === '0.0.0.0' || httpAddress === '::';
  return {
    master: str(values, 'master') ?? 'local',
    zk: str(values, 'zk'),
    disableHa: values.ha === false,
    httpAddress,
    httpPort: num(values, 'http_port') ?? 8080,
    // Bound to one address, that address is how others reach us; bound to all, the hostname is.
    hostname: str(values, 'hostname') ?? (wildcard ? os.hostname() : httpAddress),
    webuiUrl: str(values, 'webui_url'),
    frameworkName: str(values, 'framework_name') ?? 'pacer',
    mesosRole: str(values, 'mesos_role') ?? '*',
    mesosUser: str(values, 'mesos_user') ?? os.userInfo().username,
    failoverTimeoutSeconds: num(values, 'failover_timeout') ?? 604800,
    checkpoint: values.checkpoint !== false,
    mesosCredentials: await mesosCredentials(values),
    mesosContentType: contentType,
    reconciliationIntervalMs: num(values, 'reconciliation_interval') ?? 600000,
    taskLaunchTimeoutMs: num(values, 'task_launch_timeout') ?? 300000,
    local: {
      agents: num(values, 'agents') ?? 3,
      simulatedAgents: num(values, 'simulated_agents') ?? 0,
      agentResources: str(values, 'agent_resources') ?? 'cpus:4;mem:8192;disk:20000;ports:[31000-32000]',
      agentAttributes: str(values, 'agent_attributes'),
      // Sandboxes outlive tasks and restarts: by default they live beside the state, not in /tmp.
      workDir: str(values, 'work_dir') ?? path.resolve(str(values, 'data_dir') ?? './data', 'work'),
      gcDelayMs: parseDurationMs(str(values, 'gc_delay') ?? '1weeks', 's', 'gc_delay'),
    },
    store: storeLocationFromFlags(values),
    zkTimeouts: zkTimeoutsFromFlags(values),
    zkStorage: zkStorageFromFlags(values),
    features: features(values),
    ...(str(values, 'default_network_name') !== undefined ? { defaultNetworkName: str(values, 'default_network_name')! } : {}),
    declineOfferDurationMs: num(values, 'decline_offer_duration') ?? 120000,
    maxInstancesPerOffer: num(values, 'max_instances_per_offer') ?? 5,
    localPortRange: localPortRange(values),
    maxRunningDeployments: num(values, 'max_running_deployments') ?? 100,
    zkMaxVersions: num(values, 'zk_max_versions') ?? 50,
    acceptedResourceRolesDefault: oneOf(values, 'accepted_resource_roles_default_behavior', ['any', 'reserved', 'unreserved'] as const, 'any'),
    gpuSchedulingBehavior: oneOf(values, 'gpu_scheduling_behavior', ['restricted', 'unrestricted'] as const, 'restricted'),
    maintenanceMode: values.maintenance_mode !== false,
    drainingSeconds: num(values, 'draining_seconds') ?? 0,
    killRetryTimeoutMs: num(values, 'kill_retry_timeout') ?? 10000,
    ...(str(values, 'metrics_name_prefix') !== undefined ? { metricsNamePrefix: metricPrefix(str(values, 'metrics_name_prefix')!) } : {}),
    metricsPrometheus: values.metrics_prometheus !== false,
    newGroupEnforceRole: oneOf(values, 'new_group_enforce_role', ['off', 'top'] as const, 'off') === 'top',
    minReviveOffersIntervalMs: num(values, 'min_revive_offers_interval') ?? 5000,
    ...(str(values, 'env_vars_prefix') !== undefined ? { envVarsPrefix: str(values, 'env_vars_prefix')! } : {}),
    ...(str(values, 'mesos_leader_ui_url') !== undefined ? { mesosLeaderUiUrl: str(values, 'mesos_leader_ui_url')! } : {}),
    infoConfig: infoConfig(values, SERVE_FLAGS),
    ...(str(values, 'http_credentials') !== undefined ? { httpCredentials: credentialsFlag(str(values, 'http_credentials')!) } : {}),
    httpRealm: str(values, 'http_realm') ?? DEFAULT_HTTP_REALM,
    ...(str(values, 'access_control_allow_origin') !== undefined ? { allowedOrigins: parseAllowedOrigins(str(values, 'access_control_allow_origin')!) } : {}),
    ...(await tlsFlags(values)),
  };
}

/** `--zk` and `--data_dir`: where the state store lives. */
export function storeLocationFromFlags(values: FlagValues): StoreLocation {
  return { zk: str(values, 'zk'), dataDir: str(values, 'data_dir') };
}

/**
 * Marathon's ZooKeeper timeout flags, in ms, when the build defines them (`--zk_session_timeout`,
 * `--zk_timeout`, `--zk_connection_timeout`); unset ones keep the store's and election's defaults.
 */
export function zkTimeoutsFromFlags(values: FlagValues): ZkTimeouts {
  const timeouts: ZkTimeouts = {};
  const session = num(values, 'zk_session_timeout');
  const operation = num(values, 'zk_timeout');
  const connect = num(values, 'zk_connection_timeout');
  if (session !== undefined) timeouts.sessionTimeoutMs = session;
  if (operation !== undefined) timeouts.operationTimeoutMs = operation;
  if (connect !== undefined) timeouts.connectTimeoutMs = connect;
  return timeouts;
}

/**
 * Marathon's ZooKeeper value flags: values whose JSON is longer than `--zk_compression_threshold`
 * are gzip-compressed unless `--disable_zk_compression`, and a node larger than
 * `--zk_max_node_size` is refused. Records are read whichever way they were written.
 */
export function zkStorageFromFlags(values: FlagValues): ZkStorageLimits {
  const threshold = num(values, 'zk_compression_threshold') ?? 64 * 1024;
  return {
    compressionThresholdBytes: values.zk_compression === false ? Number.POSITIVE_INFINITY : threshold,
    maxNodeBytes: num(values, 'zk_max_node_size') ?? 1_024_000,
  };
}

/** `--metrics_name_prefix` must make valid Prometheus names; a bad one fails the start. */
function metricPrefix(raw: string): string {
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(raw)) throw new FlagError(`--metrics_name_prefix '${raw}': use letters, digits, _ and :, not starting with a digit`);
  return raw;
}

/** Marathon's `--enable_features`; an unknown feature fails the start as in Marathon. */
const KNOWN_FEATURES = new Set(['vips', 'task_killing', 'external_volumes', 'secrets', 'gpu_resources', 'maintenance_mode']);

function features(values: FlagValues): ReadonlySet<string> {
  const raw = str(values, 'enable_features');
  if (raw === undefined) return new Set();
  const list = raw
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  const unknown = list.filter((f) => !KNOWN_FEATURES.has(f));
  if (unknown.length > 0) {
    throw new FlagError(`--enable_features: unknown features ${unknown.join(', ')}; known: ${[...KNOWN_FEATURES].join(', ')}`);
  }
  return new Set(list);
}

function localPortRange(values: FlagValues): { min: number; max: number } {
  const min = num(values, 'local_port_min') ?? 10000;
  const max = num(values, 'local_port_max') ?? 20000;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min >= max) {
    throw new FlagError(`--local_port_min (${min}) must be below --local_port_max (${max}), both in 1..65535`);
  }
  return { min, max };
}

function oneOf<T extends string>(values: FlagValues, name: string, allowed: readonly T[], fallback: T): T {
  const raw = str(values, name) ?? fallback;
  const found = allowed.find((a) => a === raw.toLowerCase());
  if (found === undefined) throw new FlagError(`--${name} must be one of ${allowed.join(', ')}, got '${raw}'`);
  return found;
}

/** Values of flags /v2/info shows, by section and key, as Marathon shows them. */
export function infoConfig(values: FlagValues, specs: readonly FlagSpec[]): Record<string, Record<string, unknown>> {
  const sections: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) {
    if (spec.info === undefined || values[spec.name] === undefined) continue;
    const [section, key] = spec.info.split('.') as [string, string];
    (sections[section] ??= {})[key] = values[spec.name];
  }
  return sections;
}

/** Marathon flags given on this start that Pacer accepts but does not act on. */
export function inertFlagsGiven(values: FlagValues, specs: readonly FlagSpec[], given: ReadonlySet<string>): FlagSpec[] {
  return specs.filter((s) => s.effect === false && given.has(s.name) && values[s.name] !== undefined);
}

function credentialsFlag(raw: string): BasicCredentials {
  try {
    return parseHttpCredentials(raw);
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
}

/**
 * Marathon's HttpConf: with a certificate, HTTPS on `--https_port` (at `--https_address`, default
 * `--http_address`) beside plain HTTP on `--http_port`, which `--disable_http` turns off. Like
 * Marathon, a configuration that would serve nothing (`--disable_http` without HTTPS) fails the start.
 */
async function tlsFlags(values: FlagValues): Promise<Pick<PacerSettings, 'tls' | 'httpsPort' | 'httpsAddress' | 'disableHttp'>> {
  const certFile = str(values, 'ssl_cert_file');
  const keyFile = str(values, 'ssl_key_file');
  const disableHttp = values.disable_http === true;
  if (certFile === undefined && keyFile === undefined) {
    if (str(values, 'ssl_ca_file') !== undefined) throw new FlagError('--ssl_ca_file goes with --ssl_cert_file and --ssl_key_file');
    if (disableHttp) throw new FlagError('--disable_http needs HTTPS (--ssl_cert_file and --ssl_key_file): neither HTTP nor HTTPS would be served');
    return {};
  }
  if (certFile === undefined || keyFile === undefined) {
    throw new FlagError('--ssl_cert_file and --ssl_key_file go together');
  }
  const caFile = str(values, 'ssl_ca_file');
  return {
    tls: { cert: await readFile(certFile), key: await readFile(keyFile), ...(caFile !== undefined ? { ca: await readFile(caFile) } : {}) },
    httpsPort: num(values, 'https_port') ?? 8443,
    ...(str(values, 'https_address') !== undefined ? { httpsAddress: str(values, 'https_address')! } : {}),
    disableHttp,
  };
}

/** One warning naming every Marathon flag given that Pacer accepts without acting on it. */
function warnInertFlags(logger: Logger, inert: readonly FlagSpec[]): void {
  if (inert.length === 0) return;
  logger.warn(
    { flags: inert.map((s) => s.name), why: Object.fromEntries(inert.map((s) => [s.name, s.why ?? 'not applicable'])) },
    `Marathon flags accepted without effect in Pacer: ${inert.map((s) => `--${s.name}`).join(', ')}`,
  );
}

/** Marathon's `--logging_level` takes Logback names (`warn`, `WARN`, `all`, `off`). */
function logLevel(raw: string): LevelWithSilent {
  const lowered = raw.toLowerCase();
  if (lowered === 'off') return 'silent';
  if (lowered === 'all') return 'trace';
  return lowered as LevelWithSilent;
}

/** `pacer` / `pacer serve`: the scheduler, until SIGINT/SIGTERM or lost leadership. */
export async function runServe(values: FlagValues, given: ReadonlySet<string> = new Set()): Promise<number> {
  const level = given.has('logging_level') && !given.has('log_level') ? str(values, 'logging_level') : str(values, 'log_level');
  const logger = createLogger(logLevel(level ?? 'info'));
  warnInertFlags(logger, inertFlagsGiven(values, SERVE_FLAGS, given));
  const settings = await settingsFromFlags(values);
  const pacer = await startPacer(settings, logger);
  const outcome = await Promise.race([
    untilSignal().then((signal) => ({ signal, reason: undefined })),
    pacer.finished.then((reason) => ({ signal: undefined, reason })),
  ]);
  logger.info(outcome, 'shutting down');
  await pacer.close();
  const code = outcome.reason === undefined ? 0 : 1;
  exitIfStillRunning(logger, code);
  return code;
}
