/**
 * Listens for `deployment_success` / `deployment_failed` while a command waits. Marathon forgets
 * a deployment the moment it ends, success or not, so `/v2/deployments` alone cannot tell a
 * finished deployment from a failed or cancelled one; the event stream can.
 */
import { openEventStream, type EventStream } from './event-stream.js';
import type { MarathonHttp } from './http.js';

export interface DeploymentOutcome {
  ok: boolean;
  reason?: string;
}

export const OUTCOME_EVENT_TYPES = ['deployment_success', 'deployment_failed'] as const;

export class DeploymentOutcomes {
  readonly #outcomes = new Map<string, DeploymentOutcome>();
  readonly #waiters = new Set<() => void>();
  #stream: EventStream | undefined;
  #connected = false;

  /** True while the event stream is attached, so a missing outcome means "not yet". */
  get connected(): boolean {
    return this.#connected;
  }

  /**
   * Attaches to the event stream; resolves false (and the caller falls back to polling only)
   * when the server offers none or it does not open within `openTimeoutMs`.
   */
  async attach(http: MarathonHttp, openTimeoutMs: number): Promise<boolean> {
    const stream = openEventStream({
      http,
      types: OUTCOME_EVENT_TYPES,
      onEvent: (e) => this.#record(e.type, e.data),
      onReconnecting: () => {
        this.#connected = false;
      },
    });
    this.#stream = stream;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), openTimeoutMs);
    });
    const ok = await Promise.race([
      stream.opened.then(
        () => true,
        () => false,
      ),
      timedOut,
    ]);
    clearTimeout(timer);
    if (!ok) stream.close();
    this.#connected = ok;
    void stream.ended.then(() => {
      this.#connected = false;
    });
    return ok;
  }

  #record(type: string, data: string): void {
    let event: { id?: unknown; plan?: { id?: unknown }; reason?: unknown };
    try {
      event = JSON.parse(data) as typeof event;
    } catch {
      return;
    }
    const id = typeof event.id === 'string' ? event.id : typeof event.plan?.id === 'string' ? event.plan.id : undefined;
    if (id === undefined) return;
    const outcome: DeploymentOutcome =
      type === 'deployment_success' ? { ok: true } : { ok: false, ...(typeof event.reason === 'string' ? { reason: event.reason } : {}) };
    this.#outcomes.set(id, outcome);
    for (const wake of this.#waiters) wake();
  }

  outcome(deploymentId: string): DeploymentOutcome | undefined {
    return this.#outcomes.get(deploymentId);
  }

  /** Resolves after `ms`, or earlier when any outcome arrives. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#waiters.add(wake);
    });
  }

  close(): void {
    this.#stream?.close();
    this.#connected = false;
  }
}
