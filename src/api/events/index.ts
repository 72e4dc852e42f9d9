export { eventsPlugin, EVENTS_PATH, type EventsPluginOptions } from './sse-plugin.js';
export {
  EventStreamHub,
  EventStreamClosedError,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_MAX_OUTSTANDING_MESSAGES,
  type DetachReason,
  type EventStreamHubOptions,
  type EventStreamStats,
} from './event-stream-hub.js';
export type { SseClientStats } from './sse-client.js';
export {
  SseFrameError,
  acceptsEventStream,
  encodeEventFrame,
  encodeSseFrame,
  keepAliveBytes,
  EVENT_STREAM_MEDIA_TYPE,
  type SseLineEnding,
} from './sse-writer.js';
