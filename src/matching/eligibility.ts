/**
 * Static verdicts per agent group for one class of requests (same role profile, static
 * constraints, GPU and fault-domain rules). Computed once per round and shared by every request
 * of the class: 0 = eligible, else the reason bits. Order is cheapest first.
 */
import type { OfferBook } from './agents.js';
import { staticConstraintHolds } from './constraints/static.js';
import type { FieldDictionary } from './constraints/values.js';
import type { PreparedRequest } from './prepare.js';
import { REASON_BIT } from './reasons.js';
import type { ProfileView } from './roles.js';

export interface EligibilitySettings {
  readonly nowMs: number;
  readonly maintenanceMode: boolean;
  readonly drainingSeconds: number;
  readonly localRegion: string | undefined;
}

export function staticVerdicts(
  book: OfferBook,
  request: PreparedRequest,
  view: ProfileView,
  dictionaries: ReadonlyMap<string, FieldDictionary>,
  settings: EligibilitySettings,
): Uint32Array {
  const groups = book.groups.length;
  const masks = new Uint32Array(groups);
  // Verdict cache per constraint and value id: 0 unknown, 1 holds, 2 fails.
  const caches = request.staticConstraints.map((c) => new Uint8Array(dictionaries.get(c.field)!.size));
  for (let g = 0; g < groups; g++) {
    const group = book.groups[g]!;
    let mask = 0;
    // Role first: a group offering this role nothing can never be used.
    if (!view.anyUsable[g] || (group.allocationRole !== undefined && group.allocationRole !== request.role)) {
      mask |= REASON_BIT.UnfulfilledRole;
    }
    for (let i = 0; i < request.staticConstraints.length; i++) {
      const c = request.staticConstraints[i]!;
      const dict = dictionaries.get(c.field)!;
      const valueId = dict.agentValues[g]!;
      const cache = caches[i]!;
      if (cache[valueId] === 0) cache[valueId] = staticConstraintHolds(c, dict.strings[valueId]) ? 1 : 2;
      if (cache[valueId] === 2) {
        mask |= REASON_BIT.UnfulfilledConstraint;
        break;
      }
    }
    if (settings.maintenanceMode && book.inMaintenance(g, settings.nowMs, settings.drainingSeconds)) {
      // Marathon records both reasons for an agent in maintenance.
      mask |= REASON_BIT.UnfulfilledConstraint | REASON_BIT.AgentMaintenance;
    }
    if (request.avoidGpuAgents && group.gpusOffered) mask |= REASON_BIT.DeclinedScarceResources;
    if (!request.faultDomainAware) {
      const region = group.offers[0]!.domain?.fault_domain?.region?.name;
      if (region !== undefined && region !== settings.localRegion) mask |= REASON_BIT.RemoteRegion;
    }
    masks[g] = mask;
  }
  return masks;
}
