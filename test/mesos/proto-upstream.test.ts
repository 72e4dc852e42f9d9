import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { afterAll, describe, expect, it } from 'vitest';
import { PROTO_ROOT_DIR } from '../../src/mesos/codec.js';
import { loadProtoTree, protoFiles } from '../../scripts/wire-types.js';

/*
 * Pacer's proto/ is a hand-written subset of Apache Mesos's v1 protocol and must stay
 * wire-compatible with it. This compares proto/ with Mesos's own .proto files (unchanged copies
 * of apache/mesos include/mesos/v1/, in ../shared/conformance/mesos/): every message and enum
 * of proto/ must exist upstream under the same full name, and every field it has must match
 * upstream in name, number, label, type, default and oneof. Enums must be complete: a value
 * missing here would reach the code as a bare number. Upstream fields left out of proto/ are
 * allowed, but only those listed in LEFT_OUT below.
 */

const UPSTREAM_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/conformance/mesos');

/** Upstream fields proto/ leaves out on purpose (their types are outside Pacer's subset). */
const LEFT_OUT: readonly string[] = [
  // CSI volumes: Pacer launches no CSI volumes.
  'mesos.v1.Volume.Source.csi_volume = 6',
  // Operator API responses this master does not answer (501) or answers without these parts.
  'mesos.v1.master.Response.get_metrics = 5',
  'mesos.v1.master.Response.get_logging_level = 6',
  'mesos.v1.master.Response.list_files = 7',
  'mesos.v1.master.Response.read_file = 8',
  'mesos.v1.master.Response.get_weights = 15',
  'mesos.v1.master.Response.get_maintenance_status = 17',
  'mesos.v1.master.Response.get_maintenance_schedule = 18',
  'mesos.v1.master.Response.get_quota = 19',
  'mesos.v1.master.Response.get_operations = 20',
  'mesos.v1.master.Response.GetAgents.Agent.resource_providers = 11',
  'mesos.v1.master.Response.GetAgents.Agent.drain_info = 13',
  'mesos.v1.master.Response.GetAgents.Agent.estimated_drain_start_time = 14',
];

function loadUpstream(): protobuf.Root {
  return loadProtoTree(UPSTREAM_DIR, protoFiles(UPSTREAM_DIR));
}

type Declaration = protobuf.Type | protobuf.Enum;

/** Every message and enum of the Mesos packages, outermost first. */
function declarations(namespace: protobuf.NamespaceBase, into: Declaration[] = []): Declaration[] {
  for (const nested of namespace.nestedArray) {
    if ((nested instanceof protobuf.Type || nested instanceof protobuf.Enum) && nested.fullName.startsWith('.mesos.')) {
      into.push(nested);
    }
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) declarations(nested, into);
  }
  return into;
}

const nameOf = (object: protobuf.ReflectionObject): string => object.fullName.replace(/^\./, '');

/** What must agree between proto/ and upstream for one field, as readable text. */
function describeField(field: protobuf.Field): string {
  const label = field instanceof protobuf.MapField ? `map<${field.keyType}, …>` : field.repeated ? 'repeated' : field.required ? 'required' : 'optional';
  const type = field.resolvedType === null ? field.type : nameOf(field.resolvedType);
  const options = (field.options ?? {}) as { default?: unknown; packed?: unknown };
  const parts = [`${label} ${type} = ${field.id}`];
  if (options.default !== undefined) parts.push(`default ${JSON.stringify(options.default)}`);
  if (options.packed !== undefined) parts.push(`packed ${JSON.stringify(options.packed)}`);
  if (field.partOf !== null) parts.push(`in oneof ${field.partOf.name}`);
  return parts.join(', ');
}

function lookup(root: protobuf.Root, fullName: string): protobuf.ReflectionObject | null {
  try {
    return root.lookup(fullName);
  } catch {
    return null;
  }
}

/** Every way `ours` differs from `upstream`, one readable line each; empty when they agree. */
export function differences(ours: protobuf.Root, upstream: protobuf.Root): string[] {
  const found: string[] = [];
  for (const declaration of declarations(ours)) {
    const name = nameOf(declaration);
    const theirs = lookup(upstream, declaration.fullName);
    if (declaration instanceof protobuf.Type) {
      if (!(theirs instanceof protobuf.Type)) {
        found.push(`message ${name}: ${theirs === null ? 'not upstream' : 'upstream it is not a message'}`);
        continue;
      }
      for (const field of declaration.fieldsArray) {
        const match = theirs.fields[field.name];
        if (match === undefined) {
          const sameNumber = theirs.fieldsArray.find((candidate) => candidate.id === field.id);
          found.push(`field ${name}.${field.name}: not upstream` + (sameNumber === undefined ? '' : ` (upstream number ${field.id} is '${sameNumber.name}')`));
          continue;
        }
        const here = describeField(field);
        const there = describeField(match);
        if (here !== there) found.push(`field ${name}.${field.name}: proto/ has '${here}', upstream '${there}'`);
      }
    } else {
      if (!(theirs instanceof protobuf.Enum)) {
        found.push(`enum ${name}: ${theirs === null ? 'not upstream' : 'upstream it is not an enum'}`);
        continue;
      }
      for (const [value, number] of Object.entries(declaration.values)) {
        const upstreamNumber = theirs.values[value];
        if (upstreamNumber === undefined) found.push(`enum value ${name}.${value} = ${number}: not upstream`);
        else if (upstreamNumber !== number) found.push(`enum value ${name}.${value}: proto/ has ${number}, upstream ${upstreamNumber}`);
      }
      for (const [value, number] of Object.entries(theirs.values)) {
        if (!(value in declaration.values)) found.push(`enum value ${name}.${value} = ${number}: missing from proto/`);
      }
    }
  }
  return found;
}

/** Upstream fields of messages in `ours` that `ours` leaves out, as 'full.name = number'. */
function leftOut(ours: protobuf.Root, upstream: protobuf.Root): string[] {
  const found: string[] = [];
  for (const declaration of declarations(ours)) {
    const theirs = lookup(upstream, declaration.fullName);
    if (!(declaration instanceof protobuf.Type) || !(theirs instanceof protobuf.Type)) continue;
    for (const field of theirs.fieldsArray) {
      if (declaration.fields[field.name] === undefined) found.push(`${nameOf(declaration)}.${field.name} = ${field.id}`);
    }
  }
  return found.sort();
}

const ours = loadProtoTree(PROTO_ROOT_DIR);
const upstream = loadUpstream();

describe('proto/ matches Apache Mesos v1 message by message', () => {
  it('reads both trees: every .proto file of proto/ and of upstream', () => {
    expect(protoFiles(PROTO_ROOT_DIR)).toContain(path.join('mesos', 'v1', 'scheduler', 'scheduler.proto'));
    expect(protoFiles(UPSTREAM_DIR)).toContain(path.join('mesos', 'v1', 'executor', 'executor.proto'));
    // Enough of proto/ to mean something: the scheduler and operator APIs and what they use.
    const ourDeclarations = declarations(ours);
    expect(ourDeclarations.filter((d) => d instanceof protobuf.Type).length).toBeGreaterThan(150);
    expect(ourDeclarations.filter((d) => d instanceof protobuf.Enum).length).toBeGreaterThan(25);
  });

  it('every message, field, enum and enum value of proto/ is upstream with the same name, number, label and type', () => {
    const found = differences(ours, upstream);
    expect(found, `proto/ differs from upstream Mesos:\n  ${found.join('\n  ')}`).toEqual([]);
  });

  it('leaves out only the upstream fields it means to', () => {
    expect(leftOut(ours, upstream)).toEqual([...LEFT_OUT].sort());
  });

  it('spot checks of the comparison itself: numbers that are easy to get wrong agree', () => {
    for (const root of [ours, upstream]) {
      const taskState = root.lookupEnum('mesos.v1.TaskState').values;
      expect([taskState.TASK_STAGING, taskState.TASK_STARTING, taskState.TASK_KILLING]).toEqual([6, 0, 8]);
      const masterCall = root.lookupEnum('mesos.v1.master.Call.Type').values;
      const masterResponse = root.lookupEnum('mesos.v1.master.Response.Type').values;
      expect([masterCall.GET_STATE, masterResponse.GET_STATE]).toEqual([9, 8]);
    }
  });
});

describe('the comparison catches drift', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'pacer-proto-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** A copy of proto/ with one edit to scheduler.proto. */
  function editedCopy(name: string, from: string, to: string): protobuf.Root {
    const dir = path.join(scratch, name);
    cpSync(PROTO_ROOT_DIR, dir, { recursive: true });
    const file = path.join(dir, 'mesos', 'v1', 'scheduler', 'scheduler.proto');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(from);
    writeFileSync(file, text.replace(from, to));
    return loadProtoTree(dir);
  }

  it('a field number changed in proto/', () => {
    const edited = editedCopy('number', 'optional double heartbeat_interval_seconds = 2;', 'optional double heartbeat_interval_seconds = 12;');
    expect(differences(edited, upstream)).toEqual([
      "field mesos.v1.scheduler.Event.Subscribed.heartbeat_interval_seconds: proto/ has 'optional double = 12', upstream 'optional double = 2'",
    ]);
  });

  it('a field renamed, relabelled or retyped in proto/', () => {
    expect(differences(editedCopy('name', 'optional double heartbeat_interval_seconds = 2;', 'optional double heartbeat_seconds = 2;'), upstream)).toEqual([
      "field mesos.v1.scheduler.Event.Subscribed.heartbeat_seconds: not upstream (upstream number 2 is 'heartbeat_interval_seconds')",
    ]);
    expect(
      differences(editedCopy('label', 'optional double heartbeat_interval_seconds = 2;', 'required double heartbeat_interval_seconds = 2;'), upstream),
    ).toEqual(["field mesos.v1.scheduler.Event.Subscribed.heartbeat_interval_seconds: proto/ has 'required double = 2', upstream 'optional double = 2'"]);
    expect(
      differences(editedCopy('type', 'optional double heartbeat_interval_seconds = 2;', 'optional float heartbeat_interval_seconds = 2;'), upstream),
    ).toEqual(["field mesos.v1.scheduler.Event.Subscribed.heartbeat_interval_seconds: proto/ has 'optional float = 2', upstream 'optional double = 2'"]);
  });

  it('an enum value renumbered or missing in proto/', () => {
    expect(differences(editedCopy('enum', 'HEARTBEAT = 8;', 'HEARTBEAT = 18;'), upstream)).toEqual([
      'enum value mesos.v1.scheduler.Event.Type.HEARTBEAT: proto/ has 18, upstream 8',
    ]);
    expect(differences(editedCopy('enum-missing', 'HEARTBEAT = 8;', ''), upstream)).toEqual([
      'enum value mesos.v1.scheduler.Event.Type.HEARTBEAT = 8: missing from proto/',
    ]);
  });
});
