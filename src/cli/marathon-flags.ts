/**
 * Marathon 1.11's command line (`AllConf`: MarathonConf, HttpConf, ZookeeperConf, EventConf,
 * MetricsConf, DebugConf, FeaturesConf, StorageConf, …) beyond the flags Pacer had already.
 * Names, defaults and units are Marathon's. A flag marked `effect: false` is accepted so that a
 * Marathon command line starts Pacer, shown in /v2/info as Marathon shows it, and named in one
 * start-up warning; `why` says why it does nothing here.
 */
import type { FlagSpec } from './flags.js';

type Row = [
  name: string,
  kind: FlagSpec['kind'],
  fallback: string | number | boolean | undefined,
  value: string | undefined,
  description: string,
  extra?: Partial<FlagSpec>,
];

const NO_JVM = 'Pacer is no JVM/Akka process';
const NO_PLUGINS = 'Pacer has no plugin interface';

function spec([name, kind, fallback, value, description, extra]: Row, more?: Partial<FlagSpec>): FlagSpec {
  return {
    name,
    kind,
    description,
    ...(fallback !== undefined ? { default: fallback } : {}),
    ...(value !== undefined ? { value } : {}),
    ...extra,
    ...more,
  };
}

function inert(row: Row, why: string, more?: Partial<FlagSpec>): FlagSpec {
  return { ...spec(row, more), effect: false, why };
}

/** Marathon toggles: `--name`, `--disable_name` (and `--noname`). */
const toggle = { negation: 'disable_' } as const;

/** Marathon flags that change what Pacer does. */
export const MARATHON_EFFECT_FLAGS: readonly FlagSpec[] = [
  spec(
    [
      'enable_features',
      'string',
      undefined,
      'FEATURE,…',
      'Comma-separated Marathon features: secrets, gpu_resources, external_volumes, vips, task_killing, maintenance_mode',
    ],
    { info: 'marathon_config.features' },
  ),
  spec(['default_network_name', 'string', undefined, 'NAME', 'Network name for container networks given without one'], {
    info: 'marathon_config.default_network_name',
  }),
  spec(['decline_offer_duration', 'number', 120000, 'MS', 'Milliseconds Mesos holds back an offer Pacer declined for lack of work'], {
    info: 'marathon_config.decline_offer_duration',
  }),
  spec(['max_instances_per_offer', 'number', 5, 'N', 'Most instances launched on one agent per matching round'], {
    info: 'marathon_config.max_instances_per_offer',
  }),
  spec(['local_port_min', 'number', 10000, 'PORT', 'Lowest service port Pacer assigns'], { info: 'marathon_config.local_port_min' }),
  spec(['local_port_max', 'number', 20000, 'PORT', 'Highest service port Pacer assigns'], { info: 'marathon_config.local_port_max' }),
  spec(['max_running_deployments', 'number', 100, 'N', 'Deployments that may run at once; more are refused with 403']),
  spec(['zk_max_versions', 'number', 50, 'N', 'Versions kept per app and of the root group'], { info: 'zookeeper_config.zk_max_versions' }),
  spec(['accepted_resource_roles_default_behavior', 'string', 'any', 'any|reserved|unreserved', 'Resources an app without acceptedResourceRoles may use']),
  spec(['gpu_scheduling_behavior', 'string', 'restricted', 'restricted|unrestricted', 'Whether apps without GPUs may land on GPU agents']),
  spec([
    'maintenance_mode',
    'boolean',
    true,
    undefined,
    'Decline offers of agents in a maintenance window',
    { ...toggle, info: 'marathon_config.maintenance_mode' },
  ]),
  spec(['draining_seconds', 'number', 0, 'SECONDS', 'Seconds before a maintenance window from which an agent gets no new tasks']),
  spec(['min_revive_offers_interval', 'number', 5000, 'MS', 'Least time between REVIVE calls; a later one waits'], {
    info: 'marathon_config.min_revive_offers_interval',
  }),
  spec(['env_vars_prefix', 'string', undefined, 'PREFIX', 'Prefix of the PORT/HOST variables in task environments'], {
    info: 'marathon_config.env_vars_prefix',
  }),
  spec(['new_group_enforce_role', 'string', 'off', 'off|top', 'enforceRole of top-level groups created without one: top sets it, off leaves it false'], {
    info: 'marathon_config.new_group_enforce_role',
  }),
  spec(['metrics_prometheus', 'boolean', true, undefined, 'Serve /metrics/prometheus (404 with --disable_metrics_prometheus)', toggle]),
  spec(['zk_timeout', 'number', 10000, 'MS', 'Milliseconds a ZooKeeper operation may take'], { info: 'zookeeper_config.zk_timeout' }),
  spec(['zk_connection_timeout', 'number', 10000, 'MS', 'Milliseconds to connect to ZooKeeper'], { info: 'zookeeper_config.zk_connection_timeout' }),
  spec(['zk_compression', 'boolean', true, undefined, 'Compress ZooKeeper nodes', toggle], { info: 'zookeeper_config.zk_compression' }),
  spec(['zk_compression_threshold', 'number', 65536, 'BYTES', 'Smallest node that is compressed'], { info: 'zookeeper_config.zk_compression_threshold' }),
  spec(['zk_max_node_size', 'number', 1024000, 'BYTES', 'Largest ZooKeeper node'], { info: 'zookeeper_config.zk_max_node_size' }),
  spec(['metrics_name_prefix', 'string', undefined, 'PREFIX', "First part of every metric name (Pacer's default: pacer; Marathon's: marathon)"]),
  spec(['kill_retry_timeout', 'number', 10000, 'MS', 'Milliseconds between KILLs of a task that is not terminal yet']),
  spec(['mesos_leader_ui_url', 'string', undefined, 'URL', 'Mesos UI link shown in /v2/info (default: the master Pacer is subscribed to)'], {
    info: 'marathon_config.mesos_leader_ui_url',
  }),
  spec([
    'mesos_authentication_secret',
    'string',
    undefined,
    'SECRET',
    'Secret of --mesos_authentication_principal, inline (prefer --mesos_authentication_secret_file)',
  ]),
  spec(['logging_level', 'string', undefined, 'LEVEL', "Same as --log_level (Marathon's name)"]),
  spec(['https_port', 'number', 8443, 'PORT', 'Port of the HTTPS listener (with --ssl_cert_file and --ssl_key_file)'], { info: 'http_config.https_port' }),
  spec(['https_address', 'string', undefined, 'ADDRESS', 'Address of the HTTPS listener (default: --http_address)']),
  spec(['disable_http', 'boolean', false, undefined, 'Serve HTTPS only: no plain HTTP listener on --http_port (needs --ssl_cert_file)']),
  spec(['ha', 'boolean', true, undefined, 'Leader election among Pacers sharing --zk; --disable_ha runs without it', toggle]),
];

/** Marathon flags Pacer accepts without an effect, with the reason. */
export const MARATHON_INERT_FLAGS: readonly FlagSpec[] = [
  // MarathonConf
  inert(['executor', 'string', '//cmd', 'EXECUTOR', 'Default executor'], 'Pacer launches command and container tasks only'),
  inert(['http_max_concurrent_requests', 'number', undefined, 'N', 'Concurrent HTTP requests before 503'], 'not implemented yet'),
  inert(
    ['default_accepted_resource_roles', 'string', undefined, 'ROLES', 'Deprecated default of acceptedResourceRoles'],
    'deprecated in Marathon; use --accepted_resource_roles_default_behavior',
  ),
  inert(['graceful_shutdown_timeout', 'number', 45000, 'MS', 'Milliseconds to wait for a clean shutdown'], 'Pacer shuts down as soon as its work is persisted'),
  inert(['task_launch_confirm_timeout', 'number', 300000, 'MS', 'Milliseconds to wait for a TASK_STAGING'], 'covered by --task_launch_timeout'),
  inert(['task_reservation_timeout', 'number', 20000, 'MS', 'Milliseconds to wait for a reservation'], 'Pacer makes no reservations (no resident apps)'),
  inert(
    ['reconciliation_initial_delay', 'number', 15000, 'MS', 'Milliseconds before the first periodic reconciliation'],
    'Pacer reconciles on every subscription',
  ),
  inert(['scale_apps_initial_delay', 'number', 15000, 'MS', 'Milliseconds before the first scale check'], 'Pacer scales on every change, no periodic check'),
  inert(['scale_apps_interval', 'number', 300000, 'MS', 'Milliseconds between scale checks'], 'Pacer scales on every change, no periodic check'),
  inert(
    ['mesos_authentication', 'boolean', false, undefined, 'Authenticate with Mesos', toggle],
    'Pacer authenticates whenever --mesos_authentication_principal is given',
  ),
  inert(['max_apps', 'number', undefined, 'N', 'Most apps Marathon accepts'], 'not implemented yet'),
  inert(['on_elected_prepare_timeout', 'number', 180000, 'MS', 'Milliseconds a new leader may take to load its state'], 'not implemented yet'),
  inert(['leader_election_backend', 'string', 'curator', 'BACKEND', 'Leader election implementation'], 'Pacer has one ZooKeeper election'),
  inert(['mesos_heartbeat_interval', 'number', 15000, 'MS', 'Heartbeat expected from Mesos'], 'Pacer uses the interval the master announces'),
  inert(['mesos_heartbeat_failure_threshold', 'number', 5, 'N', 'Missed heartbeats before reconnecting'], 'Pacer uses a fixed threshold'),
  inert(['max_concurrent_marathon_health_checks', 'number', 256, 'N', 'Marathon-run health checks at once'], 'Pacer uses a fixed limit'),
  // HttpConf
  inert(
    ['ssl_keystore_path', 'string', undefined, 'FILE', 'Java keystore of the HTTPS certificate'],
    'Pacer needs PEM files: convert with `openssl pkcs12 -in store.p12 -nokeys -out cert.pem` and `-nocerts -nodes -out key.pem`, then pass --ssl_cert_file and --ssl_key_file',
  ),
  inert(
    ['ssl_keystore_password', 'string', undefined, 'PASSWORD', 'Password of --ssl_keystore_path'],
    'Pacer needs PEM files (--ssl_cert_file, --ssl_key_file)',
  ),
  inert(['http_compression', 'boolean', true, undefined, 'Compress HTTP answers', toggle], 'Pacer answers uncompressed'),
  inert(['assets_path', 'string', undefined, 'DIR', 'Directory of UI assets'], 'Pacer ships its own UI'),
  // LeaderProxyConf
  inert(['leader_proxy_max_open_connections', 'number', 64, 'N', 'Connections to the leader'], 'fixed in Pacer'),
  inert(['leader_proxy_connection_timeout', 'number', 5000, 'MS', 'Connect timeout to the leader'], 'fixed in Pacer'),
  inert(['leader_proxy_read_timeout', 'number', 10000, 'MS', 'Read timeout from the leader'], 'fixed in Pacer'),
  inert(['leader_proxy_ssl_ignore_hostname', 'boolean', false, undefined, 'Skip hostname checks to the leader'], 'fixed in Pacer'),
  // ZookeeperConf, StorageConf
  inert(['zk_operation_max_retries', 'number', 5, 'N', 'Retries of a ZooKeeper operation'], 'not implemented yet'),
  inert(['zk_operation_base_retry_sleep_ms', 'number', 10, 'MS', 'Base sleep between ZooKeeper retries'], 'not implemented yet'),
  inert(['zk_max_concurrency', 'number', 32, 'N', 'ZooKeeper operations at once'], 'not implemented yet'),
  inert(['internal_store_backend', 'string', 'zk', 'BACKEND', 'Storage backend'], 'Pacer picks ZooKeeper with --zk, else the embedded store'),
  inert(['store_cache', 'boolean', true, undefined, 'Cache the store in memory', toggle], 'Pacer always keeps its state in memory', {
    info: 'marathon_config.store_cache',
  }),
  inert(['internal_version_caching', 'boolean', true, undefined, 'Cache versions in memory', toggle], 'Pacer always keeps its state in memory'),
  inert(['storage_compaction_interval', 'number', 30, 'SECONDS', 'Seconds between storage compactions'], 'Pacer prunes versions as it writes them'),
  inert(['storage_compaction_scan_batch_size', 'number', 32, 'N', 'Keys per compaction scan'], 'Pacer prunes versions as it writes them'),
  inert(['group_versions_cache_size', 'number', 1000, 'N', 'Cached root group versions'], 'Pacer always keeps its state in memory'),
  inert(['storage_execution_context_size', 'number', undefined, 'N', 'Storage threads'], NO_JVM),
  inert(['backup_location', 'string', undefined, 'URI', 'Where to back up the state on leader abdication'], 'not implemented yet'),
  // Offers and launching
  inert(['suppress_offers', 'boolean', true, undefined, 'SUPPRESS offers when nothing waits', toggle], 'Pacer always suppresses when nothing waits'),
  inert(['mesos_offer_constraints', 'boolean', false, undefined, 'Send offer constraints to Mesos', toggle], 'not implemented yet'),
  inert(['min_mesos_offer_constraints_update_interval', 'number', 1000, 'MS', 'Least time between offer constraint updates'], 'not implemented yet'),
  inert(['offer_matching_timeout', 'number', 3000, 'MS', 'Milliseconds a matching round may take'], 'Pacer matches a round at once, no timeout'),
  inert(['max_parallel_offers', 'number', undefined, 'N', 'Offers matched at once'], NO_JVM),
  inert(['max_queued_offers', 'number', 1024, 'N', 'Offers queued for matching'], NO_JVM),
  inert(['launch_tokens', 'number', 100, 'N', 'Launches per token refresh'], 'Pacer pauses launches while status-update ACKs are 3 s behind instead'),
  inert(
    ['launch_token_refresh_interval', 'number', 30000, 'MS', 'Milliseconds between launch token refreshes'],
    'Pacer pauses launches while status-update ACKs are 3 s behind instead',
  ),
  inert(['launch_queue_request_timeout', 'number', 3000, 'MS', 'Launch queue actor timeout'], NO_JVM),
  inert(['task_operation_notification_timeout', 'number', 30000, 'MS', 'Launch queue notification timeout'], NO_JVM),
  inert(
    ['task_lost_expunge_interval', 'number', 30000, 'MS', 'Milliseconds between checks of unreachable instances'],
    'Pacer checks unreachable instances every second',
    { info: 'marathon_config.task_lost_expunge_interval' },
  ),
  inert(
    ['task_lost_expunge_initial_delay', 'number', 300000, 'MS', 'Milliseconds before the first unreachable check'],
    'Pacer checks from the start, every --task_lost_expunge_interval',
    { info: 'marathon_config.task_lost_expunge_initial_delay' },
  ),
  inert(['kill_chunk_size', 'number', 100, 'N', 'KILLs in flight at once'], 'not implemented yet'),
  inert(['killsPerBatch', 'number', 100, 'N', 'Kills per deployment batch'], NO_JVM),
  inert(['killBatchDuration', 'number', undefined, 'MS', 'Duration of a kill batch'], NO_JVM),
  inert(['mesos_bridge_name', 'string', 'mesos-bridge', 'NAME', 'Name of the Mesos bridge network'], 'Pacer runs no container networks itself', {
    info: 'marathon_config.mesos_bridge_name',
  }),
  // Events, tracker, timeouts of Marathon's actors
  inert(['event_stream_max_outstanding_messages', 'number', 1024, 'N', 'Events buffered per slow SSE client'], 'not implemented yet'),
  inert(['deployment_manager_request_timeout', 'number', 1000, 'MS', 'Deployment actor timeout'], NO_JVM),
  inert(['max_queued_root_group_updates', 'number', 500, 'N', 'Queued root group updates'], NO_JVM),
  inert(['group_manager_request_timeout', 'number', 10000, 'MS', 'Group manager timeout'], NO_JVM),
  inert(['group_manager_execution_context_size', 'number', undefined, 'N', 'Group manager threads'], NO_JVM),
  inert(['app_info_module_execution_context_size', 'number', undefined, 'N', 'App info threads'], NO_JVM),
  inert(['default_info_service_execution_context_size', 'number', undefined, 'N', 'Info service threads'], NO_JVM),
  inert(['task_tracker_request_timeout', 'number', 10000, 'MS', 'Instance tracker timeout'], NO_JVM),
  inert(['task_update_request_timeout', 'number', 10000, 'MS', 'Instance update timeout'], NO_JVM),
  inert(['instance_tracker_num_parallel_updates', 'number', 16, 'N', 'Parallel instance updates'], NO_JVM),
  inert(['instance_tracker_num_parallel_loads', 'number', 16, 'N', 'Parallel instance loads'], NO_JVM),
  inert(['instance_tracker_update_queue_size', 'number', 4096, 'N', 'Queued instance updates'], NO_JVM),
  inert(['max_parallel_status_updates', 'number', 20, 'N', 'Status updates processed at once'], NO_JVM),
  inert(['max_queued_status_updates', 'number', 10000, 'N', 'Queued status updates'], NO_JVM),
  inert(['max_actor_startup_time', 'number', 10000, 'MS', 'Actor start-up timeout'], NO_JVM),
  inert(['scheduler_actions_execution_context_size', 'number', undefined, 'N', 'Scheduler action threads'], NO_JVM),
  // FeaturesConf, PluginManagerConfiguration
  inert(['deprecated_features', 'string', undefined, 'FEATURE,…', 'Deprecated features to keep enabled'], 'Pacer implements none of them'),
  inert(['plugin_dir', 'string', undefined, 'DIR', 'Directory of Marathon plugins'], NO_PLUGINS),
  inert(['plugin_conf', 'string', undefined, 'FILE', 'Marathon plugin configuration'], NO_PLUGINS),
  // DebugConf, MetricsConf
  inert(['metrics', 'boolean', false, undefined, 'Deprecated switch of the metrics', toggle], 'Pacer always serves /metrics'),
  inert(['logstash', 'string', undefined, 'URI', 'Send logs to Logstash'], 'Pacer logs JSON to stdout; ship it with your log collector'),
  inert(['sentry', 'string', undefined, 'URI', 'Send errors to Sentry'], 'Pacer logs JSON to stdout; ship it with your log collector'),
  inert(['sentry_tags', 'string', undefined, 'TAGS', 'Sentry tags'], 'Pacer logs JSON to stdout; ship it with your log collector'),
  inert(['metrics_histogram_reservoir_highest_trackable_value', 'number', 3600000000000, 'N', 'Histogram range'], 'Pacer uses prom-client histograms'),
  inert(['metrics_histogram_reservoir_significant_digits', 'number', 3, 'N', 'Histogram precision'], 'Pacer uses prom-client histograms'),
  inert(
    ['metrics_histogram_reservoir_reset_periodically', 'boolean', true, undefined, 'Reset histograms periodically', toggle],
    'Pacer uses prom-client histograms',
  ),
  inert(['metrics_histogram_reservoir_resetting_interval_ms', 'number', 5000, 'MS', 'Histogram reset interval'], 'Pacer uses prom-client histograms'),
  inert(['metrics_histogram_reservoir_resetting_chunks', 'number', 0, 'N', 'Histogram reset chunks'], 'Pacer uses prom-client histograms'),
  inert(['metrics_statsd', 'boolean', false, undefined, 'Report to StatsD', toggle], 'Pacer serves Prometheus metrics only'),
  inert(['metrics_statsd_host', 'string', undefined, 'HOST', 'StatsD host'], 'Pacer serves Prometheus metrics only'),
  inert(['metrics_statsd_port', 'number', undefined, 'PORT', 'StatsD port'], 'Pacer serves Prometheus metrics only'),
  inert(['metrics_statsd_transmission_interval_ms', 'number', 10000, 'MS', 'StatsD interval'], 'Pacer serves Prometheus metrics only'),
  inert(['metrics_datadog', 'boolean', false, undefined, 'Report to DataDog', toggle], 'Pacer serves Prometheus metrics only'),
  inert(['metrics_datadog_protocol', 'string', 'udp', 'udp|api', 'DataDog protocol'], 'Pacer serves Prometheus metrics only'),
  inert(['metrics_datadog_host', 'string', undefined, 'HOST', 'DataDog host'], 'Pacer serves Prometheus metrics only'),
  inert(['metrics_datadog_port', 'number', undefined, 'PORT', 'DataDog port'], 'Pacer serves Prometheus metrics only'),
  inert(['metrics_datadog_api_key', 'string', undefined, 'KEY', 'DataDog API key'], 'Pacer serves Prometheus metrics only'),
  inert(['metrics_datadog_transmission_interval_ms', 'number', 10000, 'MS', 'DataDog interval'], 'Pacer serves Prometheus metrics only'),
];
