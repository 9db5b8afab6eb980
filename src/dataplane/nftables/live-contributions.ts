// The service contributions of a rendered program, without copying 30,000 entries on every render: a
// read-only view of the renderer's own map, valid until that renderer renders again. Every consumer
// (the executor's apply, `kproxy render`) uses a program before the next render; one kept longer fails
// loudly instead of showing a later state.

import type { ServicePortKey } from '../../model/types.js';
import type { ServiceContribution } from './program.js';

type Contributions = ReadonlyMap<ServicePortKey, ServiceContribution>;

export class LiveContributions implements Contributions {
  constructor(
    private readonly source: Contributions,
    private readonly renders: () => number,
    private readonly at: number,
  ) {}

  private map(): Contributions {
    if (this.renders() !== this.at) throw new Error('nftables program used after its renderer rendered again; render anew');
    return this.source;
  }

  get size(): number {
    return this.map().size;
  }
  get(key: ServicePortKey): ServiceContribution | undefined {
    return this.map().get(key);
  }
  has(key: ServicePortKey): boolean {
    return this.map().has(key);
  }
  forEach(fn: (value: ServiceContribution, key: ServicePortKey, map: Contributions) => void): void {
    for (const [k, v] of this.map()) fn(v, k, this);
  }
  entries(): MapIterator<[ServicePortKey, ServiceContribution]> {
    return this.map().entries();
  }
  keys(): MapIterator<ServicePortKey> {
    return this.map().keys();
  }
  values(): MapIterator<ServiceContribution> {
    return this.map().values();
  }
  [Symbol.iterator](): MapIterator<[ServicePortKey, ServiceContribution]> {
    return this.map()[Symbol.iterator]();
  }
}
