/**
 * `GET /v2/info` (api/v2/InfoResource.scala): identity, leadership, framework id and the
 * configuration Marathon reports. Keys Pacer has no flag for carry Marathon's defaults, so
 * tools reading them see the values a stock Marathon would show.
 */
import type { FrameworkStatus } from '../../scheduler/contracts.js';

export interface InfoOptions {
  /** Version string reported as `version`. */
  version: string;
  /** `host:port` this instance serves on (the leader's address when it leads). */
  leaderHostPort: string;
  httpPort: number;
  httpsPort?: number;
  frameworkName: string;
  /** `--master` as given (host:port list or zk:// URL). */
  master: string;
  /** `--zk`, when state lives in ZooKeeper. */
  zk?: string | undefined;
  hostname: string;
  webuiUrl?: string | undefined;
  /** Seconds. */
  failoverTimeout: number;
  checkpoint: boolean;
  mesosRole: string;
  mesosUser?: string | undefined;
  /** Milliseconds. */
  reconciliationInterval: number;
  /** Milliseconds. */
  taskLaunchTimeout: number;
  ha: boolean;
  features?: readonly string[];
  defaultNetworkName?: string | undefined;
  /** `--access_control_allow_origin`, parsed; null in Marathon's answer when not given. */
  allowedOrigins?: readonly string[] | undefined;
  /** `--mesos_leader_ui_url`; default: derived from the master Pacer is subscribed to. */
  mesosLeaderUiUrl?: string;
  /** Flag values as given, by section (`marathon_config`, `zookeeper_config`, `http_config`) and key. */
  config?: Record<string, Record<string, unknown>>;
}

export interface InfoState {
  elected: boolean;
  leaderHostPort: string | undefined;
  framework: FrameworkStatus;
}

/** Marathon hides credentials in connection strings before showing them. */
export function redactCredentials(connection: string): string {
  return connection.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/]+)@/i, (_all, scheme: string, userInfo: string) => {
    const masked = userInfo
      .split(':')
      .map(() => 'xxxxxxxx')
      .join(':');
    return `${scheme}${masked}@`;
  });
}

/** `http://host:port/` of the Mesos master Pacer is subscribed to, if known. */
export function mesosLeaderUiUrl(master: string | undefined): string | null {
  if (master === undefined || master.length === 0) return null;
  try {
    const url = new URL(master.includes('://') ? master : `http://${master}`);
    return `${url.protocol}//${url.host}/`;
  } catch {
    return null;
  }
}

export function renderInfo(opts: InfoOptions, state: InfoState): Record<string, unknown> {
  const marathonConfig: Record<string, unknown> = {
    access_control_allow_origin: opts.allowedOrigins === undefined ? null : [...opts.allowedOrigins],
    checkpoint: opts.checkpoint,
    decline_offer_duration: 120000,
    default_network_name: opts.defaultNetworkName ?? null,
    env_vars_prefix: null,
    executor: '//cmd',
    failover_timeout: opts.failoverTimeout,
    framework_name: opts.frameworkName,
    ha: opts.ha,
    hostname: opts.hostname,
    launch_token: 100,
    launch_token_refresh_interval: 30000,
    leader_proxy_connection_timeout_ms: 5000,
    leader_proxy_read_timeout_ms: 10000,
    local_port_max: 20000,
    local_port_min: 10000,
    master: redactCredentials(opts.master),
    max_instances_per_offer: 5,
    mesos_bridge_name: 'mesos-bridge',
    mesos_heartbeat_failure_threshold: 5,
    mesos_heartbeat_interval: 15000,
    mesos_leader_ui_url: opts.mesosLeaderUiUrl ?? mesosLeaderUiUrl(state.framework.master),
    mesos_role: opts.mesosRole,
    mesos_user: opts.mesosUser ?? null,
    new_group_enforce_role: 'off',
    min_revive_offers_interval: 5000,
    offer_matching_timeout: 3000,
    on_elected_prepare_timeout: 180000,
    reconciliation_initial_delay: 15000,
    reconciliation_interval: opts.reconciliationInterval,
    scale_apps_initial_delay: 15000,
    scale_apps_interval: 300000,
    store_cache: true,
    task_launch_confirm_timeout: 300000,
    task_launch_timeout: opts.taskLaunchTimeout,
    task_lost_expunge_initial_delay: 300000,
    task_lost_expunge_interval: 30000,
    task_reservation_timeout: 20000,
    webui_url: opts.webuiUrl ?? null,
    maintenance_mode: true,
    ...opts.config?.['marathon_config'],
    // Rendered from the parsed list, not the raw flag text.
    features: [...(opts.features ?? [])],
  };
  return {
    name: 'marathon',
    version: opts.version,
    buildref: 'pacer',
    elected: state.elected,
    leader: state.leaderHostPort ?? null,
    frameworkId: state.framework.frameworkId ?? null,
    marathon_config: marathonConfig,
    zookeeper_config: {
      zk: opts.zk === undefined ? null : redactCredentials(opts.zk),
      zk_compression: true,
      zk_compression_threshold: 65536,
      zk_connection_timeout: 10000,
      zk_max_node_size: 1024000,
      zk_max_versions: 50,
      zk_session_timeout: 10000,
      zk_timeout: 10000,
      ...opts.config?.['zookeeper_config'],
    },
    // The bound ports win over the flags as given (`--https_port 0` picks a free one).
    http_config: {
      https_port: 8443,
      ...opts.config?.['http_config'],
      http_port: opts.httpPort,
      ...(opts.httpsPort !== undefined ? { https_port: opts.httpsPort } : {}),
    },
  };
}
