/**
 * ZooKeeper `multi` (an atomic transaction of create/setData/remove/check) on a ZkSession.
 *
 * ZkSession does not expose transactions yet, so this reaches its library client and ACL choice
 * through a narrow cast. It is the only place that does; once ZkSession grows a `multi(ops)`
 * method this file shrinks to a call of it.
 */
import zookeeper from 'node-zookeeper-client';
import type { ACL, Client } from 'node-zookeeper-client';
import { ZkError, type ZkErrorCode, type ZkSession } from './zookeeper.js';

export type ZkMultiOp =
  | { type: 'create'; path: string; data: Buffer }
  | { type: 'setData'; path: string; data: Buffer }
  | { type: 'remove'; path: string }
  | { type: 'check'; path: string };

/** A transaction the server refused as a whole; `failedIndex` is the op that caused it, when known. */
export class ZkMultiError extends ZkError {
  constructor(
    code: ZkErrorCode,
    message: string,
    readonly failedIndex: number | undefined,
    zkCode?: number,
  ) {
    super(code, message, zkCode);
  }
}

interface SessionInternals {
  client: Client;
  acls(): ACL[];
}

const ERROR_CODES: Record<string, ZkErrorCode> = {
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

/**
 * Commits `ops` atomically. Rejects with ZkMultiError when the server refused the transaction
 * (nothing was applied), or with ZK_OPERATION_TIMEOUT / ZK_CONNECTION_LOSS when the outcome is
 * unknown (the request may still have been applied, as with any ZooKeeper write).
 */
export function commitMulti(session: ZkSession, ops: readonly ZkMultiOp[], timeoutMs: number): Promise<void> {
  if (session.state === 'closed') return Promise.reject(new ZkError('ZK_CLOSED', 'multi: session closed'));
  if (session.state === 'expired') return Promise.reject(new ZkError('ZK_SESSION_EXPIRED', 'multi: session expired'));
  const internals = session as unknown as SessionInternals;
  const transaction = internals.client.transaction();
  const acls = internals.acls();
  for (const op of ops) {
    switch (op.type) {
      case 'create':
        transaction.create(op.path, op.data, acls, zookeeper.CreateMode.PERSISTENT);
        break;
      case 'setData':
        transaction.setData(op.path, op.data, -1);
        break;
      case 'remove':
        transaction.remove(op.path, -1);
        break;
      case 'check':
        transaction.check(op.path, -1);
        break;
    }
  }
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new ZkError('ZK_OPERATION_TIMEOUT', `multi of ${ops.length} ops: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    transaction.commit((error, results: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!error) {
        resolve();
        return;
      }
      reject(toMultiError(error, results, ops.length));
    });
  });
}

function toMultiError(error: unknown, results: unknown, opCount: number): ZkError {
  const what = `multi of ${opCount} ops`;
  if (!(error instanceof zookeeper.Exception)) {
    return new ZkError('ZK_ERROR', `${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const name = error.getName();
  const code = ERROR_CODES[name] ?? 'ZK_ERROR';
  if (!Array.isArray(results)) return new ZkError(code, `${what}: ${name}`, error.getCode());
  // Ops before the culprit report OK, the culprit its own error, later ops a generic rollback code.
  const failedIndex = results.findIndex((result: { err?: number }) => result.err === error.getCode());
  const at = failedIndex === -1 ? undefined : failedIndex;
  return new ZkMultiError(code, `${what}: ${name}${at === undefined ? '' : ` at op #${at}`}`, at, error.getCode());
}
