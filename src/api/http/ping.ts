/**
 * `/ping` content negotiation (SystemResource.ping): the client's Accept ranges, best first,
 * are matched against text/plain, text/html, application/json and text/*. JSON clients get the
 * JSON string `"pong"`, text clients `pong`, and anyone else 204 with no body.
 */

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
  order: number;
}

const VARIANTS: ReadonlyArray<[string, string]> = [
  ['text', 'plain'],
  ['text', 'html'],
  ['application', 'json'],
  ['text', '*'],
];

function parseAccept(header: string | undefined): MediaRange[] {
  if (header === undefined || header.trim() === '') return [{ type: '*', subtype: '*', q: 1, order: 0 }];
  const ranges: MediaRange[] = [];
  header.split(',').forEach((part, order) => {
    const [mediaType, ...params] = part.trim().split(';');
    const [type, subtype] = (mediaType ?? '').trim().toLowerCase().split('/');
    if (!type || !subtype) return;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.trim().split('=');
      if (k === 'q' && v !== undefined) q = Number.isFinite(Number(v)) ? Number(v) : 0;
    }
    if (q > 0) ranges.push({ type, subtype, q, order });
  });
  const specificity = (r: MediaRange): number => (r.type === '*' ? 0 : r.subtype === '*' ? 1 : 2);
  return ranges.sort((a, b) => b.q - a.q || specificity(b) - specificity(a) || a.order - b.order);
}

const compatible = (a: string, b: string): boolean => a === '*' || b === '*' || a === b;

export function negotiatePing(accept: string | undefined): { contentType: string; body: string } | undefined {
  for (const range of parseAccept(accept)) {
    const variant = VARIANTS.find(([t, s]) => compatible(range.type, t) && compatible(range.subtype, s));
    if (variant === undefined) continue;
    const [type, subtype] = variant;
    if (type === 'application') return { contentType: 'application/json', body: '"pong"' };
    return { contentType: subtype === '*' ? 'text/plain' : `${type}/${subtype}`, body: 'pong' };
  }
  return undefined;
}
