/**
 * One matching round: many pending requests against many offers in one pass.
 *
 * 1. agents.ts merges offers per agent into groups of exact resource entries.
 * 2. prepare.ts compiles each request once; invalid ones are reported and skipped.
 * 3. eligibility.ts computes static verdicts per class; eligible agents enter a candidate
 *    index (shared by requests with equal demand and no placement constraints, private
 *    otherwise so that UNIQUE/MAX_PER/CLUSTER refusals can drop agents for good).
 * 4. Requests take turns, one instance per turn (round-robin fairness). Each turn walks the
 *    request's index in strategy order; see search.ts.
 * 5. Launches become one ACCEPT per group; everything else is declined with refuse seconds.
 */
import { OfferBook } from './agents.js';
import { CandidateIndex } from './candidate-index.js';
import { FieldDictionary, placedFieldValue } from './constraints/values.js';
import { PlacementCounter } from './constraints/placement.js';
import { staticVerdicts } from './eligibility.js';
import { MatchingInputError } from './errors.js';
import { demandKey, prepareRequest, type PreparedRequest } from './prepare.js';
import { ProfileView, RoleProfiles } from './roles.js';
import { SeededRandom } from './rng.js';
import { RequestState, Search } from './search.js';
import { buildDeclines, Diagnoser } from './diagnosis.js';
import type { MatchResult } from './outcome.js';
import type { AgentLaunch, LaunchRequest, MatchOffer, MatchOptions } from './types.js';
import { CPUS, MEM } from './units.js';

export interface MatchInput {
  readonly offers: readonly MatchOffer[];
  readonly requests: readonly LaunchRequest[];
  readonly options: MatchOptions;
}

/** GROUP_BY fields with at most this many values get one index partition per value. */
const MAX_PARTITIONS = 64;

export function match(input: MatchInput): MatchResult {
  const options = input.options;
  const rng = new SeededRandom(options.seed ?? 0);
  const book = new OfferBook(input.offers);
  const profiles = new RoleProfiles();
  const invalidRequests: MatchResult['invalidRequests'][number][] = [];
  const prepared: PreparedRequest[] = [];
  const seenKeys = new Set<string>();
  for (const request of input.requests) {
    const p = prepareRequest(request, book.dims, profiles, {
      defaultRole: options.defaultRole ?? '*',
      acceptedRolesDefault: options.acceptedResourceRolesDefault ?? 'any',
      strategy: options.strategy ?? 'binpack',
      gpuRestricted: (options.gpuSchedulingBehavior ?? 'restricted') === 'restricted',
    });
    if (p instanceof MatchingInputError) {
      invalidRequests.push({ key: typeof request?.key === 'string' ? request.key : undefined, error: p });
    } else if (seenKeys.has(p.key)) {
      invalidRequests.push({ key: p.key, error: new MatchingInputError('PACER_ERR_MATCH_DUPLICATE_KEY', 'key', `duplicate request key ${p.key}`) });
    } else {
      seenKeys.add(p.key);
      prepared.push(p);
    }
  }
  const views = profiles.list.map((profile) => new ProfileView(profile, book));

  // Field dictionaries: agents' values first, then values only placed instances have.
  const dictionaries = new Map<string, FieldDictionary>();
  const agentOffers = book.groups.map((g) => g.offers[0]!);
  for (const p of prepared) {
    for (const c of [...p.staticConstraints, ...p.placementConstraints]) {
      if (!dictionaries.has(c.field)) dictionaries.set(c.field, new FieldDictionary(c.field, agentOffers));
    }
  }
  const placedIds = prepared.map((p) =>
    p.placementConstraints.map((c) => {
      const dict = dictionaries.get(c.field)!;
      return (p.request.placed ?? []).map((inst) => dict.idOf(placedFieldValue(inst, c.field)));
    }),
  );

  const order = rng.shuffle(book.groups.map((_, g) => g));
  const minimum = { cpus: Number.POSITIVE_INFINITY, mem: Number.POSITIVE_INFINITY };
  for (const p of prepared) {
    if (p.count === 0) continue;
    const need = (dim: number) => {
      const i = p.demand.dims.indexOf(dim);
      return i < 0 ? 0 : p.demand.amounts[i]!;
    };
    minimum.cpus = Math.min(minimum.cpus, need(CPUS));
    minimum.mem = Math.min(minimum.mem, need(MEM));
  }
  const search = new Search(book, views, rng, options.maxLaunchesPerAgent ?? Number.POSITIVE_INFINITY, minimum);
  const staticCache = new Map<string, Uint32Array>();
  const sharedIndexes = new Map<string, CandidateIndex>();
  const states: RequestState[] = [];
  for (const [i, p] of prepared.entries()) {
    const view = views[p.profile.id]!;
    let verdicts = staticCache.get(p.staticKey);
    if (!verdicts) {
      verdicts = staticVerdicts(book, p, view, dictionaries, {
        nowMs: options.now,
        maintenanceMode: options.maintenanceMode ?? true,
        drainingSeconds: options.drainingSeconds ?? 0,
        localRegion: options.localRegion,
      });
      staticCache.set(p.staticKey, verdicts);
    }
    const counters = p.placementConstraints.map((c, ci) => {
      const counter = new PlacementCounter(c, dictionaries.get(c.field)!);
      for (const id of placedIds[i]![ci]!) counter.add(id);
      return counter;
    });
    const partitionBy = counters.find((c) => c.constraint.operator === 'GROUP_BY' && c.dictionary.size <= MAX_PARTITIONS + 1);
    let index: CandidateIndex | undefined;
    const shareKey = counters.length === 0 ? demandKey(p) : undefined;
    if (shareKey !== undefined) index = sharedIndexes.get(shareKey);
    if (!index) {
      index = partitionBy
        ? new CandidateIndex(book.groups.length, partitionBy.dictionary.agentValues, partitionBy.dictionary.size)
        : new CandidateIndex(book.groups.length);
      search.register(index, order, verdicts);
      if (shareKey !== undefined) sharedIndexes.set(shareKey, index);
    }
    states.push(new RequestState(p, view, verdicts, counters, index, partitionBy));
  }

  // Round-robin: every waiting request places one instance per turn, in input order.
  let active = states.filter((s) => s.remaining > 0);
  while (active.length > 0) {
    let kept = 0;
    for (const state of active) {
      const g = search.findAgent(state);
      if (g < 0) continue;
      search.place(state, g);
      if (state.remaining > 0) active[kept++] = state;
    }
    active.length = kept;
  }

  const launches: AgentLaunch[] = [];
  for (const g of book.groups.keys()) {
    const tasks = search.tasks[g];
    if (!tasks) continue;
    const group = book.groups[g]!;
    launches.push({
      agentId: group.agentId,
      hostname: group.hostname,
      ...(group.allocationRole !== undefined ? { allocationRole: group.allocationRole } : {}),
      offerIds: group.offers.map((o) => o.id.value),
      tasks,
      refuseSeconds: options.acceptRefuseSeconds ?? 5,
    });
  }
  const limit = options.unusedOffersPerRequest ?? 10;
  const diagnoser = new Diagnoser(book, search, limit);
  const requests = states.map((s) => diagnoser.diagnose(s));
  const declines = buildDeclines(book, search, states, book.invalid, {
    long: options.declineRefuseSeconds ?? 120,
    short: options.starvedRefuseSeconds ?? 5,
  });
  return {
    launches,
    declines,
    suppress: states.every((s) => s.remaining === 0),
    requests,
    invalidRequests,
    invalidOffers: book.invalid.map(({ offer, error }) => ({
      offerId: typeof offer?.id?.value === 'string' ? offer.id.value : undefined,
      error,
    })),
  };
}

