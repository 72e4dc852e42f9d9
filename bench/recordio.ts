/**
 * Event-stream decode throughput: RecordIO framing alone, and framing plus codec decode into
 * typed Events, for realistic OFFERS events (100 offers each) in JSON and protobuf, fed in
 * the chunk sizes an HTTP client actually hands over.
 *
 * Usage: npm run bench -- recordio [--runs N] [--mb SIZE]
 */
import { performance } from 'node:perf_hooks';
import { codecFor, type MediaType } from '../src/mesos/codec.js';
import { RecordIODecoder, encodeRecord } from '../src/mesos/recordio.js';
import type { Event, Offer, Resource } from '../src/mesos/types.js';

const ENCODINGS: readonly MediaType[] = ['application/json', 'application/x-protobuf'];
const CHUNK_SIZES = [16 * 1024, 64 * 1024] as const;

interface Settings {
  runs: number;
  /** Approximate stream size per run, in MB. */
  megabytes: number;
}

function parseArgs(args: string[]): Settings {
  const settings: Settings = { runs: 7, megabytes: 16 };
  for (let i = 0; i < args.length; i++) {
    const value = Number(args[i + 1]);
    if (args[i] === '--runs' && Number.isInteger(value) && value >= 5) {
      settings.runs = value;
      i++;
    } else if (args[i] === '--mb' && value > 0) {
      settings.megabytes = value;
      i++;
    } else {
      throw new Error(`unknown or invalid argument '${args[i]}' (use --runs N>=5, --mb SIZE)`);
    }
  }
  return settings;
}

function scalar(name: string, value: number, role: string): Resource {
  return { name, type: 'SCALAR', scalar: { value }, role, allocation_info: { role } };
}

function offer(i: number, role: string): Offer {
  const agent = `7c1a3b2e-9f4d-4e58-a1b6-${String(100000000000 + i).slice(-12)}-S${i % 50}`;
  const host = `agent-${String(i).padStart(4, '0')}.dc1.example.com`;
  return {
    id: { value: `5f0c8e4a-1d2b-4c3e-9a8f-0b1c2d3e4f50-O${1_000_000 + i}` },
    framework_id: { value: '5f0c8e4a-1d2b-4c3e-9a8f-0b1c2d3e4f50-0001' },
    agent_id: { value: agent },
    hostname: host,
    url: {
      scheme: 'http',
      address: { hostname: host, ip: `10.0.${(i >> 8) & 255}.${i & 255}`, port: 5051 },
      path: '/slave(1)',
    },
    domain: { fault_domain: { region: { name: 'eu-west-1' }, zone: { name: `eu-west-1${'abc'[i % 3]}` } } },
    resources: [
      scalar('cpus', 7.5 + (i % 8) * 0.25, role),
      scalar('mem', 30_000 + (i % 16) * 512, role),
      scalar('disk', 400_000 + i, role),
      {
        name: 'ports',
        type: 'RANGES',
        ranges: {
          range: [
            { begin: 31000, end: 31099 - (i % 7) },
            { begin: 31200 + (i % 13), end: 32000 },
          ],
        },
        role,
        allocation_info: { role },
      },
    ],
    attributes: [
      { name: 'rack', type: 'TEXT', text: { value: `rack-${i % 40}` } },
      { name: 'instance_type', type: 'TEXT', text: { value: 'm5.2xlarge' } },
      { name: 'ssd', type: 'TEXT', text: { value: i % 2 === 0 ? 'true' : 'false' } },
      { name: 'gen', type: 'SCALAR', scalar: { value: 5 } },
    ],
    allocation_info: { role },
  };
}

/** An OFFERS event of 100 offers shaped like a real cluster's; `batch` varies ids, hosts and roles. */
export function offersEvent(batch: number): Event {
  return {
    type: 'OFFERS',
    offers: { offers: Array.from({ length: 100 }, (_, i) => offer(batch * 100 + i, batch % 2 === 0 ? '*' : 'web')) },
  };
}

function buildStream(mediaType: MediaType, targetBytes: number): { stream: Buffer; events: number; eventBytes: number } {
  const codec = codecFor(mediaType);
  const parts: Uint8Array[] = [];
  let size = 0;
  let events = 0;
  while (size < targetBytes) {
    const record = encodeRecord(codec.encodeEvent(offersEvent(events)));
    parts.push(record);
    size += record.byteLength;
    events++;
  }
  return { stream: Buffer.concat(parts), events, eventBytes: Math.round(size / events) };
}

function chunk(stream: Buffer, chunkBytes: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let off = 0; off < stream.byteLength; off += chunkBytes) chunks.push(stream.subarray(off, off + chunkBytes));
  return chunks;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `work` once to warm up, then `runs` times; returns MB/s (10^6 bytes) per run. */
function measure(runs: number, bytes: number, work: () => number, expected: number): number[] {
  if (work() !== expected) throw new Error('bench sanity check failed: wrong number of records');
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    const count = work();
    const seconds = (performance.now() - start) / 1000;
    if (count !== expected) throw new Error('bench sanity check failed: wrong number of records');
    rates.push(bytes / 1e6 / seconds);
  }
  return rates;
}

interface Row {
  encoding: string;
  chunkBytes: number;
  eventBytes: number;
  medianMBps: number;
  framingOnlyMBps: number;
  /** Codec decode alone, on records already framed: shows where the time goes. */
  codecOnlyMBps: number;
}

export async function run(args: string[]): Promise<void> {
  const settings = parseArgs(args);
  const rows: Row[] = [];
  for (const mediaType of ENCODINGS) {
    const codec = codecFor(mediaType);
    const { stream, events, eventBytes } = buildStream(mediaType, settings.megabytes * 1e6);
    const records: Uint8Array[] = new RecordIODecoder().push(stream);
    const codecOnly = median(
      measure(
        settings.runs,
        stream.byteLength,
        () => {
          let n = 0;
          for (const rec of records) if (codec.decodeEvent(rec).type === 'OFFERS') n++;
          return n;
        },
        events,
      ),
    );
    for (const chunkBytes of CHUNK_SIZES) {
      const chunks = chunk(stream, chunkBytes);
      const framing = measure(
        settings.runs,
        stream.byteLength,
        () => {
          const decoder = new RecordIODecoder();
          let n = 0;
          for (const c of chunks) n += decoder.push(c).length;
          decoder.end();
          return n;
        },
        events,
      );
      const full = measure(
        settings.runs,
        stream.byteLength,
        () => {
          const decoder = new RecordIODecoder();
          let n = 0;
          for (const c of chunks) {
            for (const rec of decoder.push(c)) if (codec.decodeEvent(rec).type === 'OFFERS') n++;
          }
          decoder.end();
          return n;
        },
        events,
      );
      rows.push({
        encoding: mediaType === 'application/json' ? 'json' : 'protobuf',
        chunkBytes,
        eventBytes,
        medianMBps: median(full),
        framingOnlyMBps: median(framing),
        codecOnlyMBps: codecOnly,
      });
    }
    // Let the garbage of one encoding go before measuring the next.
    await new Promise((resolve) => setImmediate(resolve));
  }

  const fmt = (n: number): string => n.toFixed(1).padStart(10);
  process.stdout.write(
    `decode = framing + codec into typed Events; codec = decode of already framed records; offers/s from decode\n` +
      `OFFERS events of 100 offers, ~${settings.megabytes} MB per run, median of ${settings.runs} runs (MB = 10^6 bytes)\n` +
      `${'encoding'.padEnd(10)}${'chunk'.padStart(8)}${'event B'.padStart(10)}${'decode MB/s'.padStart(13)}${'framing MB/s'.padStart(14)}${'codec MB/s'.padStart(12)}${'offers/s'.padStart(12)}\n`,
  );
  for (const r of rows) {
    process.stdout.write(
      `${r.encoding.padEnd(10)}${String(r.chunkBytes / 1024).padStart(6)}Ki${String(r.eventBytes).padStart(10)}` +
        `${fmt(r.medianMBps).padStart(13)}${fmt(r.framingOnlyMBps).padStart(14)}${fmt(r.codecOnlyMBps).padStart(12)}` +
        `${String(Math.round(((r.medianMBps * 1e6) / r.eventBytes) * 100)).padStart(12)}\n`,
    );
  }
  for (const r of rows) {
    process.stdout.write(
      `${JSON.stringify({
        bench: 'recordio',
        encoding: r.encoding,
        chunkBytes: r.chunkBytes,
        medianMBps: Number(r.medianMBps.toFixed(1)),
        framingOnlyMBps: Number(r.framingOnlyMBps.toFixed(1)),
      })}\n`,
    );
  }
}
