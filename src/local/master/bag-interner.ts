import { ResourceBag } from './resources.js';

/**
 * One frozen ResourceBag for all tasks whose resources are equal. A task's bag is a Map with an
 * entry object per resource and range lists, ~800 bytes; the tasks of one app differ only in
 * their ports, which repeat from agent to agent, so at 100,000 tasks a few thousand bags serve
 * them all. Bags are held weakly: one is forgotten once no task keeps it.
 */
export class ResourceBagInterner {
  private readonly bags = new Map<string, WeakRef<ResourceBag>>();
  private readonly registry = new FinalizationRegistry<string>((key) => {
    if (this.bags.get(key)?.deref() === undefined) this.bags.delete(key);
  });

  /** The shared bag equal to `bag` (frozen: any change throws), or `bag` itself, frozen, if it is the first. */
  intern(bag: ResourceBag): ResourceBag {
    const key = bag.identityKey();
    const known = this.bags.get(key)?.deref();
    if (known !== undefined) return known;
    bag.freeze();
    this.bags.set(key, new WeakRef(bag));
    this.registry.register(bag, key);
    return bag;
  }

  /** Distinct bags known (some may be dead and not yet collected). */
  get size(): number {
    return this.bags.size;
  }
}
