// Typed errors of Pacer's ZooKeeper plumbing, and their translation from the client library's.
import zookeeper from 'node-zookeeper-client';

export type ZkErrorCode =
  | 'ZK_BAD_URL'
  | 'ZK_BAD_PATH'
  | 'ZK_CONNECT_TIMEOUT'
  | 'ZK_AUTH_FAILED'
  | 'ZK_OPERATION_TIMEOUT'
  | 'ZK_CONNECTION_LOSS'
  | 'ZK_SESSION_EXPIRED'
  | 'ZK_CLOSED'
  | 'ZK_NO_NODE'
  | 'ZK_NODE_EXISTS'
  | 'ZK_NOT_EMPTY'
  | 'ZK_BAD_VERSION'
  | 'ZK_NO_AUTH'
  | 'ZK_ERROR';

export class ZkError extends Error {
  override readonly name = 'ZkError';
  constructor(
    readonly code: ZkErrorCode,
    message: string,
    /** The server's or client library's numeric error code, when there was one. */
    readonly zkCode?: number,
  ) {
    super(message);
  }
}

const LIBRARY_ERROR_CODES: Record<string, ZkErrorCode> = {
  NO_NODE: 'ZK_NO_NODE',
  NODE_EXISTS: 'ZK_NODE_EXISTS',
  NOT_EMPTY: 'ZK_NOT_EMPTY',
  BAD_VERSION: 'ZK_BAD_VERSION',
  NO_AUTH: 'ZK_NO_AUTH',
  AUTH_FAILED: 'ZK_AUTH_FAILED',
  SESSION_EXPIRED: 'ZK_SESSION_EXPIRED',
  CONNECTION_LOSS: 'ZK_CONNECTION_LOSS',
  OPERATION_TIMEOUT: 'ZK_OPERATION_TIMEOUT',
  BAD_ARGUMENTS: 'ZK_BAD_PATH',
};

/** The library's exception (or anything else thrown) as a ZkError; `what` names the operation. */
export function toZkError(error: unknown, what: string): ZkError {
  if (error instanceof ZkError) return error;
  if (error instanceof zookeeper.Exception) {
    return new ZkError(LIBRARY_ERROR_CODES[error.getName()] ?? 'ZK_ERROR', `${what}: ${error.getName()}`, error.getCode());
  }
  return new ZkError('ZK_ERROR', `${what}: ${error instanceof Error ? error.message : String(error)}`);
}

/** The ZkErrorCode of a library exception name such as NODE_EXISTS. */
export function zkErrorCodeOf(libraryName: string): ZkErrorCode {
  return LIBRARY_ERROR_CODES[libraryName] ?? 'ZK_ERROR';
}
