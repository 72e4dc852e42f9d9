import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
/**
 * Marathon 1.11's whole command line (issue #14 item 4): every flag of its AllConf is accepted,
 * toggles in all their forms, MARATHON_<FLAG> variables, the flags with an effect reach Pacer's
 * settings, and those without one are named once and shown in /v2/info.
 */
import { describe, expect, it } from 'vitest';
import { FlagError, formatHelp, parseFlags } from '../../src/cli/flags.js';
import { inertFlagsGiven, infoConfig, settingsFromFlags } from '../../src/cli/serve-command.js';
import { MESOS_LOCAL_FLAGS, MESOS_LOCAL_UNITS_NOTE, SERVE_ENV_PREFIXES, SERVE_FLAGS, SERVE_UNITS_NOTE } from '../../src/cli/specs.js';
import { renderInfo } from '../../src/api/render/info.js';

/** Every option and toggle of Marathon 1.11's AllConf (read from its *Conf.scala files). */
const MARATHON_FLAGS: readonly string[] = [
  'accepted_resource_roles_default_behavior',
  'access_control_allow_origin',
  'app_info_module_execution_context_size',
  'assets_path',
  'backup_location',
  'checkpoint',
  'decline_offer_duration',
  'default_accepted_resource_roles',
  'default_info_service_execution_context_size',
  'default_network_name',
  'deployment_manager_request_timeout',
  'deprecated_features',
  'disable_http',
  'draining_seconds',
  'enable_features',
  'env_vars_prefix',
  'event_stream_max_outstanding_messages',
  'executor',
  'failover_timeout',
  'framework_name',
  'gpu_scheduling_behavior',
  'graceful_shutdown_timeout',
  'group_manager_execution_context_size',
  'group_manager_request_timeout',
  'group_versions_cache_size',
  'ha',
  'hostname',
  'http_address',
  'http_compression',
  'http_credentials',
  'http_max_concurrent_requests',
  'http_port',
  'http_realm',
  'https_address',
  'https_port',
  'instance_tracker_num_parallel_loads',
  'instance_tracker_num_parallel_updates',
  'instance_tracker_update_queue_size',
  'internal_store_backend',
  'internal_version_caching',
  'killBatchDuration',
  'kill_chunk_size',
  'kill_retry_timeout',
  'killsPerBatch',
  'launch_queue_request_timeout',
  'launch_token_refresh_interval',
  'launch_tokens',
  'leader_election_backend',
  'leader_proxy_connection_timeout',
  'leader_proxy_max_open_connections',
  'leader_proxy_read_timeout',
  'leader_proxy_ssl_ignore_hostname',
  'local_port_max',
  'local_port_min',
  'logging_level',
  'logstash',
  'maintenance_mode',
  'master',
  'max_actor_startup_time',
  'max_apps',
  'max_concurrent_marathon_health_checks',
  'max_instances_per_offer',
  'max_parallel_offers',
  'max_parallel_status_updates',
  'max_queued_offers',
  'max_queued_root_group_updates',
  'max_queued_status_updates',
  'max_running_deployments',
  'mesos_authentication',
  'mesos_authentication_principal',
  'mesos_authentication_secret',
  'mesos_authentication_secret_file',
  'mesos_bridge_name',
  'mesos_heartbeat_failure_threshold',
  'mesos_heartbeat_interval',
  'mesos_leader_ui_url',
  'mesos_offer_constraints',
  'mesos_role',
  'mesos_user',
  'metrics',
  'metrics_datadog',
  'metrics_datadog_api_key',
  'metrics_datadog_host',
  'metrics_datadog_port',
  'metrics_datadog_protocol',
  'metrics_datadog_transmission_interval_ms',
  'metrics_histogram_reservoir_highest_trackable_value',
  'metrics_histogram_reservoir_reset_periodically',
  'metrics_histogram_reservoir_resetting_chunks',
  'metrics_histogram_reservoir_resetting_interval_ms',
  'metrics_histogram_reservoir_significant_digits',
  'metrics_name_prefix',
  'metrics_prometheus',
  'metrics_statsd',
  'metrics_statsd_host',
  'metrics_statsd_port',
  'metrics_statsd_transmission_interval_ms',
  'min_mesos_offer_constraints_update_interval',
  'min_revive_offers_interval',
  'new_group_enforce_role',
  'offer_matching_timeout',
  'on_elected_prepare_timeout',
  'plugin_conf',
  'plugin_dir',
  'reconciliation_initial_delay',
  'reconciliation_interval',
  'scale_apps_initial_delay',
  'scale_apps_interval',
  'scheduler_actions_execution_context_size',
  'sentry',
  'sentry_tags',
  'ssl_keystore_password',
  'ssl_keystore_path',
  'storage_compaction_interval',
  'storage_compaction_scan_batch_size',
  'storage_execution_context_size',
  'store_cache',
  'suppress_offers',
  'task_launch_confirm_timeout',
  'task_launch_timeout',
  'task_lost_expunge_initial_delay',
  'task_lost_expunge_interval',
  'task_operation_notification_timeout',
  'task_reservation_timeout',
  'task_tracker_request_timeout',
  'task_update_request_timeout',
  'webui_url',
  'zk',
  'zk_compression',
  'zk_compression_threshold',
  'zk_connection_timeout',
  'zk_max_concurrency',
  'zk_max_node_size',
  'zk_max_versions',
  'zk_operation_base_retry_sleep_ms',
  'zk_operation_max_retries',
  'zk_session_timeout',
  'zk_timeout',
];
/** Its toggles, which also take --disable_<name>. */
const MARATHON_TOGGLES: readonly string[] = [
  'checkpoint',
  'ha',
  'http_compression',
  'internal_version_caching',
  'maintenance_mode',
  'mesos_authentication',
  'mesos_offer_constraints',
  'metrics',
  'metrics_datadog',
  'metrics_histogram_reservoir_reset_periodically',
  'metrics_prometheus',
  'metrics_statsd',
  'store_cache',
  'suppress_offers',
  'zk_compression',
];
/** Added by another change (CORS); not part of this one. */
const ELSEWHERE = new Set(['access_control_allow_origin']);

const serve = (argv: readonly string[], env: NodeJS.ProcessEnv = {}) => parseFlags(argv, SERVE_FLAGS, env, { envPrefixes: SERVE_ENV_PREFIXES });

describe("Marathon's command line", () => {
  it('accepts every flag of AllConf', () => {
    const names = new Set(SERVE_FLAGS.map((s) => s.name));
    expect(MARATHON_FLAGS.filter((f) => !names.has(f) && !ELSEWHERE.has(f))).toEqual([]);
  });

  it('takes toggles as --flag, --disable_flag, --noflag and --flag=false', () => {
    for (const toggle of MARATHON_TOGGLES) {
      expect(serve([`--${toggle}`]).values[toggle], toggle).toBe(true);
      expect(serve([`--disable_${toggle}`]).values[toggle], toggle).toBe(false);
      expect(serve([`--no${toggle}`]).values[toggle], toggle).toBe(false);
      expect(serve([`--${toggle}=false`]).values[toggle], toggle).toBe(false);
    }
  });

  it('reads MARATHON_<FLAG> as Marathon does, an empty value turning a toggle form on; PACER_ wins', () => {
    const env = { MARATHON_HTTP_PORT: '9090', MARATHON_DISABLE_HA: '', MARATHON_ZK_TIMEOUT: '2000', MARATHON_MASTER: 'a:5050', PACER_MASTER: 'b:5050' };
    const { values } = serve([], env);
    expect(values).toMatchObject({ http_port: 9090, ha: false, zk_timeout: 2000, master: 'b:5050' });
    expect(serve(['--master', 'c:5050'], env).values.master).toBe('c:5050');
  });

  it('hands the flags with an effect to Pacer in their units', async () => {
    const { values } = serve([
      '--enable_features',
      'secrets,task_killing,gpu_resources',
      '--default_network_name',
      'dcos',
      '--decline_offer_duration',
      '30000',
      '--max_instances_per_offer',
      '2',
      '--local_port_min',
      '12000',
      '--local_port_max',
      '13000',
      '--max_running_deployments',
      '7',
      '--zk_max_versions',
      '9',
      '--disable_maintenance_mode',
      '--draining_seconds',
      '60',
      '--accepted_resource_roles_default_behavior',
      'unreserved',
      '--gpu_scheduling_behavior',
      'unrestricted',
      '--kill_retry_timeout',
      '2000',
      '--mesos_leader_ui_url',
      'http://mesos.example:5050/',
      '--disable_ha',
      '--zk_session_timeout',
      '4000',
    ]);
    const settings = await settingsFromFlags(values);
    expect(settings).toMatchObject({
      defaultNetworkName: 'dcos',
      declineOfferDurationMs: 30000,
      maxInstancesPerOffer: 2,
      localPortRange: { min: 12000, max: 13000 },
      maxRunningDeployments: 7,
      zkMaxVersions: 9,
      maintenanceMode: false,
      drainingSeconds: 60,
      acceptedResourceRolesDefault: 'unreserved',
      gpuSchedulingBehavior: 'unrestricted',
      killRetryTimeoutMs: 2000,
      mesosLeaderUiUrl: 'http://mesos.example:5050/',
      disableHa: true,
    });
    expect([...settings.features!]).toEqual(['secrets', 'task_killing', 'gpu_resources']);
    expect(settings.infoConfig?.['zookeeper_config']).toMatchObject({ zk_session_timeout: 4000, zk_max_versions: 9 });
  });

  it('turns --ssl_cert_file into a second, HTTPS listener on --https_port, and refuses --disable_http without it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pacer-flags-tls-'));
    try {
      writeFileSync(path.join(dir, 'c.pem'), 'cert');
      writeFileSync(path.join(dir, 'k.pem'), 'key');
      const tls = ['--ssl_cert_file', path.join(dir, 'c.pem'), '--ssl_key_file', path.join(dir, 'k.pem')];
      expect(await settingsFromFlags(serve(tls).values)).toMatchObject({ httpPort: 8080, httpsPort: 8443, disableHttp: false });
      expect(await settingsFromFlags(serve([...tls, '--https_port', '9443', '--https_address', '0.0.0.0', '--disable_http']).values)).toMatchObject({
        httpsPort: 9443,
        httpsAddress: '0.0.0.0',
        disableHttp: true,
      });
      await expect(settingsFromFlags(serve(['--disable_http']).values)).rejects.toThrow(/--disable_http needs HTTPS/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown feature and a bad port range with a flag error', async () => {
    await expect(settingsFromFlags(serve(['--enable_features', 'teleport']).values)).rejects.toThrow(FlagError);
    await expect(settingsFromFlags(serve(['--local_port_min', '20000', '--local_port_max', '10000']).values)).rejects.toThrow(/local_port_min/);
  });

  it('names the flags given without an effect, and /v2/info shows them where Marathon does', () => {
    const parsed = serve([
      '--zk_timeout',
      '3000',
      '--disable_zk_compression',
      '--https_port',
      '9443',
      '--plugin_dir',
      '/x',
      '--http_port',
      '8081',
      '--min_revive_offers_interval',
      '1000',
    ]);
    expect(
      inertFlagsGiven(parsed.values, SERVE_FLAGS, parsed.given)
        .map((s) => s.name)
        .sort(),
    ).toEqual(['plugin_dir']);
    const info = renderInfo(
      {
        version: '1',
        leaderHostPort: 'h:8081',
        httpPort: 8081,
        frameworkName: 'marathon',
        master: 'local',
        hostname: 'h',
        failoverTimeout: 1,
        checkpoint: true,
        mesosRole: '*',
        reconciliationInterval: 1,
        taskLaunchTimeout: 1,
        ha: false,
        config: infoConfig(parsed.values, SERVE_FLAGS),
      },
      { elected: true, leaderHostPort: 'h:8081', framework: { frameworkId: undefined, master: undefined } as never },
    ) as Record<string, Record<string, unknown>>;
    expect(info['zookeeper_config']).toMatchObject({ zk_timeout: 3000, zk_compression: false });
    expect(info['http_config']).toEqual({ http_port: 8081, https_port: 9443 });
    expect(info['marathon_config']).toMatchObject({ min_revive_offers_interval: 1000, decline_offer_duration: 120000 });
  });

  it("says in --help which units each command's durations take", () => {
    expect(formatHelp('pacer', SERVE_UNITS_NOTE, SERVE_FLAGS)).toMatch(/--zk_session_timeout=MS\s+ZooKeeper session timeout in milliseconds/);
    expect(formatHelp('pacer mesos-local', MESOS_LOCAL_UNITS_NOTE, MESOS_LOCAL_FLAGS)).toMatch(/--zk_session_timeout=DURATION\s+.*Mesos duration syntax/);
    expect(SERVE_UNITS_NOTE).toMatch(/milliseconds/);
    expect(MESOS_LOCAL_UNITS_NOTE).toMatch(/10secs/);
  });
});
