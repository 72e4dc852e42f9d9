/**
 * A large JSON list sent as it is rendered: `{"<key>":[` + one item after another + `]}`, in
 * chunks of about CHUNK_CHARS (some 1,000 tasks), letting the event loop run between chunks.
 * `/v2/tasks` at 100,000 tasks is 46 MiB: rendered whole, it held every task object and the full
 * text at once (hundreds of MiB at the peak) and kept status updates and ZooKeeper pings waiting
 * for over a second.
 */
import { Readable } from 'node:stream';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

export const CHUNK_CHARS = 512 * 1024;

/** The JSON text of `{ [key]: items.map(render).filter(defined) }`, as a stream. */
export function jsonListStream<T>(key: string, items: readonly T[], render: (item: T) => unknown): Readable {
  async function* chunks(): AsyncGenerator<string> {
    let chunk = `{${JSON.stringify(key)}:[`;
    let first = true;
    for (const item of items) {
      const rendered = render(item);
      if (rendered === undefined) continue;
      chunk += first ? JSON.stringify(rendered) : `,${JSON.stringify(rendered)}`;
      first = false;
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
        await yieldToEventLoop();
      }
    }
    yield `${chunk}]}`;
  }
  return Readable.from(chunks(), { objectMode: false });
}
