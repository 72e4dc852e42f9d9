import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../../src/mesos/event-queue.js';
import { batchesOf } from '../../../src/scheduler/core/event-batches.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The driver's queue batches by itself; any other async iterable is batched item by item. */
const sources: Array<[string, <T>(queue: EventQueue<T>) => AsyncIterable<T>]> = [
  ['from the driver queue', (queue) => queue],
  ['from a plain async iterable', (queue) => ({ [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator]() })],
];

describe.each(sources)('batchesOf %s', (_name, source) => {
  it('hands over everything already buffered as one batch, in order', async () => {
    const queue = new EventQueue<number>(1024);
    for (let i = 0; i < 500; i++) queue.push(i);
    const batches = batchesOf(source(queue), 2048);
    const first = await batches.next();
    expect(first.value).toEqual(Array.from({ length: 500 }, (_, i) => i));
    queue.end();
    expect((await batches.next()).done).toBe(true);
  });

  it('waits for the first item, then ends the batch with the turn; later items start the next batch', async () => {
    const queue = new EventQueue<string>(1024);
    const batches = batchesOf(source(queue), 100);
    const pending = batches.next();
    await nextTurn();
    queue.push('a');
    queue.push('b');
    expect((await pending).value).toEqual(['a', 'b']);
    const second = batches.next();
    await nextTurn();
    queue.push('c');
    expect((await second).value).toEqual(['c']);
    queue.end();
    expect((await batches.next()).done).toBe(true);
  });

  it('never exceeds maxBatch and loses nothing across batches', async () => {
    const queue = new EventQueue<number>(1024);
    for (let i = 0; i < 25; i++) queue.push(i);
    queue.end();
    const seen: number[][] = [];
    for await (const batch of batchesOf(source(queue), 10)) seen.push(batch);
    expect(seen.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(seen.flat()).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('ends with the source, delivering what came before the end', async () => {
    const queue = new EventQueue<number>(16);
    queue.push(1);
    queue.push(2);
    queue.end();
    const seen: number[][] = [];
    for await (const batch of batchesOf(source(queue), 10)) seen.push(batch);
    expect(seen).toEqual([[1, 2]]);
  });

  it('refuses a batch size that is not a positive integer', async () => {
    await expect(batchesOf(source(new EventQueue<number>(1)), 0).next()).rejects.toMatchObject({ code: 'PACER_CORE_BAD_COUNT' });
  });

  it('lets a producer held at the high-water mark go on once a batch is taken', async () => {
    const queue = new EventQueue<number>(4);
    let produced = 0;
    const producer = (async () => {
      for (let i = 0; i < 20; i++) {
        queue.push(i);
        produced++;
        await queue.waitForRoom();
      }
      queue.end();
    })();
    const seen: number[] = [];
    for await (const batch of batchesOf(source(queue), 3)) {
      expect(batch.length).toBeLessThanOrEqual(3);
      seen.push(...batch);
    }
    await producer;
    expect(produced).toBe(20);
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
