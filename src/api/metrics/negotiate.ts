/**
 * `GET /metrics` answers Marathon's JSON unless the client clearly asks for Prometheus text: it
 * names `text/plain` or `application/openmetrics-text` with a higher quality than any explicit
 * `application/json`. So `*\/*`, no Accept, browsers and `application/json, text/plain, *\/*`
 * (axios) get JSON as from Marathon, and a Prometheus scraper (openmetrics/text/plain with q
 * values, no JSON) gets text.
 */

const TEXT_TYPES = new Set(['text/plain', 'application/openmetrics-text']);
const JSON_TYPE = 'application/json';

export function prefersPrometheusText(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  let textQ = 0;
  let jsonQ = 0;
  for (const range of accept.split(',')) {
    const [rawType = '', ...params] = range.split(';');
    const type = rawType.trim().toLowerCase();
    const q = qualityOf(params);
    if (TEXT_TYPES.has(type)) textQ = Math.max(textQ, q);
    else if (type === JSON_TYPE) jsonQ = Math.max(jsonQ, q);
  }
  return textQ > 0 && textQ > jsonQ;
}

function qualityOf(params: readonly string[]): number {
  for (const param of params) {
    const [key = '', value = ''] = param.split('=');
    if (key.trim().toLowerCase() !== 'q') continue;
    const q = Number(value.trim());
    return Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0;
  }
  return 1;
}
