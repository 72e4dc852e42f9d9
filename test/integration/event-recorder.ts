/**
 * Records Pacer's `/v2/events` stream with the `eventsource` client, as a Marathon SSE consumer
 * would read it: one listener per named event type, every frame parsed and kept in arrival
 * order. Waits on the recording are bounded; close() ends the connection.
 */
import { EventSource } from 'eventsource';
import { waitFor } from '../helpers/http.js';

export interface RecordedEvent {
  /** The SSE `event:` field. */
  readonly type: string;
  /** The parsed `data:` JSON. */
  readonly data: Record<string, unknown>;
  /** Position in arrival order. */
  readonly seq: number;
}

export const MARATHON_EVENT_TYPES = [
  'event_stream_attached',
  'event_stream_detached',
  'api_post_event',
  'status_update_event',
  'instance_changed_event',
  'instance_health_changed_event',
  'unknown_instance_terminated_event',
  'add_health_check_event',
  'remove_health_check_event',
  'failed_health_check_event',
  'health_status_changed_event',
  'unhealthy_instance_kill_event',
  'group_change_success',
  'group_change_failed',
  'deployment_info',
  'deployment_step_success',
  'deployment_step_failure',
  'deployment_success',
  'deployment_failed',
  'app_terminated_event',
  'framework_message_event',
  'scheduler_registered_event',
  'scheduler_reregistered_event',
  'scheduler_disconnected_event',
] as const;

export class EventRecorder {
  readonly events: RecordedEvent[] = [];
  /** Frames whose data was not one JSON object, or whose eventType disagreed with `event:`. */
  readonly malformed: string[] = [];
  private readonly source: EventSource;

  private constructor(url: string) {
    this.source = new EventSource(url);
    for (const type of MARATHON_EVENT_TYPES) {
      this.source.addEventListener(type, (message) => this.record(type, message.data));
    }
    // Frames without an `event:` line (Marathon never sends them) land here.
    this.source.onmessage = (message) => this.malformed.push(`unnamed frame: ${message.data}`);
  }

  /** Connects and resolves once the stream's own `event_stream_attached` has arrived. */
  static async open(baseUrl: string, query = ''): Promise<EventRecorder> {
    const recorder = new EventRecorder(`${baseUrl}/v2/events${query}`);
    try {
      await waitFor(() => recorder.source.readyState === EventSource.OPEN, { timeoutMs: 10_000, what: 'the event stream to open' });
    } catch (err) {
      recorder.close();
      throw err;
    }
    return recorder;
  }

  of(type: string, match: (data: Record<string, unknown>) => boolean = () => true): RecordedEvent[] {
    return this.events.filter((e) => e.type === type && match(e.data));
  }

  /** The first recorded event of `type` matching `match`, waiting (bounded) for it to arrive. */
  waitFor(type: string, match: (data: Record<string, unknown>) => boolean, timeoutMs: number): Promise<RecordedEvent> {
    return waitFor(() => this.of(type, match)[0], { timeoutMs, intervalMs: 50, what: `a ${type} event` });
  }

  close(): void {
    this.source.close();
  }

  private record(type: string, raw: string): void {
    try {
      const data = JSON.parse(raw) as unknown;
      if (typeof data !== 'object' || data === null || Array.isArray(data) || (data as { eventType?: unknown }).eventType !== type) {
        this.malformed.push(`${type}: ${raw}`);
        return;
      }
      this.events.push({ type, data: data as Record<string, unknown>, seq: this.events.length });
    } catch {
      this.malformed.push(`${type}: ${raw}`);
    }
  }
}
