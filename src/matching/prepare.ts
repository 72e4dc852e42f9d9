/**
 * LaunchRequest → PreparedRequest, once per round: validated numbers, milli-unit demand,
 * parsed constraints split into static and placement ones, role profile, strategy.
 */
import { parseConstraints, isStaticConstraint, type ParsedConstraint } from './constraints/parse.js';
import { MatchingInputError } from './errors.js';
import type { Demand } from './fit.js';
import { acceptedRolesFor, type RoleProfile, type RoleProfiles } from './roles.js';
import type { AcceptedRolesDefault, LaunchRequest, PlacementStrategy } from './types.js';
import { CPUS, DISK, GPUS, MEM, toMilli, type DimensionTable } from './units.js';

export const STRATEGY_LABEL = 'PACER_PLACEMENT_STRATEGY';
export const GPU_BEHAVIOR_LABEL = 'GPU_SCHEDULING_BEHAVIOR';

export interface PreparedRequest {
  readonly request: LaunchRequest;
  readonly key: string;
  readonly count: number;
  readonly role: string;
  readonly profile: RoleProfile;
  readonly demand: Demand;
  readonly strategy: PlacementStrategy;
  /** Restricted GPU behaviour and no GPUs asked: agents with GPUs are declined. */
  readonly avoidGpuAgents: boolean;
  readonly staticConstraints: ParsedConstraint[];
  readonly placementConstraints: ParsedConstraint[];
  /** Marathon accepts remote-region offers only for apps constraining @region or @zone. */
  readonly faultDomainAware: boolean;
  /** Same key ⇒ same static verdict per agent. */
  readonly staticKey: string;
}

export interface PrepareSettings {
  readonly defaultRole: string;
  readonly acceptedRolesDefault: AcceptedRolesDefault;
  readonly strategy: PlacementStrategy;
  readonly gpuRestricted: boolean;
}

function bad(path: string, message: string): MatchingInputError {
  return new MatchingInputError('PACER_MATCH_BAD_REQUEST', path, message);
}

function amount(value: unknown, path: string): number | MatchingInputError {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return bad(path, `${path} must be a finite number >= 0`);
  return toMilli(value);
}

export function prepareRequest(
  request: LaunchRequest,
  dims: DimensionTable,
  profiles: RoleProfiles,
  settings: PrepareSettings,
): PreparedRequest | MatchingInputError {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the offers/requests come from callers in plain JS or JSON too; the types say what is valid, not what arrived
  if (typeof request?.key !== 'string' || request.key === '') return bad('key', 'key must be a non-empty string');
  if (!Number.isSafeInteger(request.count) || request.count < 0) return bad('count', 'count must be an integer >= 0');
  const needs = new Map<number, number>();
  for (const [dim, value, path] of [
    [CPUS, request.cpus, 'cpus'],
    [MEM, request.mem, 'mem'],
    [DISK, request.disk, 'disk'],
    [GPUS, request.gpus, 'gpus'],
  ] as const) {
    const milli = amount(value, path);
    if (milli instanceof MatchingInputError) return milli;
    if (milli > 0) needs.set(dim, milli);
  }
  for (const [name, value] of Object.entries(request.scalars ?? {})) {
    const milli = amount(value, `scalars.${name}`);
    if (milli instanceof MatchingInputError) return milli;
    if (milli > 0) {
      const dim = dims.idOf(name);
      needs.set(dim, (needs.get(dim) ?? 0) + milli);
    }
  }
  const hostPorts: number[] = [];
  for (const [i, p] of (request.ports ?? []).entries()) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the offers/requests come from callers in plain JS or JSON too; the types say what is valid, not what arrived
    if (!Number.isInteger(p?.port) || p.port < 0 || p.port > 65535) return bad(`ports[${i}].port`, 'port must be an integer in 0..65535');
    hostPorts.push(request.requirePorts ? p.port : 0);
  }
  const fixedPorts = hostPorts.filter((p) => p !== 0);
  if (new Set(fixedPorts).size !== fixedPorts.length) return bad('ports', 'Ports must be unique.');
  if (request.avoidPorts !== undefined && (!Array.isArray(request.avoidPorts) || !request.avoidPorts.every((p) => Number.isInteger(p)))) {
    return bad('avoidPorts', 'avoidPorts must be an array of integers');
  }

  const constraints = parseConstraints(request.constraints);
  if (constraints instanceof MatchingInputError) return constraints;

  const labels = request.labels ?? {};
  const strategyLabel = labels[STRATEGY_LABEL];
  if (strategyLabel !== undefined && strategyLabel !== 'binpack' && strategyLabel !== 'spread') {
    return new MatchingInputError('PACER_MATCH_BAD_LABEL', `labels.${STRATEGY_LABEL}`, `${STRATEGY_LABEL} must be binpack or spread`);
  }
  const gpuLabel = labels[GPU_BEHAVIOR_LABEL];
  // Marathon ignores an unknown GPU_SCHEDULING_BEHAVIOR value and falls back to the flag.
  const gpuRestricted = gpuLabel === 'restricted' ? true : gpuLabel === 'unrestricted' ? false : settings.gpuRestricted;

  const role = request.role ?? settings.defaultRole;
  if (typeof role !== 'string' || role === '') return bad('role', 'role must be a non-empty string');
  const profile = profiles.intern(role, acceptedRolesFor(role, request.acceptedResourceRoles, settings.acceptedRolesDefault));

  const sortedDims = [...needs.keys()].sort((a, b) => a - b);
  const demand: Demand = {
    dims: Int32Array.from(sortedDims),
    amounts: Float64Array.from(sortedDims.map((d) => needs.get(d)!)),
    hostPorts,
    fixedPorts,
    dynamicPorts: hostPorts.length - fixedPorts.length,
    avoidPorts: request.avoidPorts ?? [],
  };
  const staticConstraints = constraints.filter(isStaticConstraint);
  const faultDomainAware = constraints.some((c) => c.field === '@region' || c.field === '@zone');
  const avoidGpuAgents = gpuRestricted && !needs.has(GPUS);
  const staticKey = [
    profile.id,
    avoidGpuAgents ? 1 : 0,
    faultDomainAware ? 1 : 0,
    ...staticConstraints.map((c) => `${c.field}\u0001${c.operator}\u0001${c.value}`).sort(),
  ].join('\u0000');
  return {
    request,
    key: request.key,
    count: request.count,
    role,
    profile,
    demand,
    strategy: strategyLabel ?? settings.strategy,
    avoidGpuAgents,
    staticConstraints,
    placementConstraints: constraints.filter((c) => !isStaticConstraint(c)),
    faultDomainAware,
    staticKey,
  };
}

/** Requests with equal keys share one candidate index: same demand, same static verdicts. */
export function demandKey(p: PreparedRequest): string {
  return `${p.staticKey}\u0002${p.strategy}\u0002${[...p.demand.dims].join(',')}\u0002${[...p.demand.amounts].join(',')}\u0002${p.demand.hostPorts.join(',')}`;
}
