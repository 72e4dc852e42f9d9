/**
 * Marathon's `GET /metrics` body (RAML `NewMetrics`, version "4.0.0"): counters, gauges,
 * histograms, meters and timers keyed by metric name. Pacer's metrics live in Prometheus form, so
 * the mapping is:
 *   - key = Prometheus series name, labels appended as `{k="v",…}` (one key per series);
 *   - counter → `{count}`, gauge → `{value}`;
 *   - histograms named `*_seconds` → timers, others → histograms. Prometheus keeps buckets, not
 *     samples, so `min`/`max` are the edges of the outermost non-empty buckets and the percentiles
 *     and `stddev` are interpolated from the buckets; `mean` and `count` are exact. Timers carry
 *     `mean_rate` (calls per second since start) but not the exponentially weighted m1/m5/m15
 *     rates, which a bucket count cannot give;
 *   - meters: none (Pacer counts events with counters).
 */

export interface MarathonCounter {
  count: number;
}
export interface MarathonGauge {
  value: number;
}
export interface MarathonHistogram {
  count: number;
  min: number;
  mean: number;
  max: number;
  p50: number;
  p75: number;
  p95: number;
  p98: number;
  p99: number;
  p999: number;
  stddev: number;
}
export interface MarathonTimer extends MarathonHistogram {
  mean_rate: number;
  duration_units: 'seconds';
  rate_units: 'calls/second';
}
export interface MarathonMeter {
  count: number;
  mean_rate: number;
  units: string;
}

export interface MarathonMetrics {
  version: string;
  counters: Record<string, MarathonCounter>;
  gauges: Record<string, MarathonGauge>;
  histograms: Record<string, MarathonHistogram>;
  meters: Record<string, MarathonMeter>;
  timers: Record<string, MarathonTimer>;
}

/** What prom-client's `getMetricsAsJSON()` gives per metric (its typings say less than it returns). */
export interface PromMetricSnapshot {
  name: string;
  type: unknown;
  values: ReadonlyArray<{
    value: number;
    labels: Partial<Record<string, string | number>>;
    metricName?: string;
  }>;
}

export const MARATHON_METRICS_VERSION = '4.0.0';

export function toMarathonMetrics(snapshot: readonly PromMetricSnapshot[], uptimeSeconds: number): MarathonMetrics {
  const out: MarathonMetrics = {
    version: MARATHON_METRICS_VERSION,
    counters: {},
    gauges: {},
    histograms: {},
    meters: {},
    timers: {},
  };
  for (const metric of snapshot) {
    switch (String(metric.type)) {
      case 'counter':
        for (const v of metric.values) out.counters[seriesKey(metric.name, v.labels)] = { count: v.value };
        break;
      case 'gauge':
        for (const v of metric.values) out.gauges[seriesKey(metric.name, v.labels)] = { value: finite(v.value) };
        break;
      case 'histogram':
        for (const [key, series] of histogramSeries(metric)) {
          const summary = summarise(series);
          if (metric.name.endsWith('_seconds')) {
            out.timers[key] = {
              ...summary,
              mean_rate: uptimeSeconds > 0 ? series.count / uptimeSeconds : 0,
              duration_units: 'seconds',
              rate_units: 'calls/second',
            };
          } else {
            out.histograms[key] = summary;
          }
        }
        break;
      default:
        // Summaries: Pacer registers none.
        break;
    }
  }
  return out;
}

function seriesKey(name: string, labels: Partial<Record<string, string | number>>): string {
  const parts = Object.entries(labels)
    .filter(([, value]) => value !== undefined)
    .map(([label, value]) => `${label}=${JSON.stringify(String(value))}`);
  return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
}

function finite(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

interface HistogramSeries {
  /** Cumulative counts by upper bound, ascending, `+Inf` last. */
  buckets: Array<{ le: number; cumulative: number }>;
  sum: number;
  count: number;
}

function histogramSeries(metric: PromMetricSnapshot): Map<string, HistogramSeries> {
  const byKey = new Map<string, HistogramSeries>();
  const seriesOf = (labels: Partial<Record<string, string | number>>): HistogramSeries => {
    const { le: _le, ...rest } = labels;
    const key = seriesKey(metric.name, rest);
    let series = byKey.get(key);
    if (series === undefined) {
      series = { buckets: [], sum: 0, count: 0 };
      byKey.set(key, series);
    }
    return series;
  };
  for (const v of metric.values) {
    const series = seriesOf(v.labels);
    const suffix = (v.metricName ?? '').slice(metric.name.length);
    if (suffix === '_bucket') {
      const le = v.labels.le === '+Inf' ? Infinity : Number(v.labels.le);
      series.buckets.push({ le, cumulative: v.value });
    } else if (suffix === '_sum') series.sum = v.value;
    else if (suffix === '_count') series.count = v.value;
  }
  for (const series of byKey.values()) series.buckets.sort((a, b) => a.le - b.le);
  return byKey;
}

function summarise(series: HistogramSeries): MarathonHistogram {
  const { count, sum } = series;
  if (count === 0) {
    return { count: 0, min: 0, mean: 0, max: 0, p50: 0, p75: 0, p95: 0, p98: 0, p99: 0, p999: 0, stddev: 0 };
  }
  const cells = bucketCells(series.buckets);
  const occupied = cells.filter((c) => c.count > 0);
  const first = occupied[0];
  const last = occupied[occupied.length - 1];
  const mean = sum / count;
  let variance = 0;
  for (const c of occupied) variance += c.count * (c.mid - mean) ** 2;
  return {
    count,
    min: first === undefined ? 0 : first.lower,
    mean,
    max: last === undefined ? 0 : last.upper,
    p50: quantile(cells, count, 0.5),
    p75: quantile(cells, count, 0.75),
    p95: quantile(cells, count, 0.95),
    p98: quantile(cells, count, 0.98),
    p99: quantile(cells, count, 0.99),
    p999: quantile(cells, count, 0.999),
    stddev: Math.sqrt(variance / count),
  };
}

interface Cell {
  lower: number;
  /** The `+Inf` bucket is capped at the largest finite bound: nothing better is known. */
  upper: number;
  mid: number;
  count: number;
  cumulative: number;
}

function bucketCells(buckets: HistogramSeries['buckets']): Cell[] {
  const cells: Cell[] = [];
  let lower = 0;
  let before = 0;
  for (const b of buckets) {
    const upper = Number.isFinite(b.le) ? b.le : lower;
    cells.push({ lower, upper, mid: (lower + upper) / 2, count: b.cumulative - before, cumulative: b.cumulative });
    lower = upper;
    before = b.cumulative;
  }
  return cells;
}

/** Linear interpolation inside the bucket holding the q-th observation (as Prometheus' histogram_quantile). */
function quantile(cells: readonly Cell[], count: number, q: number): number {
  const rank = q * count;
  for (const c of cells) {
    if (c.cumulative >= rank && c.count > 0) {
      const into = (rank - (c.cumulative - c.count)) / c.count;
      return c.lower + (c.upper - c.lower) * into;
    }
  }
  return cells.length === 0 ? 0 : cells[cells.length - 1]!.upper;
}
