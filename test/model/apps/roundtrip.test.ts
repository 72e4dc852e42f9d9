/** render(parse(x)) parses back to the same app; scale vs config changes; updates; path ids. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AppValidationError,
  isConfigChange,
  parseAppCreate,
  parseAppUpdate,
  parsePathId,
  pathIdToMesosName,
  renderApp,
  type AppDefinition,
  type AppParseOptions,
} from '../../../src/model/apps/index.js';

const opts: AppParseOptions = { mesosRole: '*' };
const appsDir = fileURLToPath(new URL('../../../../shared/conformance/marathon/apps/', import.meta.url));
const reparse = (app: AppDefinition, o: AppParseOptions = opts): AppDefinition => parseAppCreate(JSON.stringify(renderApp(app)), o);
const create = (body: Record<string, unknown>): AppDefinition => parseAppCreate(JSON.stringify(body), opts);

function refusal(run: () => unknown): AppValidationError {
  try {
    run();
  } catch (err) {
    if (err instanceof AppValidationError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('round trip', () => {
  const options: AppParseOptions = { mesosRole: 'data', features: new Set(['secrets', 'external_volumes', 'gpu_resources']) };
  for (const file of readdirSync(appsDir).filter((f) => f.endsWith('.json'))) {
    it(`apps/${file}`, () => {
      const app = parseAppCreate(readFileSync(appsDir + file, 'utf8'), options);
      expect(reparse(app, options)).toEqual(app);
    });
  }

  it('keeps assigned service ports, version and versionInfo', () => {
    const app = create({ id: '/web', cmd: 'serve', portDefinitions: [{ port: 0, name: 'http' }] });
    const stored: AppDefinition = {
      ...app,
      portDefinitions: [{ ...app.portDefinitions[0]!, port: 10042 }],
      version: '2021-07-27T10:00:00.000Z',
      versionInfo: { lastScalingAt: '2021-07-27T10:00:00.000Z', lastConfigChangeAt: '2021-07-27T09:00:00.000Z' },
    };
    const rendered = renderApp(stored);
    expect(rendered.portDefinitions).toEqual([{ port: 10042, name: 'http', protocol: 'tcp' }]);
    expect(rendered.version).toBe('2021-07-27T10:00:00.000Z');
    const { version: _v, versionInfo: _vi, ...withoutVersions } = stored;
    const again = reparse(stored);
    expect({ ...again, version: undefined, versionInfo: undefined }).toEqual({ ...withoutVersions, version: undefined, versionInfo: undefined });
  });

  it('holds for generated apps', () => {
    const segment = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/);
    const body = fc.record(
      {
        id: fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/')),
        cmd: fc.string({ minLength: 2, maxLength: 20 }),
        cpus: fc.double({ min: 0.001, max: 64, noNaN: true }),
        mem: fc.double({ min: 0, max: 65536, noNaN: true }),
        instances: fc.integer({ min: 0, max: 100 }),
        labels: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
        env: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
        constraints: fc.array(fc.constantFrom(['hostname', 'unique'], ['rack', 'GROUP_BY', '3'], ['zone', 'LIKE', 'a.*']), { maxLength: 3 }),
        portDefinitions: fc.array(fc.record({ port: fc.constant(0), protocol: fc.constantFrom('tcp', 'udp', 'udp,tcp') }), { maxLength: 3 }),
        killSelection: fc.constantFrom('YOUNGEST_FIRST', 'OLDEST_FIRST'),
        backoffSeconds: fc.integer({ min: 0, max: 3600 }),
      },
      { requiredKeys: ['id', 'cmd'] },
    );
    fc.assert(
      fc.property(body, (b) => {
        const app = create(b);
        expect(reparse(app)).toEqual(app);
      }),
      { numRuns: 200 },
    );
  });
});

describe('isConfigChange', () => {
  const base = create({
    id: '/web',
    cmd: 'serve',
    instances: 2,
    constraints: [
      ['hostname', 'UNIQUE'],
      ['rack', 'GROUP_BY'],
    ],
  });

  it('a change of instances alone is a scale, not a config change', () => {
    expect(isConfigChange(base, { ...base, instances: 5 })).toBe(false);
    expect(isConfigChange(base, base)).toBe(false);
  });

  it('version bookkeeping is not a config change; set-valued fields ignore order', () => {
    expect(isConfigChange(base, { ...base, version: '2021-01-01T00:00:00.000Z' })).toBe(false);
    expect(isConfigChange(base, { ...base, constraints: [...base.constraints].reverse() })).toBe(false);
  });

  it.each<[string, Partial<AppDefinition>]>([
    ['cmd', { cmd: 'serve --fast' }],
    ['cpus', { cpus: 2 }],
    ['env', { env: { A: '1' } }],
    ['labels', { labels: { team: 'x' } }],
    ['constraints', { constraints: [['hostname', 'UNIQUE']] }],
    ['health checks', { healthChecks: create({ id: '/x', cmd: 'ab', healthChecks: [{ protocol: 'TCP' }] }).healthChecks }],
    ['upgrade strategy', { upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 } }],
    ['killSelection', { killSelection: 'OLDEST_FIRST' }],
    ['role', { role: 'other' }],
    ['port definitions', { portDefinitions: [] }],
  ])('a change of %s is a config change', (_name, change) => {
    expect(isConfigChange(base, { ...base, ...change })).toBe(true);
  });
});

describe('updates (PUT / PATCH)', () => {
  const existing = create({ id: '/web', cmd: 'serve', instances: 3, labels: { a: 'b' }, portDefinitions: [{ port: 0, name: 'http' }] });

  it('partial: merges onto the existing app; URL id wins; deprecated fields translated', () => {
    const next = parseAppUpdate(JSON.stringify({ id: '/other', uris: ['http://x/y.tgz'], cpus: 0.5 }), {
      ...opts,
      partial: true,
      existing,
      idFromPath: 'web',
    });
    expect(next).toEqual({ ...existing, cpus: 0.5, fetch: [{ uri: 'http://x/y.tgz', extract: true, executable: false, cache: false }] });
  });

  it('partial with only a version asks for a rollback', () => {
    const result = parseAppUpdate('{"version":"2021-07-27T10:00:00.000Z"}', { ...opts, partial: true, existing, idFromPath: '/web' });
    expect(result).toEqual({ rollbackTo: '2021-07-27T10:00:00.000Z' });
  });

  it('version with other fields is refused', () => {
    const err = refusal(() => parseAppUpdate('{"version":"2021-07-27T10:00:00.000Z","cpus":2}', { ...opts, partial: true, existing, idFromPath: '/web' }));
    expect(err.body).toEqual({
      message: 'Object is not valid',
      details: [{ path: '/', errors: ["The 'version' field may only be combined with the 'id' field."] }],
    });
  });

  it("partial without an existing app creates from Marathon's template (no default port)", () => {
    const created = parseAppUpdate('{"cmd":"sleep 9"}', { ...opts, partial: true, idFromPath: '/new' }) as AppDefinition;
    expect(created).toMatchObject({ id: '/new', cmd: 'sleep 9', instances: 1, portDefinitions: [], networks: [{ mode: 'host', labels: {} }] });
  });

  it('full replacement parses the body as a new app with the URL id', () => {
    const replaced = parseAppUpdate('{"cmd":"other"}', { ...opts, partial: false, existing, idFromPath: '/web' }) as AppDefinition;
    expect(replaced).toMatchObject({ id: '/web', cmd: 'other', instances: 1, labels: {} });
    expect(replaced.portDefinitions).toEqual([{ port: 0, name: 'default', protocol: 'tcp', labels: {} }]);
  });

  it('a partial update is validated after the merge', () => {
    const err = refusal(() => parseAppUpdate('{"instances":-1}', { ...opts, partial: true, existing, idFromPath: '/web' }));
    expect(err.body).toEqual({ message: 'Invalid JSON', details: [{ path: '/instances', errors: ['error.min'] }] });
    const err2 = refusal(() => parseAppUpdate('{"args":["a"]}', { ...opts, partial: true, existing, idFromPath: '/web' }));
    expect(err2.body.details).toEqual([{ path: '/', errors: ["AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."] }]);
  });

  it('a non-object body is refused', () => {
    const err = refusal(() => parseAppUpdate('[1]', { ...opts, partial: true, existing, idFromPath: '/web' }));
    expect({ status: err.status, body: err.body }).toEqual({
      status: 422,
      body: { message: 'Invalid JSON', details: [{ path: '', errors: ['error.expected.jsobject'] }] },
    });
  });
});

describe('path ids', () => {
  it.each([
    ['foo', undefined, '/foo'],
    ['/foo/bar/', undefined, '/foo/bar'],
    ['//foo//bar', undefined, '/foo/bar'],
    ['bar', '/prod', '/prod/bar'],
    ['../other', '/prod/web', '/prod/other'],
    ['/a/./b/../c', undefined, '/a/c'],
    ['../../../x', '/a', '/x'],
    ['web.v2', undefined, '/web.v2'],
  ])('%s (base %s) -> %s', (raw, base, expected) => {
    expect(parsePathId(raw, base)).toBe(expected);
  });

  it.each([
    ['/', 'Path must contain at least one path element'],
    ['/a/..', 'Path must contain at least one path element'],
    ['/foo/restart', 'must not end with any of the following reserved keywords: restart, tasks, versions, ., ..'],
    ['/foo/versions', 'must not end with any of the following reserved keywords: restart, tasks, versions, ., ..'],
    ['/Foo', "must fully match regular expression '^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])|(\\.|\\.\\.)$'"],
    ['/foo_bar', "must fully match regular expression '^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])|(\\.|\\.\\.)$'"],
    ['/-foo', "must fully match regular expression '^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])|(\\.|\\.\\.)$'"],
  ])('%s is refused: %s', (raw, message) => {
    const err = refusal(() => parsePathId(raw));
    expect(err.status).toBe(422);
    expect(err.body).toEqual({ message: 'Object is not valid', details: [{ path: '/id', errors: [message] }] });
  });

  it('mesos names reverse the path', () => {
    expect(pathIdToMesosName('/prod/web')).toBe('web.prod');
    expect(pathIdToMesosName('/a/b/c')).toBe('c.b.a');
    expect(pathIdToMesosName('/solo')).toBe('solo');
  });

  it('app ids and dependencies in bodies are made absolute and resolved', () => {
    const app = create({ id: 'team/../web', cmd: 'serve', dependencies: ['db', '/team/cache', 'db'] });
    expect(app.id).toBe('/web');
    expect(app.dependencies).toEqual(['/db', '/team/cache']);
  });
});
