/**
 * A ZooKeeper group as Mesos keeps one (src/zookeeper/group.cpp): every member holds an
 * EPHEMERAL_SEQUENTIAL child `<label>_<sequence>` of the group's path, and the lowest sequence
 * leads. Children under any other name (`log_replicas`, legacy `info_…`) take no part. What a
 * member's data means (a MasterInfo, for the Mesos master registry) is the caller's business.
 */
import { joinPath, ZkError, type ZkSession } from './session.js';

export interface GroupMember {
  /** Child name, e.g. `json.info_0000000003`. */
  readonly name: string;
  readonly sequence: number;
}

/** The `<label>_*` children in election order (numeric, so unpadded names sort right too). */
export function groupMembers(children: readonly string[], label: string): GroupMember[] {
  const pattern = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_(\\d+)$`);
  const members: GroupMember[] = [];
  for (const name of children) {
    const match = pattern.exec(name);
    if (match) members.push({ name, sequence: Number(match[1]) });
  }
  // Numeric order, not lexicographic: only the zero padding makes string order agree.
  return members.sort((a, b) => a.sequence - b.sequence);
}

/** Joins the group at `path` with `data`; resolves to the full path of the new member znode. */
export function joinGroup(session: ZkSession, path: string, label: string, data: Buffer): Promise<string> {
  return session.create(joinPath(path, `${label}_`), data, { mode: 'ephemeral_sequential', createParents: true });
}

/**
 * The member this session already owns, if any. A create whose answer was lost may still have
 * happened; reusing that node rather than joining again leaves one entry per member.
 */
export async function findOwnMember(session: ZkSession, path: string, label: string): Promise<string | undefined> {
  let children: string[];
  try {
    children = await session.getChildren(path);
  } catch (error) {
    if (error instanceof ZkError && error.code === 'PACER_ZK_NO_NODE') return undefined;
    throw error;
  }
  for (const child of children) {
    if (!child.startsWith(`${label}_`)) continue;
    const stat = await session.exists(joinPath(path, child));
    if (stat?.ephemeralOwner === session.sessionId) return joinPath(path, child);
  }
  return undefined;
}
