import { describe, expect, it } from 'vitest';
import {
  constraintRows,
  keyValueRows,
  objectRows,
  parseDefinition,
  placeOfPath,
  selectOptions,
  setNumber,
  setText,
  writeConstraintRows,
  writeKeyValueRows,
} from '../../src/ui/app/app-form-model.js';

describe('the app form model', () => {
  it('parses only a JSON object into something the form can edit', () => {
    expect(parseDefinition('{"id":"/a"}')).toEqual({ definition: { id: '/a' } });
    expect(parseDefinition('{"id":')).toHaveProperty('problem');
    expect(parseDefinition('[1]')).toHaveProperty('problem');
    expect(parseDefinition('null')).toHaveProperty('problem');
  });

  it('writes one field at a time and keeps everything else, including fields it does not know', () => {
    const definition: Record<string, unknown> = {
      id: '/a',
      cpus: 1,
      container: { type: 'DOCKER', docker: { image: 'nginx' } },
      fetch: [{ uri: 'http://x/y' }],
    };
    setNumber(definition, 'cpus', '-1');
    setText(definition, 'cmd', 'sleep 1');
    setNumber(definition, 'mem', '');
    expect(definition).toEqual({
      id: '/a',
      cpus: -1,
      cmd: 'sleep 1',
      container: { type: 'DOCKER', docker: { image: 'nginx' } },
      fetch: [{ uri: 'http://x/y' }],
    });
    setText(definition, 'cmd', '');
    setNumber(definition, 'cpus', ' ');
    expect(Object.keys(definition)).toEqual(['id', 'container', 'fetch']);
  });

  it('shows string env entries as rows and keeps secret references as they are', () => {
    const read = keyValueRows({ A: '1', DB: { secret: 'db' } });
    expect(read).toEqual({ rows: [{ key: 'A', value: '1' }], kept: { DB: { secret: 'db' } } });
    const definition: Record<string, unknown> = {};
    writeKeyValueRows(definition, 'env', [...read!.rows, { key: '', value: '' }, { key: 'B', value: '' }], read!.kept);
    expect(definition.env).toEqual({ DB: { secret: 'db' }, A: '1', B: '' });
    // An emptied section is sent as {}, so that a PUT clears it instead of keeping the old one.
    writeKeyValueRows(definition, 'labels', [], {});
    expect(definition.labels).toEqual({});
    expect(keyValueRows(['not', 'an', 'object'])).toBeUndefined();
  });

  it('reads constraints as rows and writes the value only when one is given', () => {
    expect(
      constraintRows([
        ['hostname', 'UNIQUE'],
        ['rack', 'GROUP_BY', '3'],
      ]),
    ).toEqual([
      { field: 'hostname', operator: 'UNIQUE', value: '' },
      { field: 'rack', operator: 'GROUP_BY', value: '3' },
    ]);
    expect(constraintRows([['hostname']])).toBeUndefined();
    expect(constraintRows([['a', 'LIKE', 1]])).toBeUndefined();
    const definition: Record<string, unknown> = {};
    writeConstraintRows(definition, [
      { field: 'hostname', operator: 'MAX_PER', value: 'lots' },
      { field: 'rack', operator: 'NEAR', value: '' },
    ]);
    expect(definition.constraints).toEqual([
      ['hostname', 'MAX_PER', 'lots'],
      ['rack', 'NEAR'],
    ]);
  });

  it('offers a select option for a value it does not know, so the round trip keeps it', () => {
    expect(selectOptions(['tcp', 'udp'], 'tcp')).toEqual(['tcp', 'udp']);
    expect(selectOptions(['UNIQUE', 'IS'], 'NEAR')).toEqual(['UNIQUE', 'IS', 'NEAR']);
    expect(selectOptions(['UNIQUE'], undefined)).toEqual(['UNIQUE']);
  });

  it('leaves arrays that are not arrays of objects to the JSON view', () => {
    expect(objectRows(undefined)).toEqual([]);
    expect(objectRows([{ port: 0 }])).toEqual([{ port: 0 }]);
    expect(objectRows([80])).toBeUndefined();
    expect(objectRows('80')).toBeUndefined();
  });

  it('places a 422 path at the field, else at the nearest place shown, else nowhere (the top)', () => {
    const places = new Set(['/cpus', '/id', '/healthChecks', '/healthChecks(0)', '/healthChecks(0)/path', '/env', '/env/A']);
    const has = (p: string): boolean => places.has(p);
    expect(placeOfPath('/cpus', has)).toBe('/cpus');
    expect(placeOfPath('cpus', has)).toBe('/cpus');
    expect(placeOfPath('/healthChecks(0)/path', has)).toBe('/healthChecks(0)/path');
    expect(placeOfPath('/healthChecks(0)/command/value', has)).toBe('/healthChecks(0)');
    expect(placeOfPath('/healthChecks(3)/path', has)).toBe('/healthChecks');
    expect(placeOfPath('/env/A/secret', has)).toBe('/env/A');
    expect(placeOfPath('/container/docker/image', has)).toBeUndefined();
    expect(placeOfPath('/', has)).toBeUndefined();
  });
});
