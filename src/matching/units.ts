/**
 * Mesos compares scalar resources in fixed point with three decimals (`llround(v * 1000)`),
 * so the matcher keeps every scalar as an integer count of milli-units.
 */

export function toMilli(value: number): number {
  return Math.round(value * 1000);
}

export function fromMilli(milli: number): number {
  return milli / 1000;
}

export const CPUS = 0;
export const MEM = 1;
export const DISK = 2;
export const GPUS = 3;
export const BUILTIN_DIMENSIONS = ['cpus', 'mem', 'disk', 'gpus'] as const;

/** Resource name ↔ dimension number for one round; custom scalars get numbers after the built-ins. */
export class DimensionTable {
  readonly names: string[] = [...BUILTIN_DIMENSIONS];
  readonly #byName = new Map<string, number>(this.names.map((n, i) => [n, i]));

  idOf(name: string): number {
    let id = this.#byName.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.#byName.set(name, id);
    }
    return id;
  }

  find(name: string): number | undefined {
    return this.#byName.get(name);
  }

  get size(): number {
    return this.names.length;
  }
}
