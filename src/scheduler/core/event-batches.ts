/**
 * Reads an async iterable in batches: each batch starts with the next item (waiting for it if
 * need be) and takes whatever else the source can hand over before the current event-loop turn
 * ends, so work that costs per batch (an fsynced commit) is paid once for everything that was
 * already buffered. The order of items is kept, within and across batches.
 */

import { CoreError } from './errors.js';

const TURN_OVER: unique symbol = Symbol('turn over');

/** A source that batches by the same rule itself (the driver's event queue), without a promise per item. */
export interface BatchingSource<T> extends AsyncIterable<T> {
  batches(max: number): AsyncIterable<T[]>;
}

function isBatchingSource<T>(source: AsyncIterable<T>): source is BatchingSource<T> {
  return typeof (source as Partial<BatchingSource<T>>).batches === 'function';
}

export async function* batchesOf<T>(source: AsyncIterable<T> | BatchingSource<T>, maxBatch: number): AsyncGenerator<T[], void, undefined> {
  if (!Number.isInteger(maxBatch) || maxBatch < 1) {
    throw new CoreError('PACER_CORE_BAD_COUNT', `batch size must be a positive integer, got ${maxBatch}`);
  }
  if (isBatchingSource(source)) {
    yield* source.batches(maxBatch);
    return;
  }
  const iterator = source[Symbol.asyncIterator]();
  // A next() that lost the race against the end of a turn is still owed its item: keep it.
  let pending: Promise<IteratorResult<T>> | undefined;
  let finished = false;
  try {
    for (;;) {
      const first = await (pending ?? iterator.next());
      pending = undefined;
      if (first.done) {
        finished = true;
        return;
      }
      const batch: T[] = [first.value];
      let timer: NodeJS.Immediate | undefined;
      // setImmediate, not a microtask: items the source releases through its own promise
      // chains (an async generator takes several hops per item) all land before the check phase.
      const turnOver = new Promise<typeof TURN_OVER>((resolve) => {
        timer = setImmediate(() => resolve(TURN_OVER));
      });
      try {
        while (batch.length < maxBatch) {
          pending = iterator.next();
          const next = await Promise.race([pending, turnOver]);
          if (next === TURN_OVER) break;
          pending = undefined;
          if (next.done) {
            finished = true;
            break;
          }
          batch.push(next.value);
        }
      } finally {
        clearImmediate(timer);
      }
      yield batch;
      if (finished) return;
    }
  } finally {
    // Not awaited: a next() still pending (an idle source) would hold up the consumer's exit.
    if (!finished) void iterator.return?.().catch(() => undefined);
  }
}
