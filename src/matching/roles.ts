/**
 * Marathon's role rules. A request may use a resource when
 * - the resource is allocated to the request's role (`allocation_info.role`, when present), and
 * - the resource's reservation role is among the accepted roles: the app's
 *   `acceptedResourceRoles`, or by default (`--accepted_resource_roles_default_behavior`)
 *   `any` = {role, `*`}, `unreserved` = {`*`}, `reserved` = {role}.
 * Each distinct (role, accepted roles) pair is a profile with its own view of free amounts.
 */
import type { OfferBook } from './agents.js';
import type { AcceptedRolesDefault } from './types.js';

export interface RoleProfile {
  readonly id: number;
  readonly role: string;
  readonly accepted: ReadonlySet<string>;
}

export function acceptedRolesFor(role: string, acceptedResourceRoles: readonly string[] | undefined, defaultBehavior: AcceptedRolesDefault): Set<string> {
  if (acceptedResourceRoles && acceptedResourceRoles.length > 0) return new Set(acceptedResourceRoles);
  switch (defaultBehavior) {
    case 'unreserved':
      return new Set(['*']);
    case 'reserved':
      return new Set([role]);
    case 'any':
      return new Set([role, '*']);
  }
}

export class RoleProfiles {
  readonly list: RoleProfile[] = [];
  readonly #byKey = new Map<string, RoleProfile>();

  intern(role: string, accepted: Set<string>): RoleProfile {
    const key = `${role}\u0000${[...accepted].sort().join('\u0000')}`;
    let profile = this.#byKey.get(key);
    if (!profile) {
      profile = { id: this.list.length, role, accepted };
      this.list.push(profile);
      this.#byKey.set(key, profile);
    }
    return profile;
  }
}

/** Free amounts per (group, dimension) and free port counts per group, as one profile sees them. */
export class ProfileView {
  readonly profile: RoleProfile;
  readonly entryUsable: Uint8Array;
  readonly portUsable: Uint8Array;
  /** avail[g * dimCount + d] in milli-units. */
  readonly avail: Float64Array;
  readonly portsFree: Float64Array;
  /** Whether the group offers this profile at least one resource at all (else UnfulfilledRole). */
  readonly anyUsable: Uint8Array;
  readonly dimCount: number;

  constructor(profile: RoleProfile, book: OfferBook) {
    this.profile = profile;
    this.dimCount = book.dims.size;
    const groups = book.groups.length;
    this.entryUsable = new Uint8Array(book.entryResource.length);
    this.portUsable = new Uint8Array(book.portResource.length);
    this.avail = new Float64Array(groups * this.dimCount);
    this.portsFree = new Float64Array(groups);
    this.anyUsable = new Uint8Array(groups);
    for (let e = 0; e < this.entryUsable.length; e++) {
      const t = book.entryTraits[e]!;
      if (t.unusable || (t.allocationRole !== undefined && t.allocationRole !== profile.role) || !profile.accepted.has(t.reservationRole)) continue;
      this.entryUsable[e] = 1;
      const g = book.entryGroup[e]!;
      this.anyUsable[g] = 1;
      const slot = g * this.dimCount + book.entryDim[e]!;
      this.avail[slot] = this.avail[slot]! + book.entryRemaining[e]!;
    }
    for (let pe = 0; pe < this.portUsable.length; pe++) {
      const t = book.portTraits[pe]!;
      if (t.unusable || (t.allocationRole !== undefined && t.allocationRole !== profile.role) || !profile.accepted.has(t.reservationRole)) continue;
      this.portUsable[pe] = 1;
      const g = book.portGroup[pe]!;
      this.anyUsable[g] = 1;
      this.portsFree[g] = this.portsFree[g]! + book.freePortCount(pe);
    }
  }
}
