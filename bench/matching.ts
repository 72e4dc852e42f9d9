/**
 * Offer-matching throughput: the real matcher against a rescanning first-fit baseline
 * (bench/baseline-matcher.ts) on the same scenarios, in the same process. Offers arrive in
 * batches (default 1,000 per match() call); requests carry over between batches with the
 * instances placed so far passed as `placed`, as the orchestrator would.
 *
 * Usage: npm run bench -- matching [--reps N] [--baseline-reps N] [--batch N] [--only S1,S2]
 *        [--baseline-order constraints-first|resources-first|both]
 * The baseline checks constraints (with their rescans) before resources, as the issue
 * describes; `both` also times the resources-first ordering and prints its ratio beside.
 * Prints progress lines, then one JSON line per scenario (medians over the repetitions).
 * Each batch is timed as one match() call on that batch's offers with the requests still
 * pending; p99BatchMs is the 99th percentile of those per-call times within a run (with one or
 * two full batches per run that is the slowest batch), then the median over the runs.
 * p99BatchCpuMs is the same over the process CPU time of each call (main thread plus GC
 * helpers): on a shared machine it tells the call's own cost from time spent waiting for a core.
 */
import { performance } from 'node:perf_hooks';
import { match, type LaunchRequest, type MatchOffer, type PlacedInstance } from '../src/matching/index.js';
import { baselineMatch, type BaselineOrder } from './baseline-matcher.js';
import { scenarios, type Scenario } from './matching-scenarios.js';

interface Settings {
  reps: number;
  baselineReps: number;
  batch: number;
  only: string[] | undefined;
  baselineOrders: BaselineOrder[];
}

function parseArgs(args: string[]): Settings {
  const s: Settings = { reps: 15, baselineReps: 3, batch: 1000, only: undefined, baselineOrders: ['constraints-first'] };
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    const n = Number(next);
    if (args[i] === '--reps' && Number.isInteger(n) && n > 0) {
      s.reps = n;
      i++;
    } else if (args[i] === '--baseline-reps' && Number.isInteger(n) && n > 0) {
      s.baselineReps = n;
      i++;
    } else if (args[i] === '--batch' && Number.isInteger(n) && n > 0) {
      s.batch = n;
      i++;
    } else if (args[i] === '--only' && next) {
      s.only = next.split(',');
      i++;
    } else if (args[i] === '--baseline-order' && (next === 'constraints-first' || next === 'resources-first')) {
      s.baselineOrders = [next];
      i++;
    } else if (args[i] === '--baseline-order' && next === 'both') {
      s.baselineOrders = ['constraints-first', 'resources-first'];
      i++;
    }
  }
  return s;
}

interface RunStats {
  placements: number;
  totalMs: number;
  batchMs: number[];
  batchCpuMs: number[];
  agentsUsed: number;
}

function placedOf(offer: MatchOffer): PlacedInstance {
  return {
    hostname: offer.hostname,
    ...(offer.domain?.fault_domain?.zone ? { zone: offer.domain.fault_domain.zone.name } : {}),
    ...(offer.domain?.fault_domain?.region ? { region: offer.domain.fault_domain.region.name } : {}),
    attributes: offer.attributes ?? [],
  };
}

function runFast(scenario: Scenario, batch: number, seed: number): RunStats {
  const remaining = new Map(scenario.apps.map((a) => [a.key, a.count]));
  const placed = new Map<string, PlacedInstance[]>(scenario.apps.map((a) => [a.key, []]));
  const byAgent = new Map(scenario.agents.map((o) => [o.agent_id.value, o]));
  const used = new Set<string>();
  const batchMs: number[] = [];
  const batchCpuMs: number[] = [];
  let placements = 0;
  let totalMs = 0;
  for (let start = 0; start < scenario.agents.length; start += batch) {
    const requests: LaunchRequest[] = scenario.apps
      .filter((a) => remaining.get(a.key)! > 0)
      .map((a) => ({ ...a, count: remaining.get(a.key)!, placed: placed.get(a.key)! }));
    if (requests.length === 0) break; // the orchestrator would have suppressed offers
    const offers = scenario.agents.slice(start, start + batch);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = match({ offers, requests, options: { now: 0, seed, strategy: scenario.strategy, localRegion: 'region-1' } });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    batchCpuMs.push((cpu.user + cpu.system) / 1000);
    batchMs.push(ms);
    totalMs += ms;
    for (const launch of result.launches) {
      used.add(launch.agentId);
      for (const task of launch.tasks) {
        placements++;
        remaining.set(task.requestKey, remaining.get(task.requestKey)! - 1);
        placed.get(task.requestKey)!.push(placedOf(byAgent.get(task.agentId)!));
      }
    }
  }
  return { placements, totalMs, batchMs, batchCpuMs, agentsUsed: used.size };
}

function runBaseline(scenario: Scenario, batch: number, order: BaselineOrder): RunStats {
  const remaining = new Map(scenario.apps.map((a) => [a.key, a.count]));
  const placed = new Map<string, PlacedInstance[]>();
  const used = new Set<string>();
  const batchMs: number[] = [];
  let placements = 0;
  let totalMs = 0;
  for (let start = 0; start < scenario.agents.length; start += batch) {
    const requests = scenario.apps.filter((a) => remaining.get(a.key)! > 0).map((a) => ({ ...a, count: remaining.get(a.key)! }));
    if (requests.length === 0) break;
    const offers = scenario.agents.slice(start, start + batch);
    const t0 = performance.now();
    const result = baselineMatch(offers, requests, placed, order);
    const ms = performance.now() - t0;
    batchMs.push(ms);
    totalMs += ms;
    for (const p of result) {
      placements++;
      used.add(p.agentId);
      remaining.set(p.appKey, remaining.get(p.appKey)! - 1);
    }
  }
  return { placements, totalMs, batchMs, batchCpuMs: [], agentsUsed: used.size };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const FAST_WARMUP_RUNS = 3;

const round1 = (x: number) => Math.round(x * 10) / 10;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

export async function run(args: string[]): Promise<void> {
  const settings = parseArgs(args);
  const lines: string[] = [];
  for (const scenario of scenarios()) {
    if (settings.only && !settings.only.includes(scenario.name)) continue;
    const tasks = scenario.apps.reduce((n, a) => n + a.count, 0);
    // Warm-up: the matcher's code runs a few thousand iterations per call and needs several
    // calls before the JIT has optimized it; the baseline's inner loops run millions per call.
    for (let w = 0; w < FAST_WARMUP_RUNS; w++) runFast(scenario, settings.batch, w + 1);
    const [order, ...otherOrders] = settings.baselineOrders as [BaselineOrder, ...BaselineOrder[]];
    for (const o of settings.baselineOrders) runBaseline(scenario, settings.batch, o);
    // Spread the baseline's runs evenly among the matcher's so both see the same share of a
    // noisy machine's load.
    const fast: RunStats[] = [];
    const base = new Map<BaselineOrder, RunStats[]>(settings.baselineOrders.map((o) => [o, []]));
    const runBaselines = (due: number) => {
      for (const [o, stats] of base) while (stats.length < due) stats.push(runBaseline(scenario, settings.batch, o));
    };
    for (let r = 0; r < settings.reps; r++) {
      fast.push(runFast(scenario, settings.batch, r + 1));
      runBaselines(Math.floor(((r + 1) * settings.baselineReps) / settings.reps));
    }
    runBaselines(settings.baselineReps);
    const rateOf = (runs: RunStats[]) => median(runs.map((s) => (s.placements / s.totalMs) * 1000));
    const fastRate = rateOf(fast);
    const mainBase = base.get(order)!;
    const baseRate = rateOf(mainBase);
    const line = {
      scenario: scenario.name,
      agents: scenario.agents.length,
      tasks,
      placed: median(fast.map((s) => s.placements)),
      placementsPerSec: Math.round(fastRate),
      p99BatchMs: round3(median(fast.map((s) => percentile(s.batchMs, 99)))),
      p99BatchCpuMs: round3(median(fast.map((s) => percentile(s.batchCpuMs, 99)))),
      medianBatchMs: round3(median(fast.map((s) => median(s.batchMs)))),
      batches: fast[0]!.batchMs.length,
      agentsUsed: median(fast.map((s) => s.agentsUsed)),
      strategy: scenario.strategy,
      baselineOrder: order,
      baselinePlaced: median(mainBase.map((s) => s.placements)),
      baselinePlacementsPerSec: Math.round(baseRate),
      baselineAgentsUsed: median(mainBase.map((s) => s.agentsUsed)),
      // Both sides ran the full scenario; the ratio is of placement rates on the same input.
      speedupVsBaseline: round1(fastRate / baseRate),
      ...Object.fromEntries(otherOrders.map((o) => [`speedupVsBaseline_${o}`, round1(fastRate / rateOf(base.get(o)!))])),
      reps: settings.reps,
      baselineReps: settings.baselineReps,
      batchSize: settings.batch,
    };
    process.stdout.write(
      `${scenario.name}: ${line.placementsPerSec} placements/s, p99 batch ${line.p99BatchMs} ms (cpu ${line.p99BatchCpuMs} ms), ${line.speedupVsBaseline}x baseline (${order})\n`,
    );
    lines.push(JSON.stringify(line));
  }
  for (const line of lines) process.stdout.write(`${line}\n`);
}
