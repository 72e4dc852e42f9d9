/**
 * Two fixes to how node-zookeeper-client 1.x moves bytes, applied to its ConnectionManager once:
 *
 *  - Reading: it handles one reply per 'data' call and re-enters itself with the rest of the chunk
 *    concatenated to an empty buffer, so a 64 KiB chunk carrying a hundred replies is copied a
 *    hundred times. Listing 100,000 nodes spent more time copying than parsing. Here each chunk is
 *    cut into whole frames first and the library is handed one frame at a time.
 *  - Writing: it writes every request to the socket as it is queued, one syscall each. Here the
 *    socket is corked for the rest of the tick, so a burst of requests leaves in one write.
 *
 * The library's own per-reply logic is untouched; only what it is fed and when it writes change.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

/** A length no ZooKeeper server sends: the stream is corrupt, and the connection must go. */
export class ZkFrameError extends Error {
  readonly code = 'PACER_ZK_BAD_FRAME';
}

function frameLength(buffer: Buffer, offset: number): number {
  const length = buffer.readInt32BE(offset);
  if (length < 0) throw new ZkFrameError(`ZooKeeper frame with a negative length (${length})`);
  return length;
}

/** Cuts a stream of ZooKeeper frames (a 4-byte big-endian length, then that many bytes) into whole frames. */
export class ZkFrameSplitter {
  #parts: Buffer[] = [];
  #buffered = 0;
  /** Bytes needed before the buffered parts can yield a frame. */
  #needed = 4;

  /** The whole frames completed by `chunk`, length prefix included; a partial frame is kept for the next chunk. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let offset = 0;
    // Finish the frame left over from earlier chunks, copying only its own bytes.
    while (this.#buffered > 0) {
      const take = Math.min(this.#needed - this.#buffered, chunk.length - offset);
      this.#parts.push(chunk.subarray(offset, offset + take));
      this.#buffered += take;
      offset += take;
      if (this.#buffered < this.#needed) return frames;
      const joined = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts, this.#buffered);
      if (this.#needed === 4 && joined.length === 4 && frameLength(joined, 0) > 0) {
        // Only the length prefix so far.
        this.#parts = [joined];
        this.#needed = 4 + frameLength(joined, 0);
        continue;
      }
      frames.push(joined);
      this.#parts = [];
      this.#buffered = 0;
      this.#needed = 4;
    }
    while (chunk.length - offset >= 4) {
      const end = offset + 4 + frameLength(chunk, offset);
      if (end > chunk.length) break;
      frames.push(chunk.subarray(offset, end));
      offset = end;
    }
    if (offset < chunk.length) {
      const rest = chunk.subarray(offset);
      this.#parts = [rest];
      this.#buffered = rest.length;
      this.#needed = rest.length >= 4 ? 4 + frameLength(rest, 0) : 4;
    }
    return frames;
  }
}

/**
 * A request the library queues and numbers but cannot encode or decode itself (multi-read):
 * `toBuffer` writes the whole frame with the xid the library assigned, and the reply frame goes
 * to `onReply` instead of the library's decoder. Failures (connection loss) reach the callback
 * passed to the library's `queue`, as for its own requests.
 */
export interface RawZkRequest {
  header: { xid: number; type: number };
  payload: undefined;
  toBuffer(): Buffer;
  onReply(err: number, body: Buffer): void;
}

interface PendingPacket {
  request: { header: { xid: number } | null; onReply?: RawZkRequest['onReply'] };
}

interface ConnectionManagerLike {
  socket?: Socket;
  pendingBuffer: Buffer | null;
  pendingQueue: PendingPacket[];
  zxid: Buffer;
  onSocketData: (this: ConnectionManagerLike, chunk: Buffer) => void;
  onPacketQueueReadable: (this: ConnectionManagerLike) => void;
}

const TUNED = Symbol('pacer.zkWireTuned');
/** Reply header: frame length, xid, zxid, err; the body follows. */
const REPLY_BODY_OFFSET = 20;

/** Hands a reply to the raw request it answers, as the library would (pending queue, zxid); false when it is not one. */
function takeRawReply(manager: ConnectionManagerLike, frame: Buffer): boolean {
  const head = manager.pendingQueue[0];
  const onReply = head?.request.onReply;
  if (onReply === undefined || frame.length < REPLY_BODY_OFFSET || frame.readInt32BE(4) !== head!.request.header?.xid) return false;
  manager.pendingQueue.shift();
  const zxid = frame.subarray(8, 16);
  if (zxid.some((byte) => byte !== 0)) manager.zxid = Buffer.from(zxid);
  onReply(frame.readInt32BE(16), frame.subarray(REPLY_BODY_OFFSET));
  return true;
}
const splitters = new WeakMap<Socket, ZkFrameSplitter>();

/**
 * Applies both fixes to the library's ConnectionManager, once. It must run before the first client
 * is created: a manager binds its queue listener when it is constructed.
 */
export function tuneZkWire(): void {
  const managerClass = createRequire(import.meta.url)('node-zookeeper-client/lib/ConnectionManager.js') as { prototype: object };
  const proto = managerClass.prototype as ConnectionManagerLike & { [TUNED]?: true };
  if (proto[TUNED] === true) return;
  if (typeof proto.onSocketData !== 'function' || typeof proto.onPacketQueueReadable !== 'function') return;
  const readOne = proto.onSocketData;
  const writeQueued = proto.onPacketQueueReadable;

  proto.onSocketData = function framedSocketData(this: ConnectionManagerLike, chunk: Buffer): void {
    const socket = this.socket;
    if (socket === undefined) return;
    let splitter = splitters.get(socket);
    if (splitter === undefined) {
      splitter = new ZkFrameSplitter();
      splitters.set(socket, splitter);
    }
    let frames: Buffer[];
    try {
      frames = splitter.push(chunk);
    } catch {
      // The library reconnects when its socket closes.
      socket.destroy();
      return;
    }
    for (const frame of frames) {
      // A reply may make the library drop this connection; what is left of it is stale.
      if (this.socket !== socket || socket.destroyed) return;
      this.pendingBuffer = null;
      if (!takeRawReply(this, frame)) readOne.call(this, frame);
    }
  };

  proto.onPacketQueueReadable = function corkedWrite(this: ConnectionManagerLike): void {
    const socket = this.socket;
    if (socket !== undefined && socket.writableCorked === 0 && !socket.destroyed) {
      socket.cork();
      process.nextTick(() => socket.uncork());
    }
    writeQueued.call(this);
  };
  proto[TUNED] = true;
}
