import type { Event } from '../../mesos/types.js';

/** One SUBSCRIBE stream, implemented by the HTTP server. */
export interface FrameworkConnection {
  readonly streamId: string;
  /**
   * Writes one RecordIO record to the stream; `onWritten`, if given, is called once the record
   * has left the master (handed to the socket), and not at all if the stream fails first.
   */
  send(event: Event, onWritten?: () => void): void;
  /** Ends the HTTP response. */
  close(): void;
}
