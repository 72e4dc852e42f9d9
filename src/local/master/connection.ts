import type { Event } from '../../mesos/types.js';

/** One SUBSCRIBE stream, implemented by the HTTP server. */
export interface FrameworkConnection {
  readonly streamId: string;
  /** Writes one RecordIO record to the stream. */
  send(event: Event): void;
  /** Ends the HTTP response. */
  close(): void;
}
