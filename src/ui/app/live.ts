/// <reference lib="dom" />
/**
 * Live updates from Marathon's SSE stream. Marathon names every frame (`event: <eventType>`), so
 * each subscribed type gets its own listener. While the stream is down the UI falls back to a
 * slow periodic refresh and keeps trying to reconnect.
 */
import type { MarathonEvent } from './marathon-types.js';

export const LIVE_EVENT_TYPES = [
  'status_update_event',
  'instance_changed_event',
  'instance_health_changed_event',
  'health_status_changed_event',
  'failed_health_check_event',
  'unhealthy_instance_kill_event',
  'deployment_info',
  'deployment_success',
  'deployment_failed',
  'deployment_step_success',
  'deployment_step_failure',
  'api_post_event',
  'app_terminated_event',
] as const;

export type LiveState = 'connecting' | 'live' | 'polling';

export interface LiveOptions {
  onEvent(event: MarathonEvent): void;
  onStateChange(state: LiveState): void;
  /** Called periodically while the stream is down. */
  onPoll(): void;
  pollMs?: number;
  reconnectMs?: number;
}

export class LiveUpdates {
  private source: EventSource | undefined;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private state: LiveState = 'connecting';

  constructor(private readonly opts: LiveOptions) {}

  start(): void {
    this.connect();
  }

  stop(): void {
    this.source?.close();
    this.source = undefined;
    this.stopPolling();
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
  }

  private connect(): void {
    this.source?.close();
    const query = LIVE_EVENT_TYPES.map((t) => `event_type=${t}`).join('&');
    const source = new EventSource(`/v2/events?${query}`, { withCredentials: true });
    this.source = source;
    this.setState('connecting');
    source.addEventListener('open', () => {
      this.stopPolling();
      this.setState('live');
      // Anything may have changed while the stream was down.
      this.opts.onPoll();
    });
    source.addEventListener('error', () => {
      this.startPolling();
      // CONNECTING: the browser retries by itself. CLOSED (HTTP error, wrong content type): we do.
      if (source.readyState === EventSource.CLOSED && this.reconnectTimer === undefined) {
        this.reconnectTimer = setTimeout(() => {
          this.reconnectTimer = undefined;
          if (this.source === source) this.connect();
        }, this.opts.reconnectMs ?? 15_000);
      }
    });
    const onFrame = (frame: Event): void => {
      const data = (frame as MessageEvent<string>).data;
      let event: MarathonEvent;
      try {
        event = JSON.parse(data) as MarathonEvent;
      } catch {
        return; // a frame that is not JSON carries nothing we can act on
      }
      this.opts.onEvent(event);
    };
    for (const type of LIVE_EVENT_TYPES) source.addEventListener(type, onFrame);
  }

  private startPolling(): void {
    this.setState('polling');
    if (this.pollTimer !== undefined) return;
    this.pollTimer = setInterval(() => this.opts.onPoll(), this.opts.pollMs ?? 10_000);
  }

  private stopPolling(): void {
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  private setState(state: LiveState): void {
    if (state === this.state && state !== 'connecting') return;
    this.state = state;
    this.opts.onStateChange(state);
  }
}
