import { randomBytes, randomUUID } from 'node:crypto';

/** Identifier formats of upstream Mesos: `<master id>-<4 digits>` for frameworks,
 * `<master id>-O<n>` for offers, and 16 random bytes (base64 in JSON) for status update uuids. */
export class IdGenerator {
  private nextFramework = 0;
  private nextOffer = 0;

  constructor(readonly masterId: string = randomUUID()) {}

  frameworkId(): string {
    return `${this.masterId}-${String(this.nextFramework++).padStart(4, '0')}`;
  }

  offerId(): string {
    return `${this.masterId}-O${this.nextOffer++}`;
  }
}

/** Random bytes drawn a block at a time: one `randomBytes(16)` per status cost ~9 µs, most of a
 * status update's time at 100,000 tasks. */
const UUID_BLOCK = 16 * 256;
let uuidPool = Buffer.alloc(0);
let uuidOffset = 0;

export function newStatusUuid(): string {
  if (uuidOffset + 16 > uuidPool.length) {
    uuidPool = randomBytes(UUID_BLOCK);
    uuidOffset = 0;
  }
  const uuid = uuidPool.toString('base64', uuidOffset, uuidOffset + 16);
  uuidOffset += 16;
  return uuid;
}

/** True when a base64 `bytes` value decodes to exactly the 16 bytes of a UUID. */
export function isValidUuidBytes(base64: string): boolean {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return false;
  return Buffer.from(base64, 'base64').length === 16;
}

/** IPv4 packed into a uint32 in network byte order, read as a little-endian host integer, which
 * is what upstream puts in `MasterInfo.ip`. */
export function packIpv4(ip: string): number {
  const parts = ip.split('.').map((p) => Number(p));
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return 0;
  return (parts[0]! | (parts[1]! << 8) | (parts[2]! << 16) | (parts[3]! << 24)) >>> 0;
}
