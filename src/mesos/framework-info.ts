import os from 'node:os';
import type { FrameworkInfo, FrameworkInfoCapability, Labels } from './types.js';

/** One week, as Marathon: long enough to survive a weekend outage of the scheduler without losing tasks. */
export const DEFAULT_FAILOVER_TIMEOUT_SECONDS = 7 * 24 * 60 * 60;
export const DEFAULT_FRAMEWORK_NAME = 'pacer';
export const DEFAULT_WEBUI_PORT = 8080;

export interface FrameworkInfoSettings {
  /** `--framework_name`. */
  name?: string;
  /** `--mesos_user`; defaults to the user running Pacer. */
  user?: string;
  /** `--hostname`; defaults to this machine's hostname. */
  hostname?: string;
  /** `--webui_url`; defaults to http(s)://<hostname>:<webuiPort>. */
  webuiUrl?: string;
  webuiPort?: number;
  webuiScheme?: 'http' | 'https';
  /** `--failover_timeout` in seconds. */
  failoverTimeoutSeconds?: number;
  /** `--checkpoint`. */
  checkpoint?: boolean;
  /** `--mesos_role`; one or more roles. */
  roles?: readonly string[];
  /** `--mesos_authentication_principal`. */
  principal?: string;
  /** The stored framework id, when Pacer has registered before. */
  frameworkId?: string;
  labels?: Labels;
  /** Marathon's `--enable_features task_killing`. */
  taskKilling?: boolean;
  /** Marathon's `--enable_features gpu_resources`; without it GPU agents send no offers at all. */
  gpuResources?: boolean;
}

function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry (e.g. an arbitrary uid in a container).
    return process.env['USER'] ?? 'root';
  }
}

/** FrameworkInfo with Marathon's defaults, so Pacer registers the way operators expect. */
export function buildFrameworkInfo(settings: FrameworkInfoSettings = {}): FrameworkInfo {
  const hostname = settings.hostname ?? os.hostname();
  const capabilities: FrameworkInfoCapability[] = [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }, { type: 'REGION_AWARE' }];
  if (settings.taskKilling) capabilities.push({ type: 'TASK_KILLING_STATE' });
  if (settings.gpuResources) capabilities.push({ type: 'GPU_RESOURCES' });

  const info: FrameworkInfo = {
    user: settings.user ?? currentUser(),
    name: settings.name ?? DEFAULT_FRAMEWORK_NAME,
    failover_timeout: settings.failoverTimeoutSeconds ?? DEFAULT_FAILOVER_TIMEOUT_SECONDS,
    checkpoint: settings.checkpoint ?? true,
    roles: [...(settings.roles && settings.roles.length > 0 ? settings.roles : ['*'])],
    hostname,
    webui_url: settings.webuiUrl ?? `${settings.webuiScheme ?? 'http'}://${hostname}:${settings.webuiPort ?? DEFAULT_WEBUI_PORT}`,
    capabilities,
  };
  if (settings.frameworkId) info.id = { value: settings.frameworkId };
  if (settings.principal) info.principal = settings.principal;
  if (settings.labels) info.labels = settings.labels;
  return info;
}
