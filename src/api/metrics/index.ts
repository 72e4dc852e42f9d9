export { metricsPlugin, type MetricsPluginOptions } from './metrics-plugin.js';
export { PacerMetrics, UNMATCHED_ROUTE, type Count, type Level, type PacerMetricsOptions, type Timing } from './registry.js';
export {
  toMarathonMetrics,
  MARATHON_METRICS_VERSION,
  type MarathonCounter,
  type MarathonGauge,
  type MarathonHistogram,
  type MarathonMeter,
  type MarathonMetrics,
  type MarathonTimer,
  type PromMetricSnapshot,
} from './marathon-json.js';
export { prefersPrometheusText } from './negotiate.js';
