/** Pure helpers of the facade: query booleans, path normalisation, embeds, label selectors. */
import { describe, expect, it } from 'vitest';
import { resolveAppEmbeds } from '../../src/api/http/embed.js';
import { matchesLabels, parseLabelSelector, LabelSelectorSyntaxError } from '../../src/api/http/label-selector.js';
import { absoluteId, collapseSlashes, groupWildcard } from '../../src/api/http/paths.js';
import { queryBool } from '../../src/api/http/query.js';
import { mesosLeaderUiUrl, redactCredentials } from '../../src/api/render/info.js';

describe('query booleans (JAX-RS Boolean.valueOf)', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['yes', false],
    ['', false],
  ])('force=%s -> %s', (value, expected) => {
    expect(queryBool({ force: value }, 'force', !expected)).toBe(expected);
  });
  it('uses the default when absent and the first value when repeated', () => {
    expect(queryBool({}, 'force', true)).toBe(true);
    expect(queryBool({ force: ['true', 'false'] }, 'force', false)).toBe(true);
  });
});

describe('paths', () => {
  it('collapses doubled slashes in the path only', () => {
    expect(collapseSlashes('//v2/apps//foo///bar?x=a//b')).toBe('/v2/apps/foo/bar?x=a//b');
  });
  it('absolutises ids and recognises group wildcards', () => {
    expect(absoluteId('foo/bar')).toBe('/foo/bar');
    expect(absoluteId('/foo/./baz/../bar')).toBe('/foo/bar');
    expect(groupWildcard('prod/*')).toBe('/prod');
    expect(groupWildcard('*')).toBe('/');
    expect(groupWildcard('prod/x')).toBeUndefined();
  });
});

describe('embeds', () => {
  it('accepts app., apps., group.apps. and no prefix; tasks implies deployments; failures expands', () => {
    expect([...resolveAppEmbeds(['app.tasks'])].sort()).toEqual(['deployments', 'tasks']);
    expect([...resolveAppEmbeds(['group.apps.counts', 'readiness', 'apps.unknown'])].sort()).toEqual(['counts', 'readiness']);
    expect([...resolveAppEmbeds(['apps.failures'])].sort()).toEqual(['deployments', 'lastTaskFailure', 'tasks']);
  });
});

describe('label selector', () => {
  it('parses every form, with whitespace and escapes', () => {
    expect(parseLabelSelector('a in (t1, t2), b notin (t1), c, d==x, e != y')).toEqual([
      { key: 'a', op: 'in', values: ['t1', 't2'] },
      { key: 'b', op: 'notin', values: ['t1'] },
      { key: 'c', op: 'exists', values: [] },
      { key: 'd', op: '==', values: ['x'] },
      { key: 'e', op: '!=', values: ['y'] },
    ]);
    expect(parseLabelSelector('\\!\\!\\! in (\\-\\-\\-, \\&\\&\\&)')).toEqual([{ key: '!!!', op: 'in', values: ['---', '&&&'] }]);
    expect(parseLabelSelector('')).toEqual([]);
  });

  it.each(['a in (b', 'a ==', 'a,', 'a b', '=b', 'a in (b,)'])('refuses %j', (input) => {
    expect(() => parseLabelSelector(input)).toThrow(LabelSelectorSyntaxError);
  });

  it('matches only apps that carry the label', () => {
    const notin = parseLabelSelector('tier notin (a)');
    expect(matchesLabels(notin, { tier: 'b' })).toBe(true);
    expect(matchesLabels(notin, {})).toBe(false);
    expect(matchesLabels(parseLabelSelector('x!=1'), {})).toBe(false);
  });
});

describe('info helpers', () => {
  it('redacts credentials and derives the Mesos UI URL', () => {
    expect(redactCredentials('zk://u:p@h:2181/mesos')).toBe('zk://xxxxxxxx:xxxxxxxx@h:2181/mesos');
    expect(redactCredentials('h1:5050,h2:5050')).toBe('h1:5050,h2:5050');
    expect(mesosLeaderUiUrl('http://10.0.0.5:5050/api/v1/scheduler')).toBe('http://10.0.0.5:5050/');
    expect(mesosLeaderUiUrl('10.0.0.5:5050')).toBe('http://10.0.0.5:5050/');
    expect(mesosLeaderUiUrl(undefined)).toBeNull();
  });
});
