import { describe, expect, it } from 'vitest';
import { InvalidResourceError } from '../../../src/local/master/errors.js';
import { FrozenResourceBagError, ResourceBag, scalarIndex } from '../../../src/local/master/resources.js';
import type { Resource } from '../../../src/mesos/types.js';

const cpus = (value: number, role?: string): Resource => ({
  name: 'cpus',
  type: 'SCALAR',
  scalar: { value },
  ...(role ? { allocation_info: { role } } : {}),
});
const ports = (...ranges: [number, number][]): Resource => ({
  name: 'ports',
  type: 'RANGES',
  ranges: { range: ranges.map(([begin, end]) => ({ begin, end })) },
});

describe('ResourceBag', () => {
  it('adds scalars in fixed point thousandths, so 0.1 + 0.2 is exactly 0.3', () => {
    const sum = ResourceBag.fromResources([cpus(0.1)]).add(ResourceBag.fromResources([cpus(0.2)]));
    expect(sum.contains(ResourceBag.fromResources([cpus(0.3)]))).toBe(true);
    expect(ResourceBag.fromResources([cpus(0.3)]).contains(sum)).toBe(true);
    expect(sum.toResources()[0]!.scalar!.value).toBe(0.3);
  });

  it('does exact range arithmetic for ports', () => {
    const offered = ResourceBag.fromResources([ports([31000, 31010])]);
    expect(offered.contains(ResourceBag.fromResources([ports([31000, 31000], [31005, 31010])]))).toBe(true);
    expect(offered.contains(ResourceBag.fromResources([ports([31009, 31011])]))).toBe(false);
    const left = offered.clone().subtract(ResourceBag.fromResources([ports([31003, 31005])]));
    expect(left.toResources()[0]!.ranges!.range).toEqual([
      { begin: 31000, end: 31002 },
      { begin: 31006, end: 31010 },
    ]);
    // Adjacent ranges coalesce.
    const merged = ResourceBag.fromResources([ports([1, 2], [3, 4])]);
    expect(merged.toResources()[0]!.ranges!.range).toEqual([{ begin: 1, end: 4 }]);
  });

  it('keeps resources with different allocation roles or reservations apart', () => {
    const web = ResourceBag.fromResources([cpus(1, 'web')]);
    expect(web.contains(ResourceBag.fromResources([cpus(1, 'db')]))).toBe(false);
    expect(web.contains(ResourceBag.fromResources([cpus(1)]))).toBe(false);
    const reserved = ResourceBag.fromResources([{ ...cpus(1), role: 'web' }]);
    expect(reserved.contains(ResourceBag.fromResources([cpus(1)]))).toBe(false);
    // Legacy role "*" is the same as unreserved.
    expect(ResourceBag.fromResources([{ ...cpus(1), role: '*' }]).contains(ResourceBag.fromResources([cpus(1)]))).toBe(true);
    expect(reserved.usableBy('web').isEmpty()).toBe(false);
    expect(reserved.usableBy('db').isEmpty()).toBe(true);
  });

  it('rejects malformed resources with a typed error', () => {
    expect(() => ResourceBag.fromResources([cpus(-1)])).toThrow(InvalidResourceError);
    expect(() => ResourceBag.fromResources([ports([5, 3])])).toThrow(/begin 5 is greater than end 3/);
    expect(() => ResourceBag.fromResources([ports([1, 5], [4, 8])])).toThrow(/overlap/);
    expect(ResourceBag.validate([{ name: 'cpus', type: 'SCALAR' }])).toMatch(/Invalid scalar resource/);
  });

  it('prints resources the way upstream does in error messages', () => {
    const bag = ResourceBag.fromResources([cpus(0.5, 'web'), { ...ports([31000, 31001]), allocation_info: { role: 'web' } }]);
    expect(bag.toString()).toBe('cpus(allocated: web):0.5; ports(allocated: web):[31000-31001]');
  });

  it('refuses to change a frozen bag, while its clone stays mutable', () => {
    const frozen = ResourceBag.fromResources([cpus(2), ports([31000, 31010])]).freeze();
    expect(frozen.isFrozen).toBe(true);
    expect(() => frozen.add(ResourceBag.fromResources([cpus(1)]))).toThrow(FrozenResourceBagError);
    expect(() => frozen.subtract(ResourceBag.fromResources([cpus(1)]))).toThrow(FrozenResourceBagError);
    expect(frozen.toString()).toBe('cpus:2; ports:[31000-31010]');

    const copy = frozen.clone();
    expect(copy.isFrozen).toBe(false);
    copy.subtract(ResourceBag.fromResources([cpus(1), ports([31000, 31000])]));
    expect(copy.toString()).toBe('cpus:1; ports:[31001-31010]');
    expect(frozen.toString()).toBe('cpus:2; ports:[31000-31010]');
  });

  it('builds the wire form of a frozen bag once per format, deep-frozen', () => {
    const frozen = ResourceBag.fromResources([cpus(1, 'web')]).freeze();
    const wire = frozen.sharedResources();
    expect(frozen.sharedResources()).toBe(wire);
    expect(wire).toEqual(frozen.toResources());
    expect(Object.isFrozen(wire)).toBe(true);
    expect(Object.isFrozen(wire[0]!.scalar)).toBe(true);
    const legacy = frozen.sharedResources({ legacyRole: true });
    expect(legacy).not.toBe(wire);
    expect(legacy[0]!.role).toBe('*');

    const mutable = ResourceBag.fromResources([cpus(1)]);
    expect(mutable.sharedResources()).not.toBe(mutable.sharedResources());
    expect(Object.isFrozen(mutable.sharedResources())).toBe(false);
  });

  it('lists scalar amounts by dense index, ranges left out', () => {
    const bag = ResourceBag.fromResources([cpus(1.5), { name: 'mem', type: 'SCALAR', scalar: { value: 64 } }, ports([1, 2])]);
    expect(bag.scalarPairs()).toEqual([scalarIndex('cpus'), 1500, scalarIndex('mem'), 64000]);
    expect(scalarIndex('cpus')).not.toBe(scalarIndex('mem'));
  });
});
