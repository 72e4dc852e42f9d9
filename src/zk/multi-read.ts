/**
 * ZooKeeper's multi-read (op code 22, servers 3.6 and later): many getData requests in one
 * request and one reply. A server spends about as much on a request as on the read it carries, so
 * loading 100,000 small nodes one request each is bound by the request rate (about 15,000 a
 * second on two cores); in batches it is bound by the bytes.
 *
 * node-zookeeper-client 1.x has no multi-read, so this module writes the request and reads the
 * reply itself (jute encoding, big-endian), and wire-tuning.ts hands it the reply frame.
 *
 * Request: header {xid, type = 22}, then per read a MultiHeader {type = 4 (getData),
 * done = false, err = -1} and a GetDataRequest {path, watch = false}; a closing MultiHeader
 * {type = -1, done = true, err = -1}. Reply: per read a MultiHeader, then a GetDataResponse
 * {data, stat} when its type is 4, or an ErrorResult {err} when it is -1; the closing header.
 */

export const OP_MULTI_READ = 22;
const OP_GET_DATA = 4;
const OP_ERROR = -1;
/** czxid, mzxid, ctime, mtime (8 bytes each), version, cversion, aversion (4), ephemeralOwner (8), dataLength, numChildren (4), pzxid (8). */
const STAT_BYTES = 68;

/** One read's outcome: the node's data, or the server's error code for it (e.g. -101, no node). */
export type MultiReadResult = { data: Buffer } | { error: number };

/** The request body after the request header (xid and type): the reads and the closing header. */
export function encodeMultiReadBody(paths: readonly string[]): Buffer {
  let size = 9;
  const encoded = paths.map((path) => Buffer.from(path, 'utf8'));
  for (const path of encoded) size += 9 + 4 + path.length + 1;
  const buffer = Buffer.alloc(size);
  let offset = 0;
  for (const path of encoded) {
    offset = buffer.writeInt32BE(OP_GET_DATA, offset);
    offset = buffer.writeUInt8(0, offset);
    offset = buffer.writeInt32BE(-1, offset);
    offset = buffer.writeInt32BE(path.length, offset);
    offset += path.copy(buffer, offset);
    offset = buffer.writeUInt8(0, offset); // no watch
  }
  offset = buffer.writeInt32BE(-1, offset);
  offset = buffer.writeUInt8(1, offset);
  buffer.writeInt32BE(-1, offset);
  return buffer;
}

export class MultiReadFormatError extends Error {
  readonly code = 'PACER_ZK_BAD_FRAME';
}

/**
 * The results of a multi-read reply body (after the reply header), one per path in request order.
 * Data are views into the reply, not copies (100,000 values are 60 MB): a caller that keeps one
 * keeps the whole reply alive, so it should decode and drop them.
 */
export function decodeMultiReadReply(body: Buffer, expected: number): MultiReadResult[] {
  const results: MultiReadResult[] = [];
  let offset = 0;
  const need = (bytes: number): void => {
    if (offset + bytes > body.length)
      throw new MultiReadFormatError(`multi-read reply ends early (${body.length} bytes, ${results.length} of ${expected} results)`);
  };
  for (;;) {
    need(9);
    const type = body.readInt32BE(offset);
    const done = body.readUInt8(offset + 4) !== 0;
    offset += 9;
    if (done) break;
    if (type === OP_GET_DATA) {
      need(4);
      const length = body.readInt32BE(offset);
      offset += 4;
      if (length < -1) throw new MultiReadFormatError(`multi-read reply has a data length of ${length}`);
      const size = Math.max(length, 0);
      need(size + STAT_BYTES);
      results.push({ data: body.subarray(offset, offset + size) });
      offset += size + STAT_BYTES;
    } else if (type === OP_ERROR) {
      need(4);
      results.push({ error: body.readInt32BE(offset) });
      offset += 4;
    } else {
      throw new MultiReadFormatError(`multi-read reply has an entry of type ${type}`);
    }
  }
  if (results.length !== expected) throw new MultiReadFormatError(`multi-read reply has ${results.length} results for ${expected} reads`);
  return results;
}
