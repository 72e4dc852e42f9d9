import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { clientEnv, extractRepeated, parseDuration } from '../../src/cli/client/args.js';
import { ConnectionError, DeploymentError, NotFoundError, ResponseFormatError, ServerError, UsageError } from '../../src/cli/client/errors.js';
import { appPath, basicAuthHeader, buildQuery, parseBaseUrl } from '../../src/cli/client/http.js';
import { clientHelp, exitCodeFor, ExitCode, isClientCommand, runClientCommand } from '../../src/cli/client/index.js';
import { FlagError } from '../../src/cli/flags.js';

describe('exit codes', () => {
  it('maps each typed error to its documented code', () => {
    expect(exitCodeFor(new UsageError('x'))).toBe(2);
    expect(exitCodeFor(new FlagError('x'))).toBe(2);
    expect(exitCodeFor(new ServerError(422, 'POST', '/v2/apps', {}, ''))).toBe(1);
    expect(exitCodeFor(new ServerError(409, 'PUT', '/v2/apps/x', {}, ''))).toBe(1);
    expect(exitCodeFor(new ServerError(503, 'GET', '/v2/apps', {}, ''))).toBe(1);
    expect(exitCodeFor(new ServerError(404, 'GET', '/v2/apps/x', {}, ''))).toBe(5);
    expect(exitCodeFor(new ResponseFormatError('x'))).toBe(1);
    expect(exitCodeFor(new ConnectionError('http://h', 'ECONNREFUSED'))).toBe(3);
    expect(exitCodeFor(new DeploymentError('d', 'failed', 'x'))).toBe(4);
    expect(exitCodeFor(new DeploymentError('d', 'timeout', 'x'))).toBe(4);
    expect(exitCodeFor(new NotFoundError('x'))).toBe(5);
    expect(exitCodeFor(new Error('a bug'))).toBeUndefined();
    expect(ExitCode).toEqual({ ok: 0, rejected: 1, usage: 2, unreachable: 3, deployment: 4, notFound: 5 });
  });
});

describe('argument helpers', () => {
  it('takes repeated and comma-separated --type values out of argv', () => {
    expect(extractRepeated(['--type', 'a', '--json', '--type=b,c', 'x'], 'type')).toEqual({ rest: ['--json', 'x'], values: ['a', 'b', 'c'] });
    expect(extractRepeated(['--', '--type', 'a'], 'type')).toEqual({ rest: ['--', '--type', 'a'], values: [] });
    expect(() => extractRepeated(['--type'], 'type')).toThrow(UsageError);
    expect(() => extractRepeated(['--type', '--json'], 'type')).toThrow(UsageError);
  });

  it('parses durations in short and Mesos forms; bare numbers are seconds', () => {
    expect(parseDuration('30', 'timeout')).toBe(30_000);
    expect(parseDuration('30s', 'timeout')).toBe(30_000);
    expect(parseDuration('2m', 'timeout')).toBe(120_000);
    expect(parseDuration('1h', 'timeout')).toBe(3_600_000);
    expect(parseDuration('250ms', 'timeout')).toBe(250);
    expect(parseDuration('2mins', 'timeout')).toBe(120_000);
    expect(() => parseDuration('soon', 'timeout')).toThrow(UsageError);
    expect(() => parseDuration('5parsecs', 'timeout')).toThrow(UsageError);
  });

  it('reads only PACER_URL and PACER_USER from the environment', () => {
    expect(clientEnv({ PACER_URL: 'u', PACER_USER: 'a:b', PACER_FORCE: 'true', PACER_JSON: 'true', HOME: '/root' })).toEqual({
      PACER_URL: 'u',
      PACER_USER: 'a:b',
    });
  });

  it('normalises URLs, builds queries and app paths, encodes Basic credentials', () => {
    expect(parseBaseUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
    expect(parseBaseUrl('https://lb.example.com/marathon/')).toBe('https://lb.example.com/marathon');
    expect(() => parseBaseUrl('127.0.0.1:8080')).toThrow(UsageError);
    expect(() => parseBaseUrl('http://u:p@host')).toThrow(/--user/);
    expect(buildQuery({ force: true, skip: undefined, event_type: ['a', 'b'] })).toBe('?force=true&event_type=a&event_type=b');
    expect(buildQuery({})).toBe('');
    expect(appPath('/v2/apps', 'web')).toBe('/v2/apps/web');
    expect(appPath('/v2/apps', '//prod/web app/')).toBe('/v2/apps/prod/web%20app');
    expect(basicAuthHeader('alice:s3:cret')).toBe(`Basic ${Buffer.from('alice:s3:cret').toString('base64')}`);
    expect(() => basicAuthHeader('alice')).toThrow(UsageError);
  });
});

describe('help', () => {
  async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: { write: (c: string) => ((stdout += c), true) },
      stderr: { write: (c: string) => ((stderr += c), true) },
      stdin: Readable.from([]),
      env: {},
    };
    const code = await runClientCommand(args, io);
    return { code, stdout, stderr };
  }

  it('documents the sub-commands and the exit codes of each group', async () => {
    const help = clientHelp('app')!;
    for (const sub of ['add FILE|-', 'list', 'show ID', 'update ID FILE|-', 'scale ID N', 'restart ID', 'remove ID'])
      expect(help).toContain(`pacer app ${sub}`);
    expect(help).toContain('Exit codes:\n  0  success');
    expect(help).toContain('  5  not found');
    expect(clientHelp('app', 'scale')).toMatch(/^Usage: pacer app scale ID N \[flags\]\n/);
    expect(clientHelp('app', 'scale')).toContain('--[no-]wait');
    expect(clientHelp('events')).toContain('--type=EVENT_TYPE');
    expect(clientHelp('task')).toContain('pacer task kill TASK...');
    expect(clientHelp('serve')).toBeUndefined();
    expect(isClientCommand('deployment')).toBe(true);
    expect(isClientCommand('mesos-local')).toBe(false);
  });

  it('prints help with exit 0 when asked, and to stderr with exit 2 when the command is incomplete', async () => {
    expect(await run(['app', '--help'])).toMatchObject({ code: 0, stderr: '' });
    expect((await run(['app', 'help'])).stdout).toContain('pacer app add');
    const scale = await run(['app', 'scale', '--help']);
    expect(scale.code).toBe(0);
    expect(scale.stdout).toContain('Usage: pacer app scale ID N');
    const bare = await run(['deployment']);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toContain('pacer deployment watch ID');
    expect(await run(['queue', '--help'])).toMatchObject({ code: 0 });
    expect(await run(['app', 'scale', '/x'])).toEqual({ code: 2, stdout: '', stderr: 'pacer: missing arguments; usage: pacer app scale ID N\n' });
    expect(await run(['app', 'nope'])).toEqual({ code: 2, stdout: '', stderr: "pacer: unknown command 'pacer app nope' (see pacer help app)\n" });
  });
});
