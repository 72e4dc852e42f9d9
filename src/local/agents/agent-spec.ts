import os from 'node:os';

import type { Attribute, Resource, ResourceReservationInfo, ValueRange, ValueType } from '../../mesos/types.js';
import { parseValueText, tokenize, ValueTextError, type ParsedValue } from './value-text.js';

/**
 * Agent flags as a Mesos agent reads them: `--resources` (`cpus:4;mem:8192;ports:[31000-32000]`,
 * `cpus(role):2`, or a JSON array of Resource objects) and `--attributes` (`rack:r1;level:3`).
 * Rules follow upstream's Resources::fromString / Attributes::parse, except that bad input is a
 * typed error instead of a crash.
 */

export type AgentSpecErrorCode = 'PACER_INVALID_AGENT_RESOURCES' | 'PACER_INVALID_AGENT_ATTRIBUTES';

export class AgentSpecError extends Error {
  constructor(
    readonly code: AgentSpecErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AgentSpecError';
  }
}

const DEFAULT_ROLE = '*';

export function parseAgentResources(text: string, defaultRole: string = DEFAULT_ROLE): Resource[] {
  const trimmed = text.trim();
  const resources = trimmed.startsWith('[') && looksLikeJson(trimmed) ? resourcesFromJson(trimmed, defaultRole) : resourcesFromSimpleString(text, defaultRole);
  for (const resource of resources) validateResource(resource);
  validateConsistentTypes(resources);
  return resources;
}

export function parseAgentAttributes(text: string): Attribute[] {
  const attributes: Attribute[] = [];
  for (const token of tokenize(text, ';\n')) {
    const colon = token.indexOf(':');
    const name = colon < 0 ? '' : token.slice(0, colon);
    const valueText = colon < 0 ? '' : token.slice(colon + 1);
    if (name.length === 0 || valueText.length === 0) {
      throw new AgentSpecError('PACER_INVALID_AGENT_ATTRIBUTES', `Invalid attribute key:value pair '${token}'`);
    }
    const value = parseOrThrow('PACER_INVALID_AGENT_ATTRIBUTES', `attribute ${name}`, valueText);
    attributes.push(attributeFrom(name, value, valueText));
  }
  return attributes;
}

function attributeFrom(name: string, value: ParsedValue, valueText: string): Attribute {
  switch (value.type) {
    case 'SCALAR':
      return { name, type: 'SCALAR', scalar: { value: value.scalar } };
    case 'RANGES':
      return { name, type: 'RANGES', ranges: { range: value.ranges } };
    case 'TEXT':
      return { name, type: 'TEXT', text: { value: value.text } };
    case 'SET':
      // Mesos attributes are TEXT, SCALAR or RANGES; a set is refused, as upstream does.
      throw new AgentSpecError(
        'PACER_INVALID_AGENT_ATTRIBUTES',
        `Bad type for attribute ${name} text ${valueText} type SET (attributes may be text, scalars or ranges)`,
      );
  }
}

function resourcesFromSimpleString(text: string, defaultRole: string): Resource[] {
  const resources: Resource[] = [];
  for (const token of tokenize(text, ';')) {
    const pair = tokenize(token, ':');
    if (pair.length !== 2) {
      throw new AgentSpecError('PACER_INVALID_AGENT_RESOURCES', `Bad value for resources, missing or extra ':' in ${token}`);
    }
    const [key, valueText] = pair as [string, string];
    let name = key.trim();
    let role = defaultRole;
    const open = key.indexOf('(');
    if (open >= 0) {
      const close = key.indexOf(')');
      if (close < 0 || close < open) {
        throw new AgentSpecError('PACER_INVALID_AGENT_RESOURCES', `Bad value for resources, mismatched parentheses in ${token}`);
      }
      name = key.slice(0, open).trim();
      role = key.slice(open + 1, close).trim();
    }
    const value = parseOrThrow('PACER_INVALID_AGENT_RESOURCES', `resource ${name}`, valueText);
    resources.push(resourceFrom(name, value, valueText, role));
  }
  return resources;
}

function resourceFrom(name: string, value: ParsedValue, valueText: string, role: string): Resource {
  const base: Resource = { name, type: value.type };
  if (role !== DEFAULT_ROLE) base.reservations = [{ type: 'STATIC', role }];
  switch (value.type) {
    case 'SCALAR':
      return { ...base, scalar: { value: value.scalar } };
    case 'RANGES':
      return { ...base, ranges: { range: value.ranges } };
    case 'SET':
      return { ...base, set: { item: value.items } };
    case 'TEXT':
      throw new AgentSpecError(
        'PACER_INVALID_AGENT_RESOURCES',
        `Failed to parse resource ${name} value ${valueText}: expected a non-negative number, [ranges] or {set}`,
      );
  }
}

function parseOrThrow(code: AgentSpecErrorCode, what: string, valueText: string): ParsedValue {
  try {
    return parseValueText(valueText);
  } catch (error) {
    if (error instanceof ValueTextError) {
      throw new AgentSpecError(code, `Failed to parse ${what} value ${valueText}: ${error.message}`);
    }
    throw error;
  }
}

function looksLikeJson(text: string): boolean {
  // `[31000-32000]` is not a resources string anyway, but a JSON array always opens with `[{`
  // or `[]` once spaces are dropped.
  const compact = text.replace(/\s+/g, '');
  return compact.startsWith('[{') || compact === '[]';
}

const VALUE_TYPES: readonly ValueType[] = ['SCALAR', 'RANGES', 'SET', 'TEXT'];

function resourcesFromJson(text: string, defaultRole: string): Resource[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new AgentSpecError('PACER_INVALID_AGENT_RESOURCES', `Resources JSON is malformed: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new AgentSpecError('PACER_INVALID_AGENT_RESOURCES', 'Resources JSON must be an array');
  return parsed.map((entry, index) => resourceFromJson(entry, index, defaultRole));
}

/** `value[key]` when `value` is an object, else undefined: reads operator-supplied JSON. */
function member(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const found: unknown = Reflect.get(value, key);
  return found;
}

function resourceFromJson(entry: unknown, index: number, defaultRole: string): Resource {
  const bad = (why: string): AgentSpecError =>
    new AgentSpecError('PACER_INVALID_AGENT_RESOURCES', `Some JSON resources were not formatted properly: [${index}] ${why}`);
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw bad('not an object');
  const record = entry as Record<string, unknown>;
  if (typeof record.name !== 'string') throw bad("missing string 'name'");
  if (typeof record.type !== 'string' || !VALUE_TYPES.includes(record.type as ValueType)) {
    throw bad("'type' must be one of SCALAR, RANGES, SET");
  }
  const resource: Resource = { name: record.name, type: record.type as ValueType };
  if (record.scalar !== undefined) {
    const value = member(record.scalar, 'value');
    if (typeof value !== 'number') throw bad("'scalar.value' must be a number");
    resource.scalar = { value };
  }
  if (record.ranges !== undefined) {
    const range = member(record.ranges, 'range') ?? [];
    if (!Array.isArray(range)) throw bad("'ranges.range' must be an array");
    resource.ranges = {
      range: range.map((r: unknown) => {
        const { begin, end } = (r ?? {}) as { begin?: unknown; end?: unknown };
        if (!Number.isInteger(begin) || !Number.isInteger(end) || (begin as number) < 0) {
          throw bad("ranges need non-negative integer 'begin' and 'end'");
        }
        return { begin: begin as number, end: end as number };
      }),
    };
  }
  if (record.set !== undefined) {
    const item = member(record.set, 'item') ?? [];
    if (!Array.isArray(item) || !item.every((i): i is string => typeof i === 'string')) throw bad("'set.item' must be strings");
    resource.set = { item };
  }
  if (record.revocable !== undefined) {
    throw bad('Revocable resources cannot be specified at the command line');
  }
  if (record.disk !== undefined && member(record.disk, 'persistence') !== undefined) {
    throw bad('Persistent volumes cannot be specified at the command line');
  }
  const reservations = reservationsFromJson(record, defaultRole, bad);
  if (reservations.length > 0) resource.reservations = reservations;
  return resource;
}

function reservationsFromJson(record: Record<string, unknown>, defaultRole: string, bad: (why: string) => AgentSpecError): ResourceReservationInfo[] {
  if (Array.isArray(record.reservations)) {
    return record.reservations.map((r: unknown) => {
      const { type, role } = (r ?? {}) as { type?: unknown; role?: unknown };
      if (type === 'DYNAMIC') throw bad('Dynamic reservations cannot be specified at the command line');
      if (typeof role !== 'string') throw bad("reservations need a string 'role'");
      return { type: 'STATIC', role };
    });
  }
  // The pre-reservation-refinement `role` field, upgraded as upstream's upgradeResource does.
  const role = typeof record.role === 'string' ? record.role : defaultRole;
  return role === DEFAULT_ROLE ? [] : [{ type: 'STATIC', role }];
}

function validateResource(resource: Resource): void {
  const fail = (why: string): never => {
    throw new AgentSpecError('PACER_INVALID_AGENT_RESOURCES', `Invalid resource '${resource.name}': ${why}`);
  };
  if (resource.name.length === 0) fail('Empty resource name');
  switch (resource.type) {
    case 'SCALAR': {
      if (resource.scalar === undefined || resource.ranges !== undefined || resource.set !== undefined) {
        fail('Invalid scalar resource');
      }
      const value = resource.scalar!.value;
      if (!Number.isFinite(value)) fail('Invalid scalar resource: value is not finite');
      // Upstream compares in fixed point (three decimals): a non-zero value that rounds to <= 0 is refused.
      if (value !== 0 && Math.round(value * 1000) <= 0) fail('Invalid scalar resource: value <= 0');
      break;
    }
    case 'RANGES': {
      if (resource.ranges === undefined || resource.scalar !== undefined || resource.set !== undefined) {
        fail('Invalid ranges resource');
      }
      const ranges = resource.ranges!.range ?? [];
      for (const range of ranges) {
        if (range.begin > range.end) fail('Invalid ranges resource: begin > end');
      }
      if (hasOverlap(ranges)) {
        fail('Invalid ranges resource: overlapping ranges');
      }
      break;
    }
    case 'SET': {
      if (resource.set === undefined || resource.scalar !== undefined || resource.ranges !== undefined) {
        fail('Invalid set resource');
      }
      const items = resource.set!.item ?? [];
      if (new Set(items).size !== items.length) fail('Invalid set resource: duplicated elements');
      break;
    }
    case 'TEXT':
      fail('Unsupported resource type');
  }
  for (const reservation of resource.reservations ?? []) {
    const error = roleError(reservation.role ?? '');
    if (error !== undefined) fail(error);
  }
}

function hasOverlap(ranges: readonly ValueRange[]): boolean {
  const sorted = [...ranges].sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i += 1) {
    if (sorted[i]!.begin <= sorted[i - 1]!.end) return true;
  }
  return false;
}

function validateConsistentTypes(resources: readonly Resource[]): void {
  const types = new Map<string, ValueType>();
  for (const resource of resources) {
    const known = types.get(resource.name);
    if (known !== undefined && known !== resource.type) {
      throw new AgentSpecError('PACER_INVALID_AGENT_RESOURCES', `Resources with the same name ('${resource.name}') but different types are not allowed`);
    }
    types.set(resource.name, resource.type);
  }
}

/** Role name rules of upstream's roles::validate. */
export function roleError(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role.length === 0) return 'Role names cannot be the empty string';
  if (role.startsWith('/')) return `Role '${role}' cannot start with a slash`;
  if (role.endsWith('/')) return `Role '${role}' cannot end with a slash`;
  if (role.includes('//')) return `Role '${role}' cannot contain two adjacent slashes`;
  for (const component of role.split('/')) {
    if (component === '.' || component === '..' || component === '*') {
      return `Role '${role}' cannot include '${component}' as a component`;
    }
    if (component.startsWith('-')) return `Role component '${component}' is invalid because it starts with a dash`;
    if (/[\s\\]/.test(component)) return `Role component '${component}' is invalid because it contains whitespace or a backslash`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Defaults, ids, hostnames
// ---------------------------------------------------------------------------------------------

export interface ResourceDefaults {
  cpus?: number;
  memMb?: number;
  diskMb?: number;
  ports?: ValueRange[];
}

const DEFAULT_DISK_MB = 10 * 1024;
const DEFAULT_PORTS: ValueRange = { begin: 31000, end: 32000 };

/**
 * Adds cpus, mem, disk and ports when the flags leave them out, as a Mesos agent does: cpus from
 * the machine, memory = total minus 1 GB (half of it on small machines), disk 10 GB, ports
 * [31000-32000]. Explicit `defaults` win over the machine's figures.
 */
export function completeAgentResources(resources: readonly Resource[], defaults: ResourceDefaults = {}): Resource[] {
  const names = new Set(resources.map((r) => r.name));
  const completed = [...resources];
  if (!names.has('cpus')) completed.push({ name: 'cpus', type: 'SCALAR', scalar: { value: defaults.cpus ?? os.cpus().length } });
  if (!names.has('mem')) completed.push({ name: 'mem', type: 'SCALAR', scalar: { value: defaults.memMb ?? machineMemoryMb() } });
  if (!names.has('disk')) completed.push({ name: 'disk', type: 'SCALAR', scalar: { value: defaults.diskMb ?? DEFAULT_DISK_MB } });
  if (!names.has('ports')) {
    completed.push({ name: 'ports', type: 'RANGES', ranges: { range: defaults.ports ?? [{ ...DEFAULT_PORTS }] } });
  }
  return completed;
}

function machineMemoryMb(): number {
  const total = os.totalmem();
  const gigabyte = 1024 ** 3;
  const usable = total >= 2 * gigabyte ? total - gigabyte : total / 2;
  return Math.floor(usable / (1024 * 1024));
}

/**
 * Splits a port range into `count` disjoint slices; slice `index` goes to agent `index`. Local
 * process agents share one machine, so two tasks given the same port on different agents would
 * collide; disjoint slices keep the offers honest.
 */
export function portRangeSlice(index: number, count: number, range: ValueRange = DEFAULT_PORTS): ValueRange {
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`portRangeSlice: index ${index} outside 0..${count - 1}`);
  }
  const size = Math.floor((range.end - range.begin + 1) / count);
  if (size < 1) throw new RangeError(`portRangeSlice: range ${range.begin}-${range.end} too small for ${count} agents`);
  const begin = range.begin + index * size;
  const end = index === count - 1 ? range.end : begin + size - 1;
  return { begin, end };
}

/** Agent ids the way a Mesos master mints them: `<masterId>-S<n>`. */
export function agentIdFor(masterId: string, sequence: number): string {
  return `${masterId}-S${sequence}`;
}

/**
 * Hostnames for local agents. Process agents run on this machine, so they carry its reachable
 * name (tasks are contacted there). Simulated agents get distinct names under `.localhost`
 * (which resolves to loopback) so hostname constraints such as UNIQUE behave as on a cluster.
 */
export function agentHostnameFor(kind: 'process' | 'simulated', sequence: number, machineHostname = 'localhost'): string {
  return kind === 'process' ? machineHostname : `simulated-agent-${sequence}.localhost`;
}
