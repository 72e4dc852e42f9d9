// Typed errors of Pacer's ZooKeeper plumbing, and their translation from the client library's.
import zookeeper from 'node-zookeeper-client';

export type ZkErrorCode =
  | 'PACER_ZK_BAD_URL'
  | 'PACER_ZK_BAD_PATH'
  | 'PACER_ZK_CONNECT_TIMEOUT'
  | 'PACER_ZK_AUTH_FAILED'
  | 'PACER_ZK_OPERATION_TIMEOUT'
  | 'PACER_ZK_CONNECTION_LOSS'
  | 'PACER_ZK_SESSION_EXPIRED'
  | 'PACER_ZK_CLOSED'
  | 'PACER_ZK_NO_NODE'
  | 'PACER_ZK_NODE_EXISTS'
  | 'PACER_ZK_NOT_EMPTY'
  | 'PACER_ZK_BAD_VERSION'
  | 'PACER_ZK_NO_AUTH'
  | 'PACER_ZK_ERROR';

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
  NO_NODE: 'PACER_ZK_NO_NODE',
  NODE_EXISTS: 'PACER_ZK_NODE_EXISTS',
  NOT_EMPTY: 'PACER_ZK_NOT_EMPTY',
  BAD_VERSION: 'PACER_ZK_BAD_VERSION',
  NO_AUTH: 'PACER_ZK_NO_AUTH',
  AUTH_FAILED: 'PACER_ZK_AUTH_FAILED',
  SESSION_EXPIRED: 'PACER_ZK_SESSION_EXPIRED',
  CONNECTION_LOSS: 'PACER_ZK_CONNECTION_LOSS',
  OPERATION_TIMEOUT: 'PACER_ZK_OPERATION_TIMEOUT',
  BAD_ARGUMENTS: 'PACER_ZK_BAD_PATH',
};

/** The library's exception (or anything else thrown) as a ZkError; `what` names the operation. */
export function toZkError(error: unknown, what: string): ZkError {
  if (error instanceof ZkError) return error;
  if (error instanceof zookeeper.Exception) {
    return new ZkError(LIBRARY_ERROR_CODES[error.getName()] ?? 'PACER_ZK_ERROR', `${what}: ${error.getName()}`, error.getCode());
  }
  return new ZkError('PACER_ZK_ERROR', `${what}: ${error instanceof Error ? error.message : String(error)}`);
}

/** The ZkErrorCode of a library exception name such as NODE_EXISTS. */
export function zkErrorCodeOf(libraryName: string): ZkErrorCode {
  return LIBRARY_ERROR_CODES[libraryName] ?? 'PACER_ZK_ERROR';
}
