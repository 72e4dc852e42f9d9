/**
 * ZooKeeper `multi`: the operations of an atomic transaction, and the error that tells which
 * operation made the server refuse it. ZkSession.multi commits them.
 */
import zookeeper from 'node-zookeeper-client';
import type { ACL, Transaction } from 'node-zookeeper-client';
import { ZkError, zkErrorCodeOf, type ZkErrorCode } from './errors.js';

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

export function addMultiOp(transaction: Transaction, op: ZkMultiOp, acls: ACL[]): void {
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

export function toMultiError(error: unknown, results: unknown, opCount: number): ZkError {
  const what = `multi of ${opCount} ops`;
  if (!(error instanceof zookeeper.Exception)) {
    return new ZkError('PACER_ZK_ERROR', `${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const name = error.getName();
  const code = zkErrorCodeOf(name);
  if (!Array.isArray(results)) return new ZkError(code, `${what}: ${name}`, error.getCode());
  // Ops before the culprit report OK, the culprit its own error, later ops a generic rollback code.
  const failedIndex = results.findIndex((result: { err?: number }) => result.err === error.getCode());
  const at = failedIndex === -1 ? undefined : failedIndex;
  return new ZkMultiError(code, `${what}: ${name}${at === undefined ? '' : ` at op #${at}`}`, at, error.getCode());
}
