import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, waitFor } from '../helpers/http.js';
import { startPacerProcess, type PacerProcess } from '../helpers/pacer-process.js';

/** Reads one sample of a Prometheus text exposition, e.g. `pacer_offers_received_total`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics of a running Pacer', () => {
  let pacer: PacerProcess;

  beforeAll(async () => {
    pacer = await startPacerProcess({ name: 'metrics-e2e', agents: 0, simulatedAgents: 2 });
  });
  afterAll(async () => {
    await pacer?.stop();
  });

  it('counts offers, launches, task states and deployments of a real deployment', async () => {
    const created = await postJson(`${pacer.url}/v2/apps`, { id: '/metered', cmd: 'sleep 1000', cpus: 0.1, mem: 16, instances: 3 });
    expect(created.status).toBe(201);
    const text = await waitFor(
      async () => {
        const res = await request(`${pacer.url}/metrics/prometheus`);
        const body = await res.body.text();
        return (sample(body, 'pacer_task_state_transitions_total{state="TASK_RUNNING"}') ?? 0) >= 3 &&
          (sample(body, 'pacer_deployments_succeeded_total') ?? 0) >= 1
          ? body
          : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'metrics of the deployment' },
    );
    expect(sample(text, 'pacer_offers_received_total')).toBeGreaterThan(0);
    expect(sample(text, 'pacer_task_launches_total')).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'pacer_placements_total')).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'pacer_deployments_started_total')).toBeGreaterThanOrEqual(1);
    // Three tasks never outrun their ACKs: launch flow control did not pause.
    expect(sample(text, 'pacer_launch_pauses_total')).toBe(0);
    expect(sample(text, 'pacer_launches_paused')).toBe(0);
    expect(text).toMatch(/pacer_matcher_duration_seconds_count \d+/);
    expect(text).toMatch(/pacer_http_request_duration_seconds_count\{[^}]*route="\/v2\/apps"/);
  });
});
