import type { TaskStatus } from '../../mesos/types.js';

/**
 * Reliable delivery of task status updates, as a Mesos agent's status update manager does it:
 * one stream per task, one update in flight per stream, the next one sent only after the
 * scheduler acknowledges the current one; an unacknowledged update is resent with exponential
 * backoff (10 s doubling to 10 min upstream). Updates of a disconnected framework wait and go
 * out again when it re-subscribes.
 */

export const DEFAULT_FIRST_RETRY_MS = 10_000;
export const MAX_RETRY_MS = 600_000;

export interface StatusUpdateTransport {
  /**
   * Sends the update to the framework; false when it has no connected stream. `onWritten` is
   * called once the update has left the master (at once by transports without a buffer).
   */
  deliver(frameworkId: string, status: TaskStatus, onWritten: () => void): boolean;
}

interface Stream {
  readonly frameworkId: string;
  readonly taskId: string;
  readonly queue: TaskStatus[];
  /** When the head is due to be sent again; undefined while it waits for a connected framework
   * or for its last copy to leave the master. */
  nextRetryAt: number | undefined;
  backoffMs: number;
}

export type AckOutcome =
  | { readonly kind: 'acknowledged'; readonly status: TaskStatus; readonly next: TaskStatus | undefined }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'mismatch'; readonly expected: string | undefined };

export class StatusUpdateManager {
  /** Streams by framework id, then task id: lookups on every ACK need no composed key. */
  private readonly frameworks = new Map<string, Map<string, Stream>>();

  constructor(
    private readonly now: () => number,
    private readonly firstRetryMs: number,
    private readonly transport: StatusUpdateTransport,
  ) {}

  /** Queues an update (already stamped with its uuid); sends it at once if it is the head. */
  enqueue(frameworkId: string, status: TaskStatus): void {
    const taskId = status.task_id.value;
    let streams = this.frameworks.get(frameworkId);
    if (streams === undefined) {
      streams = new Map();
      this.frameworks.set(frameworkId, streams);
    }
    let stream = streams.get(taskId);
    if (stream === undefined) {
      stream = { frameworkId, taskId, queue: [], nextRetryAt: undefined, backoffMs: this.firstRetryMs };
      streams.set(taskId, stream);
    }
    stream.queue.push(status);
    if (stream.queue.length === 1) this.sendHead(stream);
  }

  /** The update in flight for a task, if any. */
  head(frameworkId: string, taskId: string): TaskStatus | undefined {
    return this.frameworks.get(frameworkId)?.get(taskId)?.queue[0];
  }

  pendingCount(frameworkId?: string): number {
    let n = 0;
    for (const s of this.allStreams()) if (frameworkId === undefined || s.frameworkId === frameworkId) n += s.queue.length;
    return n;
  }

  acknowledge(frameworkId: string, taskId: string, uuid: string): AckOutcome {
    const stream = this.frameworks.get(frameworkId)?.get(taskId);
    if (stream === undefined || stream.queue.length === 0) return { kind: 'unknown' };
    const head = stream.queue[0]!;
    if (head.uuid !== uuid) return { kind: 'mismatch', expected: head.uuid };
    stream.queue.shift();
    stream.backoffMs = this.firstRetryMs;
    stream.nextRetryAt = undefined;
    const next = stream.queue[0];
    if (next === undefined) this.deleteStream(frameworkId, taskId);
    else this.sendHead(stream);
    return { kind: 'acknowledged', status: head, next };
  }

  /** Resends every head whose retry time has come. */
  retryDue(): void {
    const now = this.now();
    for (const stream of this.allStreams()) {
      if (stream.nextRetryAt !== undefined && stream.nextRetryAt <= now) {
        stream.backoffMs = Math.min(stream.backoffMs * 2, MAX_RETRY_MS);
        this.sendHead(stream, stream.backoffMs);
      }
    }
  }

  /** Earliest pending retry, for timer scheduling. */
  nextRetryAt(): number | undefined {
    let earliest: number | undefined;
    for (const s of this.allStreams()) {
      if (s.nextRetryAt !== undefined && (earliest === undefined || s.nextRetryAt < earliest)) earliest = s.nextRetryAt;
    }
    return earliest;
  }

  /** The framework (re)subscribed: send every pending head again, with a fresh backoff. */
  resend(frameworkId: string): void {
    for (const stream of this.frameworks.get(frameworkId)?.values() ?? []) {
      stream.backoffMs = this.firstRetryMs;
      this.sendHead(stream);
    }
  }

  dropFramework(frameworkId: string): void {
    this.frameworks.delete(frameworkId);
  }

  dropTask(frameworkId: string, taskId: string): void {
    this.deleteStream(frameworkId, taskId);
  }

  private deleteStream(frameworkId: string, taskId: string): void {
    const streams = this.frameworks.get(frameworkId);
    if (streams === undefined) return;
    streams.delete(taskId);
    if (streams.size === 0) this.frameworks.delete(frameworkId);
  }

  private *allStreams(): IterableIterator<Stream> {
    for (const streams of this.frameworks.values()) yield* streams.values();
  }

  private sendHead(stream: Stream, delayMs = stream.backoffMs): void {
    const head = stream.queue[0];
    if (head === undefined) return;
    stream.nextRetryAt = undefined;
    // The retry clock starts when the update has left the master, not when it was queued behind
    // a slow subscriber's backlog: a resend of an update the subscriber cannot have read yet
    // would only lengthen that backlog (at 100,000 tasks, by every unacknowledged update).
    this.transport.deliver(stream.frameworkId, head, () => {
      if (stream.queue[0] === head && this.live(stream)) stream.nextRetryAt = this.now() + delayMs;
    });
  }

  private live(stream: Stream): boolean {
    return this.frameworks.get(stream.frameworkId)?.get(stream.taskId) === stream;
  }
}
