/**
 * Allocation-pass time of the embedded master (`npm run bench -- allocator [--passes N]`):
 * 1,000 and 10,000 in-memory agents, 1 and 10 frameworks. Three figures per case:
 * - full: every agent's resources are free, so the pass offers all of them (DRF choice, offer
 *   objects, one OFFERS event per framework): the cold start of a cluster;
 * - incremental: 1% of the agents had their offers declined since the last pass: steady state;
 * - idle: nothing changed since the last pass.
 * Medians over several passes, of wall time and of the process's CPU time (user + system, all
 * threads: the machines are shared, and CPU time says more about the pass than a wall clock
 * that also counts time spent waiting for a core); a table, then one JSON line per case.
 *
 * A pass is `LocalMaster.allocate()`: the DRF choice for every free agent, the Offer objects the
 * master sends and keeps, and the OFFERS events handed to each framework's connection (which
 * here only keeps them: encoding and HTTP are not part of the pass).
 */
import pino from 'pino';
import type { LocalAgent } from '../src/local/agents/agent.js';
import { LocalMaster, type FrameworkConnection } from '../src/local/master/master.js';
import type { Event, Offer, Resource } from '../src/mesos/types.js';

class CountingConnection implements FrameworkConnection {
  /** Offers received, one array per OFFERS event; flattened by `offers()` outside timed code. */
  private batches: Offer[][] = [];
  constructor(readonly streamId: string) {}
  send(event: Event): void {
    if (event.type === 'OFFERS') this.batches.push(event.offers?.offers ?? []);
  }
  offers(): Offer[] {
    if (this.batches.length !== 1) this.batches = [this.batches.flat()];
    return this.batches[0]!;
  }
  keepOnly(offers: Offer[]): void {
    this.batches = [offers];
  }
  close(): void {}
}

/** Wall and CPU milliseconds of one call. */
function timed(fn: () => void): { wallMs: number; cpuMs: number } {
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  fn();
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const RESOURCES: readonly Resource[] = [
  { name: 'cpus', type: 'SCALAR', scalar: { value: 8 } },
  { name: 'mem', type: 'SCALAR', scalar: { value: 32768 } },
  { name: 'disk', type: 'SCALAR', scalar: { value: 100000 } },
  { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }] } },
];

function fakeAgent(id: string): LocalAgent {
  return {
    id,
    hostname: `${id}.bench`,
    resources: RESOURCES,
    attributes: [{ name: 'rack', type: 'TEXT', text: { value: `r${id.length % 8}` } }],
    launchTask: () => undefined,
    launchGroup: () => undefined,
    killTask: () => undefined,
    sandboxOf: () => undefined,
    close: async () => undefined,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface CaseResult {
  agents: number;
  frameworks: number;
  passes: number;
  fullPassMedianMs: number;
  fullPassCpuMedianMs: number;
  incrementalPassMedianMs: number;
  incrementalPassCpuMedianMs: number;
  idlePassMedianMs: number;
  offersPerFullPass: number;
}

function runCase(agentCount: number, frameworkCount: number, passes: number): CaseResult {
  const master = new LocalMaster({ hostname: 'bench', ip: '127.0.0.1', port: 5050 }, pino({ level: 'silent' }));
  for (let i = 0; i < agentCount; i++) master.addAgent(fakeAgent(`agent-${i}`));
  const frameworks: { id: string; connection: CountingConnection }[] = [];
  for (let f = 0; f < frameworkCount; f++) {
    const connection = new CountingConnection(`stream-${f}`);
    master.subscribe({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'bench', name: `fw-${f}` } } }, connection);
    frameworks.push({ id: master.frameworkIds()[f]!, connection });
  }

  const full: number[] = [];
  const fullCpu: number[] = [];
  const incremental: number[] = [];
  const incrementalCpu: number[] = [];
  const idle: number[] = [];
  const declineAll = (share: number): void => {
    for (const fw of frameworks) {
      const offers = fw.connection.offers();
      const keep = Math.floor(offers.length * (1 - share));
      const offerIds = offers.slice(keep).map((o) => o.id);
      fw.connection.keepOnly(offers.slice(0, keep));
      if (offerIds.length > 0) {
        master.handleCall(
          { type: 'DECLINE', framework_id: { value: fw.id }, decline: { offer_ids: offerIds, filters: { refuse_seconds: 0 } } },
          fw.connection.streamId,
        );
      }
    }
  };
  let offersPerFullPass = 0;
  for (let p = 0; p < passes + 1; p++) {
    const fullPass = timed(() => {
      offersPerFullPass = master.allocate();
    });
    if (offersPerFullPass !== agentCount) throw new Error(`a full pass made ${offersPerFullPass} offers, not ${agentCount}`);
    declineAll(0.01);
    const incrementalPass = timed(() => master.allocate());
    const idlePass = timed(() => master.allocate());
    if (p > 0) {
      // The first round warms the JIT up; it is not counted.
      full.push(fullPass.wallMs);
      fullCpu.push(fullPass.cpuMs);
      incremental.push(incrementalPass.wallMs);
      incrementalCpu.push(incrementalPass.cpuMs);
      idle.push(idlePass.wallMs);
    }
    // Give everything back without filters, outside the timed region.
    declineAll(1);
  }
  void master.stop();
  return {
    agents: agentCount,
    frameworks: frameworkCount,
    passes,
    fullPassMedianMs: Number(median(full).toFixed(3)),
    fullPassCpuMedianMs: Number(median(fullCpu).toFixed(3)),
    incrementalPassMedianMs: Number(median(incremental).toFixed(3)),
    incrementalPassCpuMedianMs: Number(median(incrementalCpu).toFixed(3)),
    idlePassMedianMs: Number(median(idle).toFixed(4)),
    offersPerFullPass,
  };
}

function parsePasses(args: readonly string[]): number {
  const i = args.indexOf('--passes');
  const n = i >= 0 ? Number(args[i + 1]) : 7;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--passes needs a positive integer, got '${args[i + 1]}'`);
  return n;
}

export async function run(args: string[]): Promise<void> {
  const passes = parsePasses(args);
  const results: CaseResult[] = [];
  for (const agents of [1_000, 10_000]) {
    for (const frameworks of [1, 10]) results.push(runCase(agents, frameworks, passes));
  }
  const header = ['agents', 'frameworks', 'offers/full pass', 'full pass ms', 'full cpu ms', 'incremental (1%) ms', 'incr cpu ms', 'idle pass ms'];
  const rows = results.map((r) => [
    String(r.agents),
    String(r.frameworks),
    String(r.offersPerFullPass),
    r.fullPassMedianMs.toFixed(2),
    r.fullPassCpuMedianMs.toFixed(2),
    r.incrementalPassMedianMs.toFixed(2),
    r.incrementalPassCpuMedianMs.toFixed(2),
    r.idlePassMedianMs.toFixed(4),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  process.stdout.write(`${line(header)}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
  process.stdout.write(`(medians of ${passes} passes; target: under 20 ms per pass at 10,000 agents; CPU ms include GC threads)\n`);
  for (const r of results) process.stdout.write(`${JSON.stringify({ bench: 'allocator', ...r })}\n`);
}
