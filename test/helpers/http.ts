/**
 * Small JSON-over-HTTP helpers for black-box tests (undici), and a bounded polling wait.
 */
import { request } from 'undici';

export interface JsonResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed body; undefined when the body is empty or not JSON. */
  body: T;
  /** The raw body text. */
  text: string;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export async function httpJson<T = unknown>(method: Method, url: string, body?: unknown): Promise<JsonResponse<T>> {
  const res = await request(url, {
    method,
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });
  const text = await res.body.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.statusCode, headers: res.headers, body: parsed as T, text };
}

export const getJson = <T = unknown>(url: string): Promise<JsonResponse<T>> => httpJson<T>('GET', url);
export const postJson = <T = unknown>(url: string, body?: unknown): Promise<JsonResponse<T>> => httpJson<T>('POST', url, body);
export const putJson = <T = unknown>(url: string, body?: unknown): Promise<JsonResponse<T>> => httpJson<T>('PUT', url, body);
export const deleteJson = <T = unknown>(url: string): Promise<JsonResponse<T>> => httpJson<T>('DELETE', url);

/** Status code of a plain GET, or undefined when nothing answers (connection refused, reset…). */
export async function probeStatus(url: string, timeoutMs = 2_000): Promise<number | undefined> {
  try {
    const res = await request(url, { method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    await res.body.dump();
    return res.statusCode;
  } catch {
    return undefined;
  }
}

export class WaitTimeoutError extends Error {
  readonly code = 'PACER_TEST_WAIT_TIMEOUT';
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Names the condition in the timeout error. */
  what?: string;
}

/**
 * Polls `probe` until it returns something other than undefined/false, and returns that value.
 * Bounded by `timeoutMs`; the timeout error names the condition and the last value seen.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 100;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new WaitTimeoutError(`timed out after ${options.timeoutMs} ms waiting for ${options.what ?? 'condition'}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, Math.max(0, deadline - Date.now()))));
  }
}
