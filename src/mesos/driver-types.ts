import type { Logger } from 'pino';
import type { BackoffOptions } from './backoff.js';
import type { MediaType } from './codec.js';
import type { MasterDetector } from './detector.js';
import type { Credentials, TlsOptions } from './http-util.js';
import type { Event, FrameworkInfo, MasterInfo, OfferConstraints } from './types.js';

export interface SchedulerDriverOptions {
  detector: MasterDetector;
  /** Sent in SUBSCRIBE. Set `id` to fail over to an existing framework. */
  frameworkInfo: FrameworkInfo;
  /**
   * Durably stores the framework id. Awaited after every SUBSCRIBED before the driver
   * surfaces it or reads further events; if it rejects, the driver reconnects and tries again.
   */
  persistFrameworkId: (frameworkId: string) => Promise<void>;
  logger: Logger;
  /** Encoding of calls and of the event stream. Default protobuf. */
  mediaType?: MediaType;
  /** HTTP Basic credentials, sent on every request (`--authenticate_http_frameworks`). */
  credentials?: Credentials;
  /** For https:// masters: CA, client certificate, rejectUnauthorized. */
  tls?: TlsOptions;
  /** Roles to subscribe suppressed. */
  suppressedRoles?: readonly string[];
  offerConstraints?: OfferConstraints;
  /** Heartbeat intervals without any event before the stream counts as dead. Default 5. */
  heartbeatFailureThreshold?: number;
  /** Reconnect and call-retry backoff. Default 500 ms doubling up to 15 s, jittered. */
  backoff?: Partial<BackoffOptions>;
  /** Redirects followed per request. Default 9. */
  maxRedirects?: number;
  /** Attempts per call (including the first) on 503, 404 and connection failures. Default 10. */
  maxCallAttempts?: number;
  /** ACCEPT/DECLINE calls in flight at once (they keep their order against SUPPRESS/REVIVE/UPDATE_FRAMEWORK). Default 64. */
  maxConcurrentOfferCalls?: number;
  /** Time allowed for a response head, and for the first event of a new stream. Default 75 s. */
  requestTimeoutMs?: number;
  maxRecordBytes?: number;
  /** Events buffered for a slow consumer before the driver stops reading the stream. Default 1024. */
  eventQueueHighWaterMark?: number;
}

export interface SubscribedInfo {
  frameworkId: string;
  /** Scheduler endpoint of the master serving the subscription, e.g. http://10.0.0.1:5050/api/v1/scheduler. */
  master: string;
  streamId: string;
  heartbeatIntervalSeconds: number;
  masterInfo: MasterInfo | undefined;
  /** True when SUBSCRIBE carried a framework id (failover or reconnect), false on first registration. */
  resubscribed: boolean;
}

/**
 * Everything the driver tells its consumer, in order. After a `subscribed` the consumer
 * should reconcile; after `disconnected` calls fail with PACER_MESOS_NOT_SUBSCRIBED until
 * the next `subscribed`; `stopped` is last.
 */
export type DriverEvent =
  | ({ kind: 'subscribed' } & SubscribedInfo)
  | { kind: 'event'; event: Event }
  | { kind: 'disconnected'; master: string; error: Error }
  | { kind: 'stopped'; error: Error | undefined };

export type DriverState = 'idle' | 'connecting' | 'subscribed' | 'stopped';
