/**
 * Public input and output types of the offer-matching core.
 *
 * The offer-side types are structural subsets of the Mesos v1 JSON mapping (proto snake_case
 * field names), written here so that `src/matching` imports nothing from other layers: a Mesos
 * `Offer` decoded by `src/mesos` satisfies `MatchOffer` as it is.
 */

export interface MesosId {
  readonly value: string;
}

export interface MesosRange {
  readonly begin: number;
  readonly end: number;
}

export interface MesosLabel {
  readonly key: string;
  readonly value?: string;
}

export interface MesosReservation {
  readonly type?: string;
  readonly role?: string;
  readonly principal?: string;
  readonly labels?: { readonly labels?: readonly MesosLabel[] };
}

export type MesosValueType = 'SCALAR' | 'RANGES' | 'SET';

/** A Mesos `Resource`. Fields not listed are carried through untouched into launch resources. */
export interface MesosResource {
  readonly name: string;
  readonly type: MesosValueType;
  readonly scalar?: { readonly value: number };
  readonly ranges?: { readonly range?: readonly MesosRange[] };
  readonly set?: { readonly item?: readonly string[] };
  /** Legacy (pre-refinement) reservation role; `*` or absent means unreserved. */
  readonly role?: string;
  readonly reservation?: MesosReservation;
  /** Reservation stack (RESERVATION_REFINEMENT); the last element is the current reservation. */
  readonly reservations?: readonly MesosReservation[];
  readonly allocation_info?: { readonly role?: string };
  readonly disk?: {
    readonly persistence?: { readonly id: string; readonly principal?: string };
    readonly volume?: { readonly container_path?: string; readonly mode?: string };
    readonly source?: { readonly type?: string };
  };
  readonly revocable?: object;
  readonly shared?: object;
  readonly provider_id?: MesosId;
}

export interface MesosAttribute {
  readonly name: string;
  readonly type: 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';
  readonly scalar?: { readonly value: number };
  readonly ranges?: { readonly range?: readonly MesosRange[] };
  readonly set?: { readonly item?: readonly string[] };
  readonly text?: { readonly value: string };
}

export interface MesosDomain {
  readonly fault_domain?: {
    readonly region?: { readonly name: string };
    readonly zone?: { readonly name: string };
  };
}

/** A Mesos v1 `Offer` as far as matching needs it. */
export interface MatchOffer {
  readonly id: MesosId;
  readonly framework_id?: MesosId;
  readonly agent_id: MesosId;
  readonly hostname: string;
  readonly resources: readonly MesosResource[];
  readonly attributes?: readonly MesosAttribute[];
  readonly domain?: MesosDomain;
  readonly allocation_info?: { readonly role?: string };
  readonly unavailability?: {
    readonly start: { readonly nanoseconds: number };
    readonly duration?: { readonly nanoseconds: number };
  };
}

export type PlacementStrategy = 'binpack' | 'spread';

/** Where an already placed (running, staging, or planned) instance of the app lives. */
export interface PlacedInstance {
  readonly hostname: string;
  readonly region?: string;
  readonly zone?: string;
  readonly attributes?: readonly MesosAttribute[];
}

export interface PortRequest {
  /** Host port to hold when the request sets `requirePorts`; 0 (or no `requirePorts`) means any port. */
  readonly port: number;
  readonly name?: string;
}

/**
 * Identical pending instances of one app version, matched as one equivalence class.
 * Resource amounts use Marathon units: cpus, mem (MiB), disk (MiB), gpus.
 */
export interface LaunchRequest {
  /** Unique within one `match()` call, e.g. `/prod/web@2024-01-01T00:00:00.000Z`. */
  readonly key: string;
  /** Number of instances still to launch. */
  readonly count: number;
  readonly cpus: number;
  readonly mem: number;
  readonly disk?: number;
  readonly gpus?: number;
  /** Other scalar resources by Mesos resource name. */
  readonly scalars?: Readonly<Record<string, number>>;
  readonly ports?: readonly PortRequest[];
  readonly requirePorts?: boolean;
  /** Marathon constraint arrays: `[field, OPERATOR]` or `[field, OPERATOR, value]`. */
  readonly constraints?: readonly (readonly string[])[];
  /** Mesos role of the app (Marathon `role`); defaults to `MatchOptions.defaultRole`. */
  readonly role?: string;
  readonly acceptedResourceRoles?: readonly string[];
  /** App labels; `PACER_PLACEMENT_STRATEGY` and `GPU_SCHEDULING_BEHAVIOR` are read here. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Instances of this app that count for constraints (Marathon: instances of the current config). */
  readonly placed?: readonly PlacedInstance[];
  /**
   * Host ports an instance of this app just failed on (e.g. `Address already in use`): dynamic
   * ports are picked elsewhere when the offer has other free ones. Fixed ports are unaffected.
   */
  readonly avoidPorts?: readonly number[];
}

export type AcceptedRolesDefault = 'any' | 'unreserved' | 'reserved';

export interface MatchOptions {
  /** Epoch milliseconds; used for maintenance windows only. */
  readonly now: number;
  /**
   * Randomness of the round (agent order, dynamic host ports), drawn by the caller: production
   * draws a fresh one per round from a real random source, tests and benches fix it. Default 0.
   */
  readonly seed?: number;
  readonly strategy?: PlacementStrategy;
  readonly defaultRole?: string;
  /** Marathon `--accepted_resource_roles_default_behavior`; default `any` = {role, `*`}. */
  readonly acceptedResourceRolesDefault?: AcceptedRolesDefault;
  /** Marathon `--gpu_scheduling_behavior`; default `restricted`. */
  readonly gpuSchedulingBehavior?: 'restricted' | 'unrestricted';
  /** Marathon `--maintenance_mode`; default true. */
  readonly maintenanceMode?: boolean;
  readonly drainingSeconds?: number;
  /** Region of the Mesos master; offers from other regions need a `@region`/`@zone` constraint. */
  readonly localRegion?: string;
  /** Refuse seconds for offers nobody can use soon (Marathon `--decline_offer_duration`, 120 s). */
  readonly declineRefuseSeconds?: number;
  /** Refuse seconds for offers that a still-waiting app may fit once capacity frees up. */
  readonly starvedRefuseSeconds?: number;
  /**
   * Filter sent with ACCEPT for the unused remainder: 0 by default, as Marathon's TaskLauncherImpl
   * sends, so that an agent with room left is offered again in the next allocation and the next
   * `--max_instances_per_offer` instances land without waiting out a filter.
   */
  readonly acceptRefuseSeconds?: number;
  readonly maxLaunchesPerAgent?: number;
  /** How many unused offers each request's diagnosis lists. */
  readonly unusedOffersPerRequest?: number;
}

/** One task to launch: everything the orchestrator needs besides its own TaskInfo fields. */
export interface TaskPlacement {
  readonly requestKey: string;
  /** 0-based index among the request's pending instances, in placement order. */
  readonly instanceIndex: number;
  readonly agentId: string;
  readonly hostname: string;
  /**
   * Exact resources for TaskInfo.resources, identity fields copied from the offer. Tasks that
   * take equal amounts from one offered resource share that (read-only) resource object.
   */
  readonly resources: MesosResource[];
  /** Host ports in the order of `LaunchRequest.ports` (PORT0, PORT1, …). */
  readonly hostPorts: number[];
  /** Port names in declared order (undefined where the port has no name). */
  readonly portNames: readonly (string | undefined)[];
}

/** One ACCEPT call: all offers of one agent and one allocation role, with their launches. */
export interface AgentLaunch {
  readonly agentId: string;
  readonly hostname: string;
  readonly allocationRole?: string;
  readonly offerIds: string[];
  readonly tasks: TaskPlacement[];
  readonly refuseSeconds: number;
}

export interface OfferDecline {
  readonly offerIds: string[];
  readonly refuseSeconds: number;
}
