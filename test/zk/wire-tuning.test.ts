/** Cutting ZooKeeper's reply stream into frames: what the library is handed instead of re-copied chunks. */
import { describe, expect, it } from 'vitest';
import { ZkFrameError, ZkFrameSplitter } from '../../src/zk/wire-tuning.js';

function frame(payload: string): Buffer {
  const body = Buffer.from(payload);
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

describe('ZkFrameSplitter', () => {
  it('hands out every frame of a chunk once, in order', () => {
    const payloads = Array.from({ length: 300 }, (_, i) => `reply-${i}-${'x'.repeat(i % 17)}`);
    const frames = new ZkFrameSplitter().push(Buffer.concat(payloads.map(frame)));
    expect(frames.map((f) => f.subarray(4).toString())).toEqual(payloads);
  });

  it('joins frames cut at every possible byte, the length prefix included', () => {
    const payloads = ['a', '', 'bcdefgh', 'i'.repeat(40)];
    const stream = Buffer.concat(payloads.map(frame));
    for (let cut = 1; cut < stream.length; cut++) {
      for (let second = cut; second < stream.length; second++) {
        const splitter = new ZkFrameSplitter();
        const got = [...splitter.push(stream.subarray(0, cut)), ...splitter.push(stream.subarray(cut, second)), ...splitter.push(stream.subarray(second))];
        expect(
          got.map((f) => f.subarray(4).toString()),
          `cuts at ${cut} and ${second}`,
        ).toEqual(payloads);
      }
    }
  });

  it('waits for a large frame across many chunks and keeps what follows it', () => {
    const big = 'z'.repeat(200_000);
    const stream = Buffer.concat([frame(big), frame('after')]);
    const splitter = new ZkFrameSplitter();
    const got: Buffer[] = [];
    for (let at = 0; at < stream.length; at += 65_536) got.push(...splitter.push(stream.subarray(at, at + 65_536)));
    expect(got.map((f) => f.length)).toEqual([200_004, 9]);
    expect(got[0]!.subarray(4).toString()).toBe(big);
    expect(got[1]!.subarray(4).toString()).toBe('after');
  });

  it('refuses a negative length instead of walking backwards', () => {
    const corrupt = Buffer.concat([frame('ok'), Buffer.from([0xff, 0xff, 0xff, 0xf0, 1, 2, 3])]);
    expect(() => new ZkFrameSplitter().push(corrupt)).toThrow(ZkFrameError);
  });
});
