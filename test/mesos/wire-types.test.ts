import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { PROTO_ROOT_DIR } from '../../src/mesos/codec.js';
import { renderWireTypes, WIRE_TYPES_DIR } from '../../scripts/wire-types.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUTPUT_DIR = path.join(REPO, WIRE_TYPES_DIR);

const scratch = mkdtempSync(path.join(tmpdir(), 'pacer-wire-types-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('src/mesos/wire/ is what proto/ generates', () => {
  const generated = renderWireTypes(PROTO_ROOT_DIR);

  it('one module per proto package, and nothing else in the directory', () => {
    expect([...generated.keys()].sort()).toEqual(['google-protobuf.ts', 'maintenance.ts', 'master.ts', 'mesos.ts', 'quota.ts', 'scheduler.ts']);
    expect(readdirSync(OUTPUT_DIR).sort()).toEqual([...generated.keys()].sort());
  });

  // A hand edit of the output, or a proto/ change without `npm run wire-types`, fails here.
  it.each([...generated.keys()])('%s is up to date (regenerate with `npm run wire-types`)', (file) => {
    expect(readFileSync(path.join(OUTPUT_DIR, file), 'utf8')).toBe(generated.get(file));
  });
});

describe('the generator follows proto/', () => {
  it('a field added to proto/ is in the generated types', () => {
    const dir = path.join(scratch, 'added-field');
    cpSync(PROTO_ROOT_DIR, dir, { recursive: true });
    const file = path.join(dir, 'mesos', 'v1', 'scheduler', 'scheduler.proto');
    const from = 'optional double heartbeat_interval_seconds = 2;';
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(from);
    writeFileSync(file, text.replace(from, `${from}\n    repeated int64 pacer_probe = 99;`));

    const before = renderWireTypes(PROTO_ROOT_DIR).get('scheduler.ts')!;
    const after = renderWireTypes(dir).get('scheduler.ts')!;
    expect(before).not.toContain('pacer_probe');
    expect(after).toContain('  heartbeat_interval_seconds?: number;\n  pacer_probe?: number[];\n');
  });

  it('writes the JSON mapping the codecs produce', () => {
    const dir = path.join(scratch, 'fixture');
    mkdirSync(path.join(dir, 'mesos', 'v1'), { recursive: true });
    writeFileSync(
      path.join(dir, 'mesos', 'v1', 'mesos.proto'),
      [
        'syntax = "proto2";',
        'package mesos.v1;',
        '// A sample of every rule.',
        'message Sample {',
        '  enum Kind { UNKNOWN = 0; FIRST = 1; }',
        '  message Inner { required string value = 1; }',
        '  message Marker {}',
        '  required int64 big = 1;',
        '  optional bytes blob = 2;',
        '  repeated Inner inners = 3;',
        '  map<string, Inner> by_name = 4;',
        '  optional Kind kind = 5 [default = FIRST];',
        '  optional bool flag = 6 [deprecated = true];',
        '  oneof choice {',
        '    Marker marker = 7;',
        '    double ratio = 8;',
        '  }',
        '}',
      ].join('\n'),
    );
    const mesos = renderWireTypes(dir).get('mesos.ts')!;
    expect(mesos).toContain(
      [
        '/**',
        ' * A sample of every rule.',
        ' * At most one of `marker`, `ratio` (oneof `choice`).',
        ' */',
        'export type Sample =',
        '  {',
        '    big: number;',
        '    blob?: Base64;',
        '    inners?: SampleInner[];',
        '    by_name?: { [key: string]: SampleInner };',
        '    /** Default: "FIRST". */',
        '    kind?: SampleKind;',
        '    /** Deprecated upstream. */',
        '    flag?: boolean;',
        '  }',
        '  & (',
        '    | {',
        '        marker?: SampleMarker;',
        '        ratio?: never;',
        '      }',
        '    | {',
        '        marker?: never;',
        '        ratio?: number;',
        '      }',
        '  );',
        '',
        "export type SampleKind =\n  | 'UNKNOWN'\n  | 'FIRST';",
        '',
        'export interface SampleInner {\n  value: string;\n}',
        '',
        '/** A message without fields: its presence is the information. */\nexport type SampleMarker = Record<string, never>;\n',
      ].join('\n'),
    );

    // The output compiles under the project's strictness, and the types hold what the codecs
    // produce while rejecting what they never do (a required field missing, two oneof members).
    writeFileSync(path.join(dir, 'mesos.ts'), mesos);
    writeFileSync(
      path.join(dir, 'use.ts'),
      [
        "import type { Sample } from './mesos.js';",
        "export const decoded: Sample = { big: 2 ** 40, blob: 'AAE=', by_name: { a: { value: 'x' } }, kind: 'FIRST', marker: {} };",
        '// @ts-expect-error a required field is missing',
        'export const missing: Sample = { kind: "UNKNOWN" };',
        '// @ts-expect-error two members of one oneof',
        'export const both: Sample = { big: 1, marker: {}, ratio: 0.5 };',
        '// @ts-expect-error enums are their value names',
        'export const numeric: Sample = { big: 1, kind: 1 };',
      ].join('\n'),
    );
    const program = ts.createProgram([path.join(dir, 'use.ts')], {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      types: [],
      lib: ['lib.es5.d.ts'],
      skipLibCheck: true,
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
  });
});
