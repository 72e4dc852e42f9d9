import { describe, expect, it } from 'vitest';
import { prefersPrometheusText, toMarathonMetrics, type PromMetricSnapshot } from '../../../src/api/metrics/index.js';

function histogram(name: string, buckets: Array<[string, number]>, sum: number, labels: Record<string, string> = {}): PromMetricSnapshot {
  const count = buckets[buckets.length - 1]![1];
  return {
    name,
    type: 'histogram',
    values: [
      ...buckets.map(([le, value]) => ({ value, labels: { ...labels, le }, metricName: `${name}_bucket` })),
      { value: sum, labels, metricName: `${name}_sum` },
      { value: count, labels, metricName: `${name}_count` },
    ],
  };
}

describe('toMarathonMetrics', () => {
  it('maps counters and gauges per series, labels in the key', () => {
    const out = toMarathonMetrics(
      [
        { name: 'a_total', type: 'counter', values: [{ value: 3, labels: {} }] },
        { name: 'b_total', type: 'counter', values: [{ value: 2, labels: { state: 'TASK_RUNNING' } }] },
        {
          name: 'c',
          type: 'gauge',
          values: [
            { value: Number.NaN, labels: {} },
            { value: 4, labels: { k: 'v"w' } },
          ],
        },
      ],
      10,
    );
    expect(out.version).toBe('4.0.0');
    expect(out.counters).toEqual({ a_total: { count: 3 }, 'b_total{state="TASK_RUNNING"}': { count: 2 } });
    expect(out.gauges).toEqual({ c: { value: 0 }, 'c{k="v\\"w"}': { value: 4 } });
    expect(out.meters).toEqual({});
  });

  it('turns *_seconds histograms into timers with bucket-interpolated percentiles', () => {
    const buckets: Array<[string, number]> = [
      ['0.1', 2],
      ['0.5', 6],
      ['1', 10],
      ['+Inf', 10],
    ];
    const out = toMarathonMetrics([histogram('op_seconds', buckets, 4, { route: '/x' })], 20);
    const timer = out.timers['op_seconds{route="/x"}']!;
    expect(timer.count).toBe(10);
    expect(timer.mean).toBeCloseTo(0.4);
    expect(timer.min).toBe(0);
    expect(timer.max).toBe(1);
    // The 5th of 10 observations lies 3/4 into the (0.1, 0.5] bucket, which holds the 3rd to 6th.
    expect(timer.p50).toBeCloseTo(0.4);
    expect(timer.p99).toBeCloseTo(0.5 + 0.5 * ((9.9 - 6) / 4));
    expect(timer.mean_rate).toBeCloseTo(0.5);
    expect(timer.duration_units).toBe('seconds');
    expect(timer.rate_units).toBe('calls/second');
    expect(out.histograms).toEqual({});
  });

  it('keeps other histograms as histograms, caps +Inf at the largest bound, and zeroes empty ones', () => {
    const out = toMarathonMetrics(
      [
        histogram(
          'batch_size',
          [
            ['1', 0],
            ['10', 0],
            ['+Inf', 3],
          ],
          90,
        ),
        histogram(
          'idle_size',
          [
            ['1', 0],
            ['+Inf', 0],
          ],
          0,
        ),
      ],
      1,
    );
    expect(out.histograms['batch_size']).toMatchObject({ count: 3, mean: 30, min: 10, max: 10, p50: 10, p999: 10 });
    expect(out.histograms['idle_size']).toMatchObject({ count: 0, mean: 0, p50: 0, stddev: 0 });
    expect(out.timers).toEqual({});
  });
});

describe('prefersPrometheusText', () => {
  it.each([
    [undefined, false],
    ['*/*', false],
    ['application/json', false],
    ['application/json, text/plain, */*', false],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', false],
    ['text/plain;q=0', false],
    ['text/plain', true],
    ['application/openmetrics-text; version=1.0.0', true],
    ['application/json;q=0.5, text/plain;q=0.9', true],
    ['application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.2', true],
  ])('%s -> %s', (accept, expected) => {
    expect(prefersPrometheusText(accept)).toBe(expected);
  });
});
