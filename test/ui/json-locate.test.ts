import { describe, expect, it } from 'vitest';
import { lineOfPath, locateJsonPaths } from '../../src/ui/app/json-locate.js';

const APP = `{
  "id": "/web",
  "mem": -5,
  "healthChecks": [
    {
      "protocol": "HTTP",
      "path": "/health"
    },
    { "protocol": "TCP", "portIndex": 7 }
  ],
  "container": {
    "docker": { "image": "nginx" }
  },
  "env": { "A/B": "x" }
}`;

describe('locateJsonPaths', () => {
  const where = locateJsonPaths(APP);

  it('finds members, array elements and nested members by Marathon path', () => {
    expect(where.syntax).toBeUndefined();
    expect(lineOfPath(where, '/')).toEqual({ line: 1, exact: true });
    expect(lineOfPath(where, '/mem')).toEqual({ line: 3, exact: true });
    expect(lineOfPath(where, '/healthChecks(0)')).toEqual({ line: 5, exact: true });
    expect(lineOfPath(where, '/healthChecks(0)/path')).toEqual({ line: 7, exact: true });
    expect(lineOfPath(where, '/healthChecks(1)/portIndex')).toEqual({ line: 9, exact: true });
    expect(lineOfPath(where, '/container/docker/image')).toEqual({ line: 12, exact: true });
  });

  it('falls back to the nearest ancestor for paths that are not in the text', () => {
    expect(lineOfPath(where, '/healthChecks(0)/command')).toEqual({ line: 5, exact: false });
    expect(lineOfPath(where, '/container/docker/pullConfig')).toEqual({ line: 12, exact: false });
    expect(lineOfPath(where, '/cmd')).toEqual({ line: 1, exact: false });
    expect(lineOfPath(where, '')).toEqual({ line: 1, exact: true });
  });

  it('decodes escaped member names', () => {
    const text = '{\n  "a\\u0062": 1\n}';
    expect(lineOfPath(locateJsonPaths(text), '/ab')).toEqual({ line: 2, exact: true });
  });

  it('reports where the text stops being JSON, keeping what it found before', () => {
    const broken = locateJsonPaths('{\n  "id": "/x",\n  "cmd": "sleep 1"\n  "instances": 1\n}');
    expect(broken.syntax).toMatchObject({ line: 4, column: 3 });
    expect(broken.syntax?.message).toContain('expected "," or "}"');
    expect(lineOfPath(broken, '/cmd')).toEqual({ line: 3, exact: true });
  });

  it.each([
    ['', 'the text ends where a value should be'],
    ['{"a": }', 'unexpected "}"'],
    ['{"a": 1,', 'expected a "quoted" member name'],
    ['[1, 2', 'missing "]"'],
    ['{"a": "x\n"}', 'unterminated string'],
    ['{} {}', 'unexpected text after the JSON value'],
  ])('rejects %j', (text, message) => {
    expect(locateJsonPaths(text).syntax?.message).toContain(message);
  });

  it('accepts everything JSON.parse accepts in these samples', () => {
    for (const text of ['{}', '[]', '"s"', '-1.5e+3', 'true', 'null', '{"a":[{"b":[1,2,{"c":false}]}]}', ' { "x" : "\\"\\\\\\/\\b\\f\\n\\r\\t" } ']) {
      JSON.parse(text);
      expect(locateJsonPaths(text).syntax).toBeUndefined();
    }
  });
});
