import { parsePodOrThrow } from '../../../src/model/pods/index.js';
import type { AppDefinition, AppLookup, PodDefinition, Timestamp } from '../../../src/scheduler/contracts.js';
import { podRunSpec } from '../../../src/scheduler/pods/run-spec.js';

/** A canonical pod as the service stores it (parsed with Marathon's defaults, version assigned). */
export function podOf(json: Record<string, unknown>, version = '2024-01-01T00:00:00.000Z'): PodDefinition {
  return { ...parsePodOrThrow(json, { mesosRole: '*' }), version };
}

/** Two containers sharing an ephemeral volume; the web one has an endpoint and an HTTP check. */
export const WEB_AND_SIDECAR = {
  id: '/web/pod',
  labels: { team: 'a' },
  environment: { POD_ENV: 'pod', SHARED: 'pod' },
  volumes: [{ name: 'shared' }],
  networks: [{ mode: 'host' }],
  scaling: { kind: 'fixed', instances: 2 },
  containers: [
    {
      name: 'web',
      exec: { command: { shell: 'echo hi > shared/index.html && python3 -m http.server $ENDPOINT_HTTP' } },
      resources: { cpus: 0.2, mem: 64 },
      endpoints: [{ name: 'http', hostPort: 0, protocol: ['tcp'] }],
      environment: { SHARED: 'container' },
      healthCheck: { http: { endpoint: 'http', path: '/' } },
      volumeMounts: [{ name: 'shared', mountPath: 'shared' }],
      labels: { role: 'web' },
      lifecycle: { killGracePeriodSeconds: 3 },
    },
    {
      name: 'sidecar',
      exec: { command: { shell: 'while sleep 1; do cat shared/index.html; done' } },
      resources: { cpus: 0.1, mem: 32, disk: 5 },
      volumeMounts: [{ name: 'shared', mountPath: 'shared', readOnly: true }],
    },
  ],
};

/** The core's lookup over plain maps of apps and pods (a pod answers `app` with its run-spec view). */
export class PodLookup implements AppLookup {
  readonly #pods = new Map<string, PodDefinition>();
  readonly #versions = new Map<string, PodDefinition>();

  constructor(pods: PodDefinition[] = []) {
    for (const pod of pods) this.set(pod);
  }

  set(pod: PodDefinition): void {
    this.#pods.set(pod.id, pod);
    this.#versions.set(`${pod.id}@${pod.version}`, pod);
  }

  app(id: string): AppDefinition | undefined {
    const pod = this.#pods.get(id);
    return pod !== undefined ? podRunSpec(pod) : undefined;
  }

  appVersion(id: string, version: Timestamp): Promise<AppDefinition | undefined> {
    const pod = this.#versions.get(`${id}@${version}`);
    return Promise.resolve(pod !== undefined ? podRunSpec(pod) : undefined);
  }

  pod(id: string): PodDefinition | undefined {
    return this.#pods.get(id);
  }

  podVersion(id: string, version: Timestamp): Promise<PodDefinition | undefined> {
    return Promise.resolve(this.#versions.get(`${id}@${version}`));
  }
}
