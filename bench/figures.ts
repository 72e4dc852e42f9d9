/**
 * What several benches measure the same way: HTTP latency of a GET as medians, a process's peak
 * RSS, and rounding for the JSON line each bench ends with.
 */
import { readFile } from 'node:fs/promises';
import { request } from 'undici';

export class BenchFigureError extends Error {
  readonly code = 'PACER_BENCH_FIGURE';
}

export async function getText(url: string): Promise<{ status: number; text: string }> {
  const res = await request(url, { method: 'GET', headersTimeout: 60_000, bodyTimeout: 60_000 });
  return { status: res.statusCode, text: await res.body.text() };
}

export async function sendJson(method: 'POST' | 'PUT', url: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await request(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    headersTimeout: 120_000,
    bodyTimeout: 120_000,
  });
  return { status: res.statusCode, text: await res.body.text() };
}

/** VmHWM: the highest resident set the process has had so far (it only grows). */
export async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  if (match === null) throw new BenchFigureError(`no VmHWM in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new BenchFigureError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Times `samples` sequential GETs to the last byte of the body, as curl measures: the body is
 * taken as raw chunks, not decoded into a string while the clock runs (building a 54 MiB string
 * took this process about 0.4 s, which is the client's cost, not the server's). The last body is
 * decoded afterwards, checked to be JSON, and returned for further checks.
 */
export async function latency(url: string, samples: number): Promise<{ medianMs: number; bytes: number; text: string }> {
  const times: number[] = [];
  let chunks: Buffer[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const res = await request(url, { method: 'GET', headersTimeout: 60_000, bodyTimeout: 60_000 });
    chunks = [];
    for await (const chunk of res.body) chunks.push(chunk as Buffer);
    times.push(performance.now() - started);
    if (res.statusCode !== 200) throw new BenchFigureError(`GET ${url} answered ${res.statusCode}`);
  }
  const body = Buffer.concat(chunks);
  const text = body.toString('utf8');
  try {
    JSON.parse(text);
  } catch (err) {
    throw new BenchFigureError(`GET ${url} answered a body that is not JSON: ${(err as Error).message}`);
  }
  return { medianMs: median(times), bytes: body.length, text };
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
