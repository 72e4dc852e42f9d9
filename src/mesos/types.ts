/**
 * The Mesos v1 scheduler wire vocabulary in its JSON mapping (stout's protobuf <-> JSON rules):
 * proto field names in snake_case, enums as their value names, 64-bit integers as `number`,
 * `bytes` as base64 strings, repeated fields as arrays, maps as plain objects.
 *
 * The types are generated from proto/ into ./wire/ (scripts/wire-types.ts; nested messages are
 * named by joining their path, `Offer.Operation.Launch` -> `OfferOperationLaunch`); this module
 * re-exports those of packages mesos.v1 and mesos.v1.scheduler and adds what the codecs promise
 * beyond the proto. The protobuf codec produces exactly these objects too, so code never cares
 * which encoding was on the wire.
 */
import type * as scheduler from './wire/scheduler.js';
import type { TaskState } from './wire/mesos.js';

export type * from './wire/mesos.js';
export type * from './wire/scheduler.js';

/**
 * A scheduler Call. `type` is optional in the proto (for forward compatibility) but every real
 * call carries it, and the codecs reject a Call without one. A type this version does not know
 * decodes as 'UNKNOWN' (protobuf) or as the string sent (JSON).
 */
export interface Call extends scheduler.Call {
  type: scheduler.CallType;
}

/**
 * A scheduler Event. `type` is optional in the proto (for forward compatibility) but every real
 * event carries it, and the codecs reject an Event without one. A type this version does not know
 * decodes as 'UNKNOWN' (protobuf) or as the string sent (JSON).
 */
export interface Event extends scheduler.Event {
  type: scheduler.EventType;
}

/** Each TaskState once; the compiler rejects this table when proto/ gains or loses a state. */
const TASK_STATE_TABLE: Readonly<Record<TaskState, true>> = {
  TASK_STAGING: true,
  TASK_STARTING: true,
  TASK_RUNNING: true,
  TASK_KILLING: true,
  TASK_FINISHED: true,
  TASK_FAILED: true,
  TASK_KILLED: true,
  TASK_ERROR: true,
  TASK_LOST: true,
  TASK_DROPPED: true,
  TASK_UNREACHABLE: true,
  TASK_GONE: true,
  TASK_GONE_BY_OPERATOR: true,
  TASK_UNKNOWN: true,
};

export const TASK_STATES: readonly TaskState[] = Object.keys(TASK_STATE_TABLE) as TaskState[];

/**
 * Same set as upstream's protobuf::isTerminalState. TASK_UNREACHABLE and TASK_UNKNOWN are not
 * terminal: an unreachable task may come back, and an unknown one may still be running.
 */
export const TERMINAL_TASK_STATES: readonly TaskState[] = [
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
];

const terminalTaskStates: ReadonlySet<string> = new Set(TERMINAL_TASK_STATES);

export function isTerminalTaskState(state: TaskState): boolean {
  return terminalTaskStates.has(state);
}
