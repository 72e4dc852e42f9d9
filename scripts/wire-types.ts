/**
 * Generates the TypeScript wire types in src/mesos/wire/ from the .proto files in proto/, so the
 * types cannot drift from the schema the codecs load. The output describes the objects Pacer's
 * codecs really hand around: Mesos's JSON mapping (stout's rules), which the protobuf codec
 * reproduces field for field (src/mesos/codec.ts, src/mesos/proto-decoder.ts):
 *
 * - field names as written in the .proto (snake_case);
 * - enums as a union of their value names;
 * - every numeric type, 64-bit ones included, as `number`; `bytes` as base64 text;
 * - proto2 `required` fields non-optional, `optional` ones optional, `repeated` ones optional
 *   arrays (an empty list is left out), maps as plain objects keyed by strings;
 * - the members of a `oneof` as alternatives: at most one of them is set;
 * - a message without fields as `Record<string, never>` (its presence is the information).
 *
 * One module per proto package (mesos.v1 -> mesos.ts, mesos.v1.scheduler -> scheduler.ts, …);
 * nested names are joined (`Offer.Operation.Launch` -> `OfferOperationLaunch`).
 *
 * No off-the-shelf generator writes this mapping: pbts describes protobufjs' own message
 * classes (camelCase, Long, Uint8Array, numeric enums) and ts-proto the proto3 JSON mapping.
 *
 *   npm run wire-types           # rewrite src/mesos/wire/ from proto/
 *   npm run wire-types -- --check  # exit 1 when src/mesos/wire/ is not what proto/ generates
 *
 * test/mesos/wire-types.test.ts regenerates in memory and compares, so CI fails on a field added
 * to proto/ without regenerating, and on a hand edit of the output.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** Where the generated modules live, relative to the repository root. */
export const WIRE_TYPES_DIR = path.join('src', 'mesos', 'wire');

/** Output module (without extension) for each proto package. */
const MODULE_OF_PACKAGE: Readonly<Record<string, string>> = {
  'mesos.v1': 'mesos',
  'mesos.v1.scheduler': 'scheduler',
  'mesos.v1.master': 'master',
  'mesos.v1.maintenance': 'maintenance',
  'mesos.v1.quota': 'quota',
  'google.protobuf': 'google-protobuf',
};

/** How a module is named where another module imports it. */
function importAlias(module: string): string {
  return module === 'google-protobuf' ? 'google' : module;
}

const NUMBER_TYPES = new Set(['double', 'float', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** Every .proto file under `protoDir`, relative to it, sorted. */
export function protoFiles(protoDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(protoDir, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith('.proto')) found.push(relative);
    }
  };
  walk('');
  return found.sort();
}

/**
 * Loads every .proto file under `protoDir` the way the codecs do (field names kept as written,
 * imports relative to `protoDir`), with `//` comments kept for the generated documentation.
 */
export function loadProtoTree(protoDir: string, files: readonly string[] = protoFiles(protoDir)): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(protoDir, target));
  root.loadSync([...files], { keepCase: true, alternateCommentMode: true });
  root.resolveAll();
  return root;
}

interface Named {
  readonly module: string;
  readonly name: string;
}

/** The package (nearest enclosing namespace that is not a message) and the joined name below it. */
function nameOf(object: protobuf.ReflectionObject): Named {
  const path: string[] = [];
  let current: protobuf.ReflectionObject | null = object;
  while (current instanceof protobuf.Type || current instanceof protobuf.Enum) {
    path.unshift(current.name);
    current = current.parent;
  }
  const pkg = current === null ? '' : current.fullName.replace(/^\./, '');
  const module = MODULE_OF_PACKAGE[pkg];
  if (module === undefined) throw new Error(`no output module for proto package '${pkg}' (of ${object.fullName})`);
  return { module, name: path.join('') };
}

function collect(namespace: protobuf.NamespaceBase, into: Array<protobuf.Type | protobuf.Enum>): void {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type || nested instanceof protobuf.Enum) into.push(nested);
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) collect(nested, into);
  }
}

function jsDoc(lines: readonly string[], indent: string): string[] {
  const text = lines.flatMap((line) => line.split('\n')).map((line) => line.trimEnd());
  if (text.length === 0) return [];
  if (text.length === 1) return [`${indent}/** ${text[0]} */`];
  return [`${indent}/**`, ...text.map((line) => (line === '' ? `${indent} *` : `${indent} * ${line}`)), `${indent} */`];
}

function commentLines(comment: string | null | undefined): string[] {
  return comment ? [comment.trim()] : [];
}

class ModuleWriter {
  readonly lines: string[] = [];
  readonly imports = new Set<string>();

  constructor(readonly module: string) {}

  /** TypeScript for a reference to `object` from this module. */
  refer(object: protobuf.ReflectionObject): string {
    const { module, name } = nameOf(object);
    if (module === this.module) return name;
    this.imports.add(module);
    return `${importAlias(module)}.${name}`;
  }

  base64(): string {
    return this.module === 'mesos' ? 'Base64' : (this.imports.add('mesos'), 'mesos.Base64');
  }

  valueType(field: protobuf.FieldBase): string {
    const resolved = field.resolvedType;
    if (resolved !== null) return this.refer(resolved);
    if (NUMBER_TYPES.has(field.type)) return 'number';
    if (field.type === 'bool') return 'boolean';
    if (field.type === 'string') return 'string';
    if (field.type === 'bytes') return this.base64();
    throw new Error(`unsupported field type '${field.type}' of ${field.fullName}`);
  }

  member(field: protobuf.Field, indent: string): string[] {
    const docs = [...commentLines(field.comment)];
    const options = (field.options ?? {}) as { default?: unknown; deprecated?: unknown };
    if (options.default !== undefined) docs.push(`Default: ${JSON.stringify(options.default)}.`);
    if (options.deprecated === true) docs.push('Deprecated upstream.');
    let declaration: string;
    if (field instanceof protobuf.MapField) {
      declaration = `${field.name}?: { [key: string]: ${this.valueType(field)} };`;
    } else if (field.repeated) {
      declaration = `${field.name}?: ${this.valueType(field)}[];`;
    } else {
      declaration = `${field.name}${field.required ? '' : '?'}: ${this.valueType(field)};`;
    }
    return [...jsDoc(docs, indent), `${indent}${declaration}`];
  }

  message(type: protobuf.Type): void {
    const { name } = nameOf(type);
    const docs = commentLines(type.comment);
    const oneofs = type.oneofsArray.filter((oneof) => oneof.fieldsArray.length > 0);
    const inOneof = new Set(oneofs.flatMap((oneof) => oneof.fieldsArray));
    const plain = type.fieldsArray.filter((field) => !inOneof.has(field));
    if (type.fieldsArray.length === 0) {
      this.lines.push(...jsDoc([...docs, 'A message without fields: its presence is the information.'], ''));
      this.lines.push(`export type ${name} = Record<string, never>;`, '');
      return;
    }
    if (oneofs.length === 0) {
      this.lines.push(...jsDoc(docs, ''), `export interface ${name} {`);
      for (const field of plain) this.lines.push(...this.member(field, '  '));
      this.lines.push('}', '');
      return;
    }
    // A oneof is "at most one of": each alternative sets one member and rules out the others.
    const parts: string[][] = [];
    if (plain.length > 0) parts.push(['{', ...plain.flatMap((field) => this.member(field, '  ')), '}']);
    for (const oneof of oneofs) {
      const alternatives = oneof.fieldsArray.flatMap((chosen) => [
        '| {',
        ...oneof.fieldsArray.flatMap((field) => (field === chosen ? this.member(field, '    ') : [`    ${field.name}?: never;`])),
        '  }',
      ]);
      parts.push(parts.length > 0 || oneofs.length > 1 ? ['(', ...alternatives.map((l) => `  ${l}`), ')'] : alternatives);
    }
    const oneofDocs = oneofs.map((oneof) => `At most one of ${oneof.fieldsArray.map((field) => `\`${field.name}\``).join(', ')} (oneof \`${oneof.name}\`).`);
    this.lines.push(...jsDoc([...docs, ...oneofDocs], ''));
    const joined = parts.map((part, i) => part.map((line, j) => `  ${j === 0 && i > 0 ? `& ${line}` : line}`));
    this.lines.push(`export type ${name} =`, ...joined.flat());
    this.lines[this.lines.length - 1] += ';';
    this.lines.push('');
  }

  enumeration(enumeration: protobuf.Enum): void {
    const { name } = nameOf(enumeration);
    const names = Object.keys(enumeration.values);
    this.lines.push(...jsDoc(commentLines(enumeration.comment), ''));
    this.lines.push(`export type ${name} =`, ...names.map((value, i) => `  | '${value}'${i === names.length - 1 ? ';' : ''}`), '');
  }

  render(sourceFiles: readonly string[]): string {
    const header = [
      '// Generated by scripts/wire-types.ts from',
      ...sourceFiles.map((file) => `//   ${file}`),
      '// Do not edit: change proto/ and run `npm run wire-types` (test/mesos/wire-types.test.ts compares).',
      '',
    ];
    const imports = [...this.imports].sort().map((module) => `import type * as ${importAlias(module)} from './${module}.js';`);
    const preamble =
      this.module === 'mesos' ? ['/** Base64 text of a protobuf `bytes` field, as the JSON mapping writes it. */', 'export type Base64 = string;', ''] : [];
    const body = [...preamble, ...this.lines];
    while (body[body.length - 1] === '') body.pop();
    return [...header, ...imports, ...(imports.length > 0 ? [''] : []), ...body, ''].join('\n');
  }
}

/**
 * The generated modules for the .proto tree in `protoDir`, keyed by file name inside
 * src/mesos/wire/ ('mesos.ts', …), in a stable order.
 */
export function renderWireTypes(protoDir: string): Map<string, string> {
  const root = loadProtoTree(protoDir);
  const declarations: Array<protobuf.Type | protobuf.Enum> = [];
  collect(root, declarations);

  const writers = new Map<string, ModuleWriter>();
  const sources = new Map<string, Set<string>>();
  const seen = new Map<string, string>();
  for (const declaration of declarations) {
    const { module, name } = nameOf(declaration);
    const key = `${module}.${name}`;
    const clash = seen.get(key);
    if (clash !== undefined) throw new Error(`${declaration.fullName} and ${clash} would both be named ${key}`);
    seen.set(key, declaration.fullName);
    let writer = writers.get(module);
    if (writer === undefined) writers.set(module, (writer = new ModuleWriter(module)));
    const file = declaration.filename;
    const relative = file ? path.relative(protoDir, path.resolve(protoDir, file)) : '';
    // protobufjs bundles the google/protobuf definitions: they have no file under proto/.
    const shown = file && !relative.startsWith('..') ? `proto/${relative.split(path.sep).join('/')}` : `protobufjs's bundled definitions`;
    let set = sources.get(module);
    if (set === undefined) sources.set(module, (set = new Set()));
    set.add(shown);
    if (declaration instanceof protobuf.Type) writer.message(declaration);
    else writer.enumeration(declaration);
  }

  const output = new Map<string, string>();
  for (const module of [...writers.keys()].sort()) {
    output.set(`${module}.ts`, writers.get(module)!.render([...(sources.get(module) ?? [])].sort()));
  }
  return output;
}

/** The checkout this script runs from, as scripts/wire-types.ts or compiled as dist/scripts/wire-types.js. */
function repositoryRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) || !existsSync(path.join(dir, 'proto'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no checkout with proto/ above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

function main(argv: readonly string[]): number {
  const repo = repositoryRoot();
  const outDir = path.join(repo, WIRE_TYPES_DIR);
  mkdirSync(outDir, { recursive: true });
  const generated = renderWireTypes(path.join(repo, 'proto'));
  const check = argv.includes('--check');
  const stale: string[] = [];
  const existing = new Set(
    readdirSync(outDir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name),
  );
  for (const [file, text] of generated) {
    const target = path.join(outDir, file);
    let current: string | undefined;
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === text) continue;
    stale.push(path.join(WIRE_TYPES_DIR, file));
    if (!check) writeFileSync(target, text);
  }
  const extra = [...existing].filter((file) => !generated.has(file)).map((file) => path.join(WIRE_TYPES_DIR, file));
  if (check) {
    if (stale.length + extra.length > 0) {
      process.stderr.write(`out of date with proto/: ${[...stale, ...extra].join(', ')}\nrun: npm run wire-types\n`);
      return 1;
    }
    return 0;
  }
  for (const file of stale) process.stdout.write(`wrote ${file}\n`);
  for (const file of extra) process.stdout.write(`not generated (remove it?): ${file}\n`);
  return 0;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
