/** Invalid app bodies and Marathon's exact answer for each (status, message, details). */
import { describe, expect, it } from 'vitest';
import { AppValidationError, parseAppCreate, type AppParseOptions, type MarathonErrorBody } from '../../../src/model/apps/index.js';

const opts: AppParseOptions = { mesosRole: '*' };
const INVALID = 'Invalid JSON';
const NOT_VALID = 'Object is not valid';

type Case = [name: string, body: string | unknown[] | Record<string, unknown>, status: 400 | 422, expected: MarathonErrorBody];

const app = (extra: Record<string, unknown>): Record<string, unknown> => ({ id: '/app', cmd: 'sleep 1', ...extra });
const typeErr = (path: string, ...errors: string[]): MarathonErrorBody => ({ message: INVALID, details: [{ path, errors }] });
const rule = (path: string, ...errors: string[]): MarathonErrorBody => ({ message: NOT_VALID, details: [{ path, errors }] });
const HC_PORT = 'Health check port indices must address an element of the ports array or container port mappings.';

const cases: Case[] = [
  // --- container.linuxInfo (state/LinuxInfo.validLinuxInfoForContainerState), issue #14 item 5
  [
    'seccomp unconfined with a profile',
    app({ container: { type: 'MESOS', linuxInfo: { seccomp: { profileName: 'default', unconfined: true } } } }),
    422,
    rule('/container/linuxInfo/seccomp', 'Seccomp unconfined can NOT be true when Profile is defined'),
  ],
  [
    'seccomp confined without a profile',
    app({ container: { type: 'MESOS', linuxInfo: { seccomp: { unconfined: false } } } }),
    422,
    rule('/container/linuxInfo/seccomp', 'Seccomp unconfined must be true when Profile is NOT defined'),
  ],
  [
    'ipcInfo SHARE_PARENT with shmSize',
    app({ container: { type: 'MESOS', linuxInfo: { ipcInfo: { mode: 'SHARE_PARENT', shmSize: 64 } } } }),
    422,
    rule('/container/linuxInfo/ipcInfo', 'ipcInfo shmSize can NOT be set when mode is SHARE_PARENT'),
  ],
  [
    'host volume without hostPath in the second element',
    app({
      container: {
        type: 'MESOS',
        volumes: [
          { containerPath: '/a', hostPath: '/tmp', mode: 'RW' },
          { containerPath: '/b', mode: 'RO' },
        ],
      },
    }),
    422,
    typeErr('/container/volumes(1)/hostPath', 'error.path.missing'),
  ],
  // --- RAML / Play type errors (422 Invalid JSON)
  ['id is a number', { id: 123 }, 422, typeErr('/id', 'error.expected.jsstring')],
  ['id missing', { cmd: 'sleep 1' }, 422, typeErr('/id', 'error.path.missing')],
  ['body is an array', [], 422, typeErr('/id', 'error.path.missing')],
  ['id with upper case', app({ id: '/MyApp' }), 422, typeErr('/id', 'error.pattern')],
  ['id empty', app({ id: '' }), 422, typeErr('/id', 'error.minLength')],
  ['instances is a float', app({ instances: 1.5 }), 422, typeErr('/instances', 'error.expected.int')],
  ['instances is a string', app({ instances: '2' }), 422, typeErr('/instances', 'error.expected.jsnumber')],
  ['instances negative', app({ instances: -1 }), 422, typeErr('/instances', 'error.min')],
  ['instances beyond int32', app({ instances: 2 ** 31 }), 422, typeErr('/instances', 'error.expected.int')],
  ['cpus below 0.001', app({ cpus: 0 }), 422, typeErr('/cpus', 'error.min')],
  ['mem negative', app({ mem: -3 }), 422, typeErr('/mem', 'error.min')],
  ['disk negative', app({ disk: -1 }), 422, typeErr('/disk', 'error.min')],
  ['gpus fractional', app({ gpus: 0.5 }), 422, typeErr('/gpus', 'error.expected.int')],
  ['backoffFactor below 1', app({ backoffFactor: 0.5 }), 422, typeErr('/backoffFactor', 'error.min')],
  ['cmd empty', app({ cmd: '' }), 422, typeErr('/cmd', 'error.minLength')],
  ['cmd not a string', app({ cmd: ['sleep'] }), 422, typeErr('/cmd', 'error.expected.jsstring')],
  ['args not an array', app({ cmd: undefined, args: 'sleep 1' }), 422, typeErr('/args', 'error.expected.jsarray')],
  ['labels value not a string', app({ labels: { a: 1 } }), 422, typeErr('/labels/a', 'error.expected.jsstring')],
  ['env value neither string nor secret', app({ env: { A: 1 } }), 422, typeErr('/env/A/secret', 'error.path.missing')],
  [
    'upgradeStrategy over 1',
    app({ upgradeStrategy: { minimumHealthCapacity: 1.2, maximumOverCapacity: 0 } }),
    422,
    typeErr('/upgradeStrategy/minimumHealthCapacity', 'error.max'),
  ],
  [
    'upgradeStrategy incomplete',
    app({ upgradeStrategy: { minimumHealthCapacity: 0.5 } }),
    422,
    typeErr('/upgradeStrategy/maximumOverCapacity', 'error.path.missing'),
  ],
  ['health check protocol unknown', app({ healthChecks: [{ protocol: 'FTP' }] }), 422, typeErr('/healthChecks(0)/protocol', 'error.unknown.enum.literal')],
  [
    'fetch uri missing',
    app({ fetch: [{ extract: true }, {}] }),
    422,
    {
      message: INVALID,
      details: [
        { path: '/fetch(0)/uri', errors: ['error.path.missing'] },
        { path: '/fetch(1)/uri', errors: ['error.path.missing'] },
      ],
    },
  ],
  ['docker image missing', app({ container: { type: 'DOCKER', docker: {} } }), 422, typeErr('/container/docker/image', 'error.path.missing')],
  ['port out of range', app({ portDefinitions: [{ port: 70000 }] }), 422, typeErr('/portDefinitions(0)/port', 'error.max')],
  ['constraint with one element', app({ constraints: [['hostname']] }), 422, typeErr('/constraints(0)', 'error.minLength')],
  ['killSelection unknown', app({ killSelection: 'RANDOM' }), 422, typeErr('/killSelection', 'error.unknown.enum.literal')],
  ['version not a date', app({ version: 'yesterday' }), 422, typeErr('/version', 'error.expected.date.isoformat')],
  [
    'several type errors',
    app({ id: 5, mem: 'lots', requirePorts: 'yes' }),
    422,
    {
      message: INVALID,
      details: [
        { path: '/id', errors: ['error.expected.jsstring'] },
        { path: '/mem', errors: ['error.expected.jsnumber'] },
        { path: '/requirePorts', errors: ['error.expected.jsboolean'] },
      ],
    },
  ],

  // --- semantic rules (422 Object is not valid)
  ['no cmd, args or container', { id: '/app' }, 422, rule('/', "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.")],
  ['both cmd and args', app({ args: ['x'] }), 422, rule('/', "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.")],
  [
    'root id',
    app({ id: '/' }),
    422,
    {
      message: NOT_VALID,
      details: [
        { path: '/id', errors: ['Path must contain at least one path element'] },
        { path: '/', errors: ['must not be root'] },
      ],
    },
  ],
  [
    'reserved last segment',
    app({ id: '/foo/tasks' }),
    422,
    rule('/id', 'must not end with any of the following reserved keywords: restart, tasks, versions, ., ..'),
  ],
  ['one-character cmd', app({ cmd: 'x' }), 422, rule('/', 'must not be an empty string')],
  ['UNIQUE with value', app({ constraints: [['hostname', 'UNIQUE', 'x']] }), 422, rule('/constraints(0)', 'UNIQUE does not accept a value')],
  [
    'unknown operator',
    app({ constraints: [['hostname', 'NEAR']] }),
    422,
    rule('/constraints(0)', 'operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS'),
  ],
  ['MAX_PER without integer', app({ constraints: [['rack', 'MAX_PER', 'two']] }), 422, rule('/constraints(0)', 'MAX_PER requires an integer value')],
  [
    'GROUP_BY non-integer',
    app({ constraints: [['rack', 'GROUP_BY', 'x']] }),
    422,
    rule('/constraints(0)', 'GROUP BY must define an integer value or else no value at all'),
  ],
  [
    'LIKE without value',
    app({ constraints: [['rack', 'LIKE']] }),
    422,
    rule('/constraints(0)', 'LIKE and UNLIKE require a non-empty, regular expression value'),
  ],
  ['UNLIKE bad regex', app({ constraints: [['rack', 'UNLIKE', '([a-z']] }), 422, rule('/constraints(0)', 'is not a valid regular expression')],
  [
    'IS with a set value',
    app({ constraints: [['rack', 'IS', '{a,b}']] }),
    422,
    rule('/constraints(0)', 'IS only supports Mesos text and float values (see http://mesos.apache.org/documentation/latest/attributes-resources/)'),
  ],
  ['empty constraint field', app({ constraints: [['', 'UNIQUE']] }), 422, rule('/constraints(0)', 'illegal constraint specification')],
  ['health check portIndex out of range', app({ healthChecks: [{ protocol: 'HTTP', portIndex: 1 }] }), 422, rule('/healthChecks(0)', HC_PORT)],
  ['TCP health check without ports', app({ portDefinitions: [], healthChecks: [{ protocol: 'TCP' }] }), 422, rule('/healthChecks(0)', HC_PORT)],
  [
    'two Mesos health checks',
    app({ healthChecks: [{ protocol: 'MESOS_HTTP' }, { protocol: 'MESOS_TCP' }] }),
    422,
    rule('/', 'AppDefinition can contain at most one Mesos health check'),
  ],
  [
    'IPv6 with a Marathon HTTP check',
    app({ healthChecks: [{ protocol: 'HTTP', ipProtocol: 'IPv6' }] }),
    422,
    rule('/healthChecks(0)', 'IPv6 can only be used for container type DOCKER and Mesos http/https/tcp health checks'),
  ],
  ['gpus without the feature', app({ gpus: 1 }), 422, rule('/', 'Feature gpu_resources is not enabled. Enable with --enable_features gpu_resources)')],
  [
    'secrets without the feature',
    app({ secrets: { s: { source: '/x' } } }),
    422,
    rule('/secrets', 'Feature secrets is not enabled. Enable with --enable_features secrets)'),
  ],
  [
    'env secret reference without the feature',
    app({ env: { A: { secret: 'nope' } } }),
    422,
    {
      message: NOT_VALID,
      details: [
        { path: '/env', errors: ['use of secret-references in the environment requires the secrets feature to be enabled'] },
        { path: '/env/A/secret', errors: ['references an undefined secret'] },
      ],
    },
  ],
  [
    'duplicate port names',
    app({
      portDefinitions: [
        { port: 0, name: 'a' },
        { port: 0, name: 'a' },
      ],
    }),
    422,
    rule('/portDefinitions', 'Port names must be unique.'),
  ],
  ['duplicate ports', app({ portDefinitions: [{ port: 8080 }, { port: 8080 }] }), 422, rule('/portDefinitions', 'Ports must be unique.')],
  ['deprecated ports not unique', app({ ports: [80, 80] }), 422, rule('/', 'ports must be unique')],
  ['uris and fetch together', app({ uris: ['http://a/b'], fetch: [{ uri: 'http://c/d' }] }), 422, rule('/uris', 'may not be set in conjunction with fetch')],
  ['uri with a space', app({ fetch: [{ uri: 'http://a/b c' }] }), 422, rule('/fetch(0)/uri', 'URI has invalid syntax.')],
  ['docker container without docker', app({ container: { type: 'DOCKER' } }), 422, rule('/container/docker', 'not defined')],
  [
    'persistent volume path with a slash',
    app({ container: { type: 'MESOS', volumes: [{ containerPath: 'a/b', mode: 'RW', persistent: { size: 10 } }] } }),
    422,
    rule('/container/volumes(0)/containerPath', 'value must not contain "/"'),
  ],
  [
    'container network without a name',
    app({ networks: [{ mode: 'container' }] }),
    422,
    rule('/networks', 'Network name must be specified when container network is selected.'),
  ],
  ['host network with a name', app({ networks: [{ mode: 'host', name: 'x' }] }), 422, rule('/networks', 'Host networks may not have names or labels')],
  [
    'host and bridge networks',
    app({ networks: [{ mode: 'host' }, { mode: 'container/bridge' }] }),
    422,
    rule('/networks', 'May specify a single host network, single bridge network, or else 1-to-n container networks'),
  ],
  [
    'docker.network and networks',
    app({ networks: [{ mode: 'host' }], container: { type: 'DOCKER', docker: { image: 'x', network: 'HOST' } } }),
    422,
    rule('/', 'must not specify both container.docker.network and networks'),
  ],
  ['role not allowed', app({ role: 'other' }), 422, rule('/role', 'got other, expected one of: [*]')],
  [
    'acceptedResourceRoles outside the role',
    app({ acceptedResourceRoles: ['public'] }),
    422,
    rule('/acceptedResourceRoles', 'acceptedResourceRoles can only contain *'),
  ],
  ['acceptedResourceRoles empty', app({ acceptedResourceRoles: [] }), 422, rule('/acceptedResourceRoles', 'must not be empty')],
  [
    'single-instance label with two instances',
    app({ instances: 2, labels: { MARATHON_SINGLE_INSTANCE_APP: 'true' } }),
    422,
    {
      message: NOT_VALID,
      details: [{ path: '/', errors: ['Single instance app may only have one instance'] }],
    },
  ],
  [
    'two readiness checks',
    app({ portDefinitions: [{ port: 0, name: 'http-api' }], readinessChecks: [{}, { name: 'b' }] }),
    422,
    rule('/readinessChecks', 'got 2, expected 1 or less'),
  ],
  [
    'readiness check on an unknown port name',
    app({ readinessChecks: [{ portName: 'web' }] }),
    422,
    rule('/readinessChecks(0)/portName', 'No port definition reference for portName web'),
  ],
  [
    'resource limit below request',
    app({ cpus: 2, resourceLimits: { cpus: 1 } }),
    422,
    rule('/resourceLimits/cpus', 'resource limit must be greater than or equal to requested resource (2.0)'),
  ],
  [
    'resource limit bad word',
    app({ resourceLimits: { mem: 'lots' } }),
    422,
    rule('/resourceLimits/mem', "'lots' is an invalid resource limit. It must be 'unlimited' or a number"),
  ],
  [
    'unreachable inactive after expunge',
    app({ unreachableStrategy: { inactiveAfterSeconds: 600, expungeAfterSeconds: 300 } }),
    422,
    rule('/unreachableStrategy/inactiveAfterSeconds', 'inactiveAfterSeconds (600) must be less or equal to expungeAfterSeconds, which is 300'),
  ],
  [
    'check with a docker container',
    app({ container: { type: 'DOCKER', docker: { image: 'x' } }, check: { exec: { command: { shell: 'true' } } } }),
    422,
    rule('/', "AppDefinition must not use 'checks' if using docker"),
  ],
  [
    'DCOS migration label without the rest',
    app({ labels: { DCOS_MIGRATION_API_VERSION: 'v1' } }),
    422,
    rule('/', 'DCOS_PACKAGE_FRAMEWORK_NAME and DCOS_MIGRATION_API_PATH must be defined when using DCOS_MIGRATION_API_VERSION'),
  ],
  [
    'both container.portMappings and docker.portMappings (Marathon: 500)',
    app({
      networks: [{ mode: 'container/bridge' }],
      container: { type: 'DOCKER', docker: { image: 'x', portMappings: [{ containerPort: 1 }] }, portMappings: [{ containerPort: 2 }] },
    }),
    422,
    { message: 'cannot specify both portMappings and docker.portMappings' },
  ],

  // --- unparsable bodies (400)
  ['empty body', '', 400, { message: 'Please specify data in JSON format', details: 'No content to map due to end-of-input' }],
];

describe('app validation: status, message and details as Marathon answers', () => {
  it('has at least 40 invalid bodies', () => expect(cases.length).toBeGreaterThanOrEqual(40));

  for (const [name, body, status, expected] of cases) {
    it(name, () => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      let caught: unknown;
      try {
        parseAppCreate(text, opts);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(AppValidationError);
      const err = caught as AppValidationError;
      expect(err.code).toBe('PACER_APP_VALIDATION');
      expect({ status: err.status, body: err.body }).toEqual({ status, body: expected });
    });
  }

  it('unparsable JSON answers 400 with the parser message as a string', () => {
    try {
      parseAppCreate('{"id":"/test', opts);
      expect.unreachable();
    } catch (err) {
      const e = err as AppValidationError;
      expect(e.status).toBe(400);
      expect(e.body.message).toBe('Invalid JSON');
      expect(typeof e.body.details).toBe('string');
      expect(e.body.details).not.toBe('');
    }
  });

  it('null optional fields count as absent, unknown fields are ignored', () => {
    const parsed = parseAppCreate(JSON.stringify(app({ user: null, container: null, whatever: { x: 1 } })), opts);
    expect(parsed.user).toBeUndefined();
    expect(parsed.container).toBeUndefined();
    expect(parsed).not.toHaveProperty('whatever');
  });

  it('enum literals are matched without regard to case, and stored in canonical spelling', () => {
    const parsed = parseAppCreate(JSON.stringify(app({ healthChecks: [{ protocol: 'mesos_http' }], killSelection: 'oldest_first' })), opts);
    expect(parsed.healthChecks[0]!.protocol).toBe('MESOS_HTTP');
    expect(parsed.killSelection).toBe('OLDEST_FIRST');
  });

  it('integral floats are integers (Play isValidInt)', () => {
    expect(parseAppCreate(JSON.stringify(app({ instances: 3.0 })), opts).instances).toBe(3);
  });
});
