/**
 * One matching round: many pending requests against many offers in one pass.
 *
 * 1. agents.ts merges offers per agent into groups of exact resource entries.
 * 2. prepare.ts compiles each request once; invalid ones are reported and skipped.
 * 3. eligibility.ts computes static verdicts per class; eligible agents enter a candidate
 *    index shared by the requests with equal demand and verdicts (search.ts gives a request
 *    a private one when its placement constraints make it skip too many shared agents).
 * 4. Requests take turns, one instance per turn (round-robin fairness). Each turn walks the
 *    request's index in strategy order; see search.ts.
 * 5. Launches become one ACCEPT per group; everything else is declined with refuse seconds.
 */
import { OfferBook } from './agents.js';
import { CandidateIndex } from './candidate-index.js';
import { FieldDictionary, placedFieldValue } from './constraints/values.js';
import type { ParsedConstraint } from './constraints/parse.js';
import { PlacementCounter } from './constraints/placement.js';
import { staticVerdicts } from './eligibility.js';
import { MatchingInputError } from './errors.js';
import { demandKey, prepareRequest, type PreparedRequest } from './prepare.js';
import { ProfileView, RoleProfiles } from './roles.js';
import { SeededRandom } from './rng.js';
import { ScratchPool } from './scratch.js';
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

export function match(input: MatchInput): MatchResult {
  const pool = ScratchPool.acquire();
  try {
    return matchRound(input, pool);
  } finally {
    pool.release();
  }
}

function matchRound(input: MatchInput, pool: ScratchPool): MatchResult {
  const options = input.options;
  const rng = new SeededRandom(options.seed ?? 0);
  const book = new OfferBook(input.offers, pool);
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
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the offers/requests come from callers in plain JS or JSON too; the types say what is valid, not what arrived
      invalidRequests.push({ key: typeof request?.key === 'string' ? request.key : undefined, error: p });
    } else if (seenKeys.has(p.key)) {
      invalidRequests.push({ key: p.key, error: new MatchingInputError('PACER_MATCH_DUPLICATE_KEY', 'key', `duplicate request key ${p.key}`) });
    } else {
      seenKeys.add(p.key);
      prepared.push(p);
    }
  }
  const views = profiles.list.map((profile) => new ProfileView(profile, book));

  // Field dictionaries number the values the round's agents have.
  const dictionaries = new Map<string, FieldDictionary>();
  const agentOffers = book.groups.map((g) => g.offers[0]!);
  const addDictionary = (c: ParsedConstraint) => {
    if (!dictionaries.has(c.field)) dictionaries.set(c.field, new FieldDictionary(c.field, agentOffers));
  };
  for (const p of prepared) {
    p.staticConstraints.forEach(addDictionary);
    p.placementConstraints.forEach(addDictionary);
  }

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
  const search = new Search(book, views, rng, pool, order, options.maxLaunchesPerAgent ?? Number.POSITIVE_INFINITY, minimum);
  const staticCache = new Map<string, Uint32Array>();
  const sharedIndexes = new Map<string, CandidateIndex>();
  const states: RequestState[] = [];
  for (const p of prepared) {
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
    const placed = p.request.placed ?? [];
    const counters = p.placementConstraints.map((c) => {
      const dictionary = dictionaries.get(c.field)!;
      const counter = new PlacementCounter(c, dictionary, pool.int32(dictionary.size));
      for (const instance of placed) counter.addPlaced(placedFieldValue(instance, c.field));
      return counter;
    });
    const shareKey = demandKey(p);
    let index = sharedIndexes.get(shareKey);
    if (!index) {
      index = search.sharedIndex(verdicts);
      sharedIndexes.set(shareKey, index);
    }
    states.push(new RequestState(p, view, verdicts, counters, index, pool));
  }

  search.placeRoundRobin(states);

  const launches: AgentLaunch[] = [];
  for (let g = 0; g < book.groups.length; g++) {
    const tasks = search.tasks[g];
    if (!tasks) continue;
    const group = book.groups[g]!;
    const offerIds = group.offers.map((o) => o.id.value);
    const refuseSeconds = options.acceptRefuseSeconds ?? 0;
    // Two literal shapes rather than a conditional spread, which builds the object slowly.
    launches.push(
      group.allocationRole !== undefined
        ? { agentId: group.agentId, hostname: group.hostname, allocationRole: group.allocationRole, offerIds, tasks, refuseSeconds }
        : { agentId: group.agentId, hostname: group.hostname, offerIds, tasks, refuseSeconds },
    );
  }
  const limit = options.unusedOffersPerRequest ?? 10;
  const diagnoser = new Diagnoser(book, search, limit, pool);
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
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the offers/requests come from callers in plain JS or JSON too; the types say what is valid, not what arrived
      offerId: typeof offer?.id?.value === 'string' ? offer.id.value : undefined,
      error,
    })),
  };
}
