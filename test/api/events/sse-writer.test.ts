import { describe, expect, it } from 'vitest';
import { SseFrameError, acceptsEventStream, encodeEventFrame, encodeSseFrame, keepAliveBytes } from '../../../src/api/events/index.js';

describe('SSE framing', () => {
  it('writes event, data and a blank line, with LF or CRLF', () => {
    expect(encodeSseFrame('a_b', '{"x":1}').toString()).toBe('event: a_b\ndata: {"x":1}\n\n');
    expect(encodeSseFrame('a_b', '{"x":1}', 'crlf').toString()).toBe('event: a_b\r\ndata: {"x":1}\r\n\r\n');
    expect(keepAliveBytes().toString()).toBe('\n');
    expect(keepAliveBytes('crlf').toString()).toBe('\r\n');
  });

  it('keeps JSON on one line even when strings hold line breaks', () => {
    const event = { eventType: 'status_update_event', message: 'a\r\nb\u2028c', timestamp: 't' };
    const text = encodeEventFrame(event).toString();
    expect(text.split('\n')).toHaveLength(4);
    expect(JSON.parse(text.split('\n')[1]!.slice('data: '.length))).toEqual(event);
  });

  it('refuses what would break the frame, with a typed error', () => {
    for (const bad of [() => encodeSseFrame('', '{}'), () => encodeSseFrame('a\nb', '{}'), () => encodeSseFrame('a', '1\n2')]) {
      expect(bad).toThrow(SseFrameError);
    }
    try {
      encodeEventFrame({ eventType: 'x', n: 1n } as { eventType: string });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SseFrameError);
      expect((err as SseFrameError).code).toBe('PACER_SSE_FRAME');
    }
  });
});

describe('Accept for /v2/events', () => {
  it('needs text/event-stream with a non-zero quality', () => {
    expect(acceptsEventStream('text/event-stream')).toBe(true);
    expect(acceptsEventStream('TEXT/Event-Stream; charset=utf-8')).toBe(true);
    expect(acceptsEventStream('application/json, text/event-stream;q=0.5')).toBe(true);
    expect(acceptsEventStream(['application/json', 'text/event-stream'])).toBe(true);
    expect(acceptsEventStream('text/event-stream;q=0')).toBe(false);
    expect(acceptsEventStream('*/*')).toBe(false);
    expect(acceptsEventStream('text/*')).toBe(false);
    expect(acceptsEventStream(undefined)).toBe(false);
  });
});
