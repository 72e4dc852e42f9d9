import type { FlagSpec } from './flags.js';
import { MARATHON_EFFECT_FLAGS, MARATHON_INERT_FLAGS } from './marathon-flags.js';

/** Environment prefixes of `pacer serve` (Marathon's launcher reads MARATHON_<FLAG>). */
export const SERVE_ENV_PREFIXES: readonly string[] = ['PACER_', 'MARATHON_'];
export const MESOS_LOCAL_ENV_PREFIXES: readonly string[] = ['PACER_'];

/** The help's note on units, per command. */
export const SERVE_UNITS_NOTE = "Units are Marathon's: durations in milliseconds unless a flag says seconds (--failover_timeout).";
export const MESOS_LOCAL_UNITS_NOTE = "Durations use Mesos's syntax (10secs, 500ms, 2mins); a bare number is seconds.";

export const DEFAULT_AGENT_RESOURCES = 'cpus:4;mem:8192;disk:20000;ports:[31000-32000]';

const LOG_LEVEL: FlagSpec = {
  name: 'log_level',
  kind: 'string',
  default: 'info',
  value: 'LEVEL',
  description: 'Log level: trace, debug, info, warn, error, fatal or silent',
};

/** Agent flags shared by `pacer mesos-local` and `pacer --master local`. */
const LOCAL_AGENT_FLAGS: readonly FlagSpec[] = [
  { name: 'agents', kind: 'number', default: 3, value: 'N', description: 'Local agents that run command tasks as child processes' },
  { name: 'simulated_agents', kind: 'number', default: 0, value: 'N', description: 'Simulated agents whose tasks run without processes (for scale tests)' },
  { name: 'agent_resources', kind: 'string', default: DEFAULT_AGENT_RESOURCES, value: 'RESOURCES', description: 'Resources of each local agent, Mesos syntax' },
  { name: 'agent_attributes', kind: 'string', value: 'ATTRIBUTES', description: "Attributes of each local agent, Mesos syntax, e.g. 'rack:r1;zone:z1'" },
  {
    name: 'work_dir',
    kind: 'string',
    value: 'DIR',
    description:
      'Directory of the agent sandboxes, kept after tasks end and across restarts (default: <data_dir>/work for pacer; a temporary directory removed at exit for pacer mesos-local)',
  },
  {
    name: 'gc_delay',
    kind: 'string',
    default: '1weeks',
    value: 'DURATION',
    description: "Remove the sandbox of an ended task this long after it ended (Mesos's --gc_delay and duration syntax: 3days, 2weeks)",
  },
];

/** Flags of `pacer serve`, named as Marathon names them. */
export const SERVE_FLAGS: readonly FlagSpec[] = [
  {
    name: 'master',
    kind: 'string',
    default: 'local',
    value: 'MASTER',
    description: "Mesos master: 'local' (embedded), host:port[,host:port…] or zk://host:port[,…]/path",
  },
  {
    name: 'zk',
    kind: 'string',
    value: 'zk://HOST:PORT/PATH',
    description: 'ZooKeeper URL for Pacer state and leader election (default: embedded store, no HA)',
  },
  {
    name: 'zk_session_timeout',
    kind: 'number',
    default: 10000,
    value: 'MS',
    info: 'zookeeper_config.zk_session_timeout',
    description:
      "ZooKeeper session timeout in milliseconds (Marathon's unit), for the state store and leader election; a dead leader is replaced after about this long",
  },
  { name: 'http_address', kind: 'string', default: '127.0.0.1', value: 'ADDRESS', description: 'Address the API and UI listen on' },
  { name: 'http_port', kind: 'number', default: 8080, value: 'PORT', description: 'Port of the API and UI' },
  { name: 'hostname', kind: 'string', value: 'HOST', description: "Hostname advertised to Mesos and in redirects (default: the machine's hostname)" },
  {
    name: 'webui_url',
    kind: 'string',
    value: 'URL',
    description: 'UI link shown in the Mesos UI (default: https://<hostname>:<https_port>/ui/ when HTTPS is served, else http://<hostname>:<http_port>/ui/)',
  },
  { name: 'framework_name', kind: 'string', default: 'pacer', value: 'NAME', description: 'Framework name registered with Mesos' },
  { name: 'mesos_role', kind: 'string', default: '*', value: 'ROLE', description: 'Mesos role of the framework' },
  { name: 'mesos_user', kind: 'string', value: 'USER', description: 'User tasks run as (default: the current user)' },
  { name: 'failover_timeout', kind: 'number', default: 604800, value: 'SECONDS', description: 'Seconds Mesos keeps tasks running while Pacer is away' },
  { name: 'checkpoint', kind: 'boolean', default: true, negation: 'disable_', description: 'Ask agents to checkpoint tasks so they survive agent restarts' },
  { name: 'http_credentials', kind: 'string', value: 'USER:PASS', description: 'HTTP Basic credentials required by the API and UI (all routes but /ping)' },
  {
    name: 'ssl_cert_file',
    kind: 'string',
    value: 'FILE',
    description: 'PEM certificate: serve the API and UI over HTTPS on --https_port too (with --ssl_key_file)',
  },
  { name: 'ssl_key_file', kind: 'string', value: 'FILE', description: 'PEM private key of --ssl_cert_file' },
  {
    name: 'ssl_ca_file',
    kind: 'string',
    value: 'FILE',
    description: "PEM CA bundle trusted when a standby proxies to an HTTPS leader (default: the leaders' shared --ssl_cert_file, then the system CAs)",
  },
  { name: 'http_realm', kind: 'string', default: 'Mesosphere', value: 'REALM', description: 'Realm of the HTTP Basic challenge' },
  {
    name: 'access_control_allow_origin',
    kind: 'string',
    value: 'ORIGINS',
    description: "Comma-separated origins (or '*') whose pages may call the API; other cross-origin writes are refused",
  },
  { name: 'mesos_authentication_principal', kind: 'string', value: 'PRINCIPAL', description: 'Principal for HTTP authentication with the Mesos master' },
  { name: 'mesos_authentication_secret_file', kind: 'string', value: 'FILE', description: 'File holding the secret for the Mesos principal' },
  { name: 'mesos_content_type', kind: 'string', default: 'json', value: 'json|protobuf', description: 'Encoding of the scheduler API stream and calls' },
  { name: 'reconciliation_interval', kind: 'number', default: 600000, value: 'MS', description: 'Milliseconds between periodic task reconciliations' },
  { name: 'task_launch_timeout', kind: 'number', default: 300000, value: 'MS', description: 'Milliseconds a launched task may take to reach RUNNING' },
  { name: 'data_dir', kind: 'string', default: './data', value: 'DIR', description: 'Directory of the embedded state store' },
  ...LOCAL_AGENT_FLAGS.map((f) => ({ ...f, description: `With --master local: ${f.description.charAt(0).toLowerCase()}${f.description.slice(1)}` })),
  LOG_LEVEL,
  ...MARATHON_EFFECT_FLAGS,
  ...MARATHON_INERT_FLAGS,
];

/** Flags of `pacer mesos-local`, named as Mesos names them. */
export const MESOS_LOCAL_FLAGS: readonly FlagSpec[] = [
  { name: 'ip', kind: 'string', default: '127.0.0.1', value: 'IP', description: 'IP address the master listens on' },
  { name: 'port', kind: 'number', default: 5050, value: 'PORT', description: 'Port the master listens on' },
  { name: 'hostname', kind: 'string', value: 'HOST', description: 'Hostname the master advertises (default: --ip)' },
  ...LOCAL_AGENT_FLAGS,
  { name: 'zk', kind: 'string', value: 'zk://HOST:PORT/PATH', description: 'Publish this master in ZooKeeper as a json.info_ znode' },
  {
    name: 'zk_session_timeout',
    kind: 'string',
    default: '10secs',
    value: 'DURATION',
    description: 'ZooKeeper session timeout of that znode, Mesos duration syntax (a bare number is seconds); a dead master is replaced after about this long',
  },
  { name: 'allocation_interval', kind: 'string', default: '1secs', value: 'DURATION', description: 'Time between allocation passes' },
  { name: 'heartbeat_interval', kind: 'string', default: '15secs', value: 'DURATION', description: 'Time between HEARTBEAT events on subscriptions' },
  {
    name: 'credentials',
    kind: 'string',
    value: 'FILE',
    description: 'Credentials file, upstream\'s JSON {"credentials":[{"principal":…,"secret":…}]} (a file:// prefix is accepted)',
  },
  {
    name: 'authenticate_frameworks',
    kind: 'boolean',
    default: false,
    description: 'Require frameworks to authenticate (mesos-local has only HTTP frameworks: same as --authenticate_http_frameworks)',
  },
  { name: 'authenticate_http_frameworks', kind: 'boolean', default: false, description: 'Require HTTP Basic credentials on /api/v1/scheduler' },
  {
    name: 'authenticate_http_readonly',
    kind: 'boolean',
    default: false,
    description: 'Require HTTP Basic credentials on read-only endpoints (/master/state and the like)',
  },
  {
    name: 'authenticate_http_readwrite',
    kind: 'boolean',
    default: false,
    description: 'Require HTTP Basic credentials on read-write endpoints (the operator API /api/v1)',
  },
  {
    name: 'switch_user',
    kind: 'boolean',
    default: true,
    description: "When the agents run as root, run each task as its CommandInfo.user, else its framework's user",
  },
  LOG_LEVEL,
];
