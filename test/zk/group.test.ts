/**
 * The group recipe behind the Mesos master registry: members are `<label>_<sequence>` children,
 * the lowest sequence leads. The master registry's own use of it is tested in
 * test/local/master-leadership.test.ts and test/mesos/zk-detector.test.ts against a real ZooKeeper.
 */
import { describe, expect, it } from 'vitest';
import { groupMembers } from '../../src/zk/group.js';

describe('groupMembers', () => {
  it('keeps only children named after the label, in numeric sequence order', () => {
    const children = ['member_0000000010', 'other_0000000001', 'member_9', 'member_x', 'member_0000000002'];
    expect(groupMembers(children, 'member')).toEqual([
      { name: 'member_0000000002', sequence: 2 },
      { name: 'member_9', sequence: 9 },
      { name: 'member_0000000010', sequence: 10 },
    ]);
  });

  it('takes the label literally: a dot in it matches only a dot', () => {
    expect(groupMembers(['json.info_1', 'jsonXinfo_0'], 'json.info').map((m) => m.name)).toEqual(['json.info_1']);
  });
});
