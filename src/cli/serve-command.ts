import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { LevelWithSilent } from 'pino';
import { DEFAULT_HTTP_REALM, parseHttpCredentials, type BasicCredentials } from '../api/http/auth.js';
import { parseAllowedOrigins } from '../api/http/request-guard.js';
import type { MediaType } from '../mesos/codec.js';
import { createLogger } from '../log.js';
import { startPacer, type PacerSettings, type ZkTimeouts } from '../pacer.js';
import type { StoreLocation } from '../state/open-store.js';
import { bool, FlagError, num, str, type FlagValues } from './flags.js';
import { untilSignal } from './signals.js';

const CONTENT_TYPES: Record<string, MediaType> = {
  json: 'application/json',
  protobuf: 'application/x-protobuf',
};

async function mesosCredentials(values: FlagValues): Promise<PacerSettings['mesosCredentials']> {
  const principal = str(values, 'mesos_authentication_principal');
  if (principal === undefined) return undefined;
  const file = str(values, 'mesos_authentication_secret_file');
  if (file === undefined) {
    throw new FlagError('--mesos_authentication_principal needs --mesos_authentication_secret_file');
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
    disableHa: bool(values, 'disable_ha'),
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
      workDir: str(values, 'work_dir'),
    },
    store: storeLocationFromFlags(values),
    zkTimeouts: zkTimeoutsFromFlags(values),
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

function credentialsFlag(raw: string): BasicCredentials {
  try {
    return parseHttpCredentials(raw);
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
}

async function tlsFlags(values: FlagValues): Promise<{ tls?: { key: Buffer; cert: Buffer; ca?: Buffer } }> {
  const certFile = str(values, 'ssl_cert_file');
  const keyFile = str(values, 'ssl_key_file');
  if (certFile === undefined && keyFile === undefined) {
    if (str(values, 'ssl_ca_file') !== undefined) throw new FlagError('--ssl_ca_file goes with --ssl_cert_file and --ssl_key_file');
    return {};
  }
  if (certFile === undefined || keyFile === undefined) {
    throw new FlagError('--ssl_cert_file and --ssl_key_file go together');
  }
  const caFile = str(values, 'ssl_ca_file');
  return { tls: { cert: await readFile(certFile), key: await readFile(keyFile), ...(caFile !== undefined ? { ca: await readFile(caFile) } : {}) } };
}

/** `pacer` / `pacer serve`: the scheduler, until SIGINT/SIGTERM or lost leadership. */
export async function runServe(values: FlagValues): Promise<number> {
  const logger = createLogger((str(values, 'log_level') ?? 'info') as LevelWithSilent);
  const settings = await settingsFromFlags(values);
  const pacer = await startPacer(settings, logger);
  const outcome = await Promise.race([
    untilSignal().then((signal) => ({ signal, reason: undefined })),
    pacer.finished.then((reason) => ({ signal: undefined, reason })),
  ]);
  logger.info(outcome, 'shutting down');
  await pacer.close();
  return outcome.reason === undefined ? 0 : 1;
}
