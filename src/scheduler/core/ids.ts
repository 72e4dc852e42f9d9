/**
 * Marathon's instance and task ids (marathon.md §7):
 *   instance `<safePath>.instance-<uuid v1>`, task `<instanceId>._app.<incarnation>`,
 * where safePath is the app path with `/` replaced by `_` (`/prod/web` -> `prod_web`).
 * Parsers also accept the older shapes Marathon still reads, so tasks launched by an older
 * scheduler under the same framework are recognised instead of killed as strangers.
 */
import { randomBytes } from 'node:crypto';
import { CoreError } from './errors.js';

export const APP_CONTAINER = '_app';

/** `/prod/web` -> `prod_web`. Path segments never contain `_`, so this is reversible. */
export function safePath(appId: string): string {
  return appId
    .split('/')
    .filter((s) => s.length > 0)
    .join('_');
}

/** `prod_web` -> `/prod/web`. */
export function appIdFromSafePath(safe: string): string {
  return `/${safe
    .split('_')
    .filter((s) => s.length > 0)
    .join('/')}`;
}

// Time-based UUIDs sort by creation time when their time fields are read, which is why Marathon
// uses them for instances. Node has no v1 generator, hence these few lines (RFC 4122 §4.2).
const GREGORIAN_TO_UNIX_MS = 12_219_292_800_000n;
const NODE = randomBytes(6);
NODE[0]! |= 0x01; // multicast bit: a random node id, not a MAC address
const CLOCK_SEQ = randomBytes(2).readUInt16BE(0) & 0x3fff;
let lastMs = 0;
let ticksThisMs = 0;

export function uuidV1(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    ticksThisMs = 0;
  } else if (++ticksThisMs >= 10_000) {
    // More than 10,000 ids in one millisecond: borrow from the next one to stay unique.
    lastMs++;
    ticksThisMs = 0;
  }
  const ticks = (BigInt(lastMs) + GREGORIAN_TO_UNIX_MS) * 10_000n + BigInt(ticksThisMs);
  const hex = (value: bigint, digits: number): string => value.toString(16).padStart(digits, '0');
  const timeLow = hex(ticks & 0xffff_ffffn, 8);
  const timeMid = hex((ticks >> 32n) & 0xffffn, 4);
  const timeHiAndVersion = hex(((ticks >> 48n) & 0x0fffn) | 0x1000n, 4);
  const clockSeq = ((CLOCK_SEQ & 0x3fff) | 0x8000).toString(16).padStart(4, '0');
  return `${timeLow}-${timeMid}-${timeHiAndVersion}-${clockSeq}-${NODE.toString('hex')}`;
}

/** Epoch milliseconds encoded in a v1 UUID, or undefined for other versions. */
export function uuidV1Time(uuid: string): number | undefined {
  const m = /^([0-9a-f]{8})-([0-9a-f]{4})-1([0-9a-f]{3})-[0-9a-f]{4}-[0-9a-f]{12}$/i.exec(uuid);
  if (!m) return undefined;
  const ticks = BigInt(`0x${m[3]}${m[2]}${m[1]}`);
  return Number(ticks / 10_000n - GREGORIAN_TO_UNIX_MS);
}

export function newInstanceId(appId: string, nowMs?: number): string {
  const safe = safePath(appId);
  if (safe === '') throw new CoreError('PACER_CORE_BAD_ID', `cannot derive an instance id from app id '${appId}'`);
  return `${safe}.instance-${uuidV1(nowMs)}`;
}

export function taskIdOf(instanceId: string, incarnation: number): string {
  return `${instanceId}.${APP_CONTAINER}.${incarnation}`;
}

export interface ParsedInstanceId {
  instanceId: string;
  appId: string;
  prefix: 'instance-' | 'marathon-';
  uuid: string;
}

const INSTANCE_ID = /^(.+)\.(instance-|marathon-)([^.]+)$/;

export function parseInstanceId(id: string): ParsedInstanceId | undefined {
  const m = INSTANCE_ID.exec(id);
  if (!m) return undefined;
  return { instanceId: id, appId: appIdFromSafePath(m[1]!), prefix: m[2] as ParsedInstanceId['prefix'], uuid: m[3]! };
}

export interface ParsedTaskId {
  taskId: string;
  instanceId: string;
  appId: string;
  /** `_app` for apps; a container name for pods; undefined for pre-instance ids. */
  container: string | undefined;
  /** Undefined for the forms without one (`<instanceId>._app`, legacy `<safePath>.<uuid>`). */
  incarnation: number | undefined;
}

// Instance-era: `<instanceId>.<container>.<n>` and `<instanceId>.<container>`.
const TASK_WITH_INCARNATION = /^((.+)\.(?:instance-|marathon-)[^._]+)\.([^.]+)\.(\d+)$/;
const TASK_WITHOUT_INCARNATION = /^((.+)\.(?:instance-|marathon-)[^._]+)\.([^.]+)$/;
// Before instances: `<safePath>.<uuid>` or `<safePath>_<uuid>`, resident `<safePath>.<uuid>.<n>`.
const LEGACY_RESIDENT_TASK = /^(.+)[._]([^._]+)\.(\d+)$/;
const LEGACY_TASK = /^(.+)[._]([^._]+)$/;

export function parseTaskId(taskId: string): ParsedTaskId | undefined {
  let m = TASK_WITH_INCARNATION.exec(taskId);
  if (m) return { taskId, instanceId: m[1]!, appId: appIdFromSafePath(m[2]!), container: m[3]!, incarnation: Number(m[4]) };
  m = TASK_WITHOUT_INCARNATION.exec(taskId);
  if (m) return { taskId, instanceId: m[1]!, appId: appIdFromSafePath(m[2]!), container: m[3]!, incarnation: undefined };
  m = LEGACY_RESIDENT_TASK.exec(taskId);
  if (m) {
    return { taskId, instanceId: `${m[1]!}.marathon-${m[2]!}`, appId: appIdFromSafePath(m[1]!), container: undefined, incarnation: Number(m[3]) };
  }
  m = LEGACY_TASK.exec(taskId);
  if (m) return { taskId, instanceId: `${m[1]!}.marathon-${m[2]!}`, appId: appIdFromSafePath(m[1]!), container: undefined, incarnation: undefined };
  return undefined;
}
