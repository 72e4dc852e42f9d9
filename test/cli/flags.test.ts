import { describe, expect, it } from 'vitest';
import { FlagError, formatHelp, parseFlags, type FlagSpec } from '../../src/cli/flags.js';
import { parseDurationMs } from '../../src/cli/duration.js';
import { MESOS_LOCAL_FLAGS, SERVE_FLAGS } from '../../src/cli/specs.js';

const SPECS: FlagSpec[] = [
  { name: 'http_port', kind: 'number', default: 8080, description: 'port' },
  { name: 'master', kind: 'string', default: 'local', description: 'master' },
  { name: 'checkpoint', kind: 'boolean', default: true, description: 'checkpoint' },
  { name: 'disable_ha', kind: 'boolean', default: false, description: 'ha' },
  { name: 'data_dir', kind: 'string', description: 'dir' },
];

describe('parseFlags', () => {
  it('applies defaults when nothing is given', () => {
    const { values } = parseFlags([], SPECS, {});
    expect(values).toEqual({ http_port: 8080, master: 'local', checkpoint: true, disable_ha: false });
  });

  it('accepts --flag value, --flag=value and hyphenated aliases', () => {
    const { values } = parseFlags(['--http_port', '9090', '--master=zk://a:2181/mesos', '--data-dir', '/tmp/x'], SPECS, {});
    expect(values.http_port).toBe(9090);
    expect(values.master).toBe('zk://a:2181/mesos');
    expect(values.data_dir).toBe('/tmp/x');
  });

  it('reads booleans in the forms Marathon users write', () => {
    expect(parseFlags(['--disable_ha'], SPECS, {}).values.disable_ha).toBe(true);
    expect(parseFlags(['--checkpoint=false'], SPECS, {}).values.checkpoint).toBe(false);
    expect(parseFlags(['--nocheckpoint'], SPECS, {}).values.checkpoint).toBe(false);
    expect(parseFlags(['--no_checkpoint'], SPECS, {}).values.checkpoint).toBe(false);
    expect(parseFlags(['--checkpoint', 'false'], SPECS, {}).values.checkpoint).toBe(false);
  });

  it('reads PACER_<FLAG> from the environment, the command line winning', () => {
    const env = { PACER_HTTP_PORT: '7070', PACER_MASTER: 'h:5050' };
    expect(parseFlags([], SPECS, env).values).toMatchObject({ http_port: 7070, master: 'h:5050' });
    expect(parseFlags(['--http_port=1'], SPECS, env).values.http_port).toBe(1);
  });

  it('rejects unknown flags, missing values and bad numbers with a FlagError', () => {
    expect(() => parseFlags(['--nope'], SPECS, {})).toThrow(FlagError);
    expect(() => parseFlags(['--master'], SPECS, {})).toThrow(/needs a value/);
    expect(() => parseFlags(['--http_port', 'eighty'], SPECS, {})).toThrow(/expected a number/);
    expect(() => parseFlags([], SPECS, { PACER_CHECKPOINT: 'maybe' })).toThrow(/PACER_CHECKPOINT/);
  });

  it('keeps positionals and notices --help', () => {
    const parsed = parseFlags(['list', '--help', 'x'], SPECS, {});
    expect(parsed.help).toBe(true);
    expect(parsed.positionals).toEqual(['list', 'x']);
  });
});

describe('help text', () => {
  it('lists every Marathon flag the design names, with its environment variable', () => {
    const text = formatHelp('pacer', 'summary', SERVE_FLAGS);
    for (const flag of [
      'master',
      'zk',
      'http_port',
      'http_address',
      'hostname',
      'webui_url',
      'framework_name',
      'mesos_role',
      'failover_timeout',
      'checkpoint',
      'ha',
      'http_credentials',
      'mesos_authentication_principal',
      'mesos_authentication_secret_file',
      'mesos_user',
      'reconciliation_interval',
      'task_launch_timeout',
    ]) {
      // Marathon's toggles show as --[disable_]flag.
      expect(text).toMatch(new RegExp(`--(\\[disable_\\])?${flag}\\b`));
      expect(text).toContain(`PACER_${flag.toUpperCase()}`);
    }
    const local = formatHelp('pacer mesos-local', 's', MESOS_LOCAL_FLAGS);
    for (const flag of ['port', 'ip', 'work_dir', 'allocation_interval', 'agents', 'simulated_agents']) {
      expect(local).toContain(`--${flag}`);
    }
  });
});

describe('parseDurationMs', () => {
  it('reads Mesos durations and bare numbers', () => {
    expect(parseDurationMs('1secs', 's', 'x')).toBe(1000);
    expect(parseDurationMs('500ms', 's', 'x')).toBe(500);
    expect(parseDurationMs('2mins', 's', 'x')).toBe(120_000);
    expect(parseDurationMs('15', 's', 'x')).toBe(15_000);
    expect(parseDurationMs(250, 'ms', 'x')).toBe(250);
    expect(() => parseDurationMs('soon', 's', 'x')).toThrow(FlagError);
    expect(() => parseDurationMs('3fortnights', 's', 'x')).toThrow(/unit/);
  });
});
