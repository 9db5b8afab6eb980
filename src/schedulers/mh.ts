// mh: Maglev hashing (ip_vs_mh). The client IP (plus the client port with the mh-port flag,
// hashSourcePort here) hashes to a slot of a 4093-slot Maglev table. Like the kernel, the table is built
// from each backend's last weight above 0, so a backend that drains to weight 0 keeps its slots and the
// other clients stay put; clients whose slot belongs to a drained backend fall back by rehashing with an
// increasing offset (the kernel's mh-fallback flag; kproxy always falls back rather than refuse).
// Differences from IPVS: backends are ordered by id before population (the table depends only on the
// set) and addresses are folded by hashing their text.
import { isAvailable, sortedById, weightOf } from './backend-weight.js';
import { foldAddress, hashWord, MH_OFFSET_KEY } from './hashing.js';
import { DEFAULT_MAGLEV_TABLE_SIZE, populateMaglevTable } from './maglev-table.js';
import type { Backend, PickContext, Scheduler } from './types.js';

export class MaglevHashScheduler implements Scheduler {
  readonly name = 'mh';
  private table: Backend[] = [];
  private anyAvailable = false;
  /** Last weight above 0 seen per backend id (the kernel's last_weight). */
  private lastWeight = new Map<string, number>();

  constructor(
    private readonly hashSourcePort: boolean,
    private readonly size: number = DEFAULT_MAGLEV_TABLE_SIZE,
  ) {}

  update(backends: readonly Backend[]): void {
    const lastWeight = new Map<string, number>();
    for (const backend of backends) {
      const weight = weightOf(backend) || this.lastWeight.get(backend.id) || 0;
      lastWeight.set(backend.id, weight);
    }
    this.lastWeight = lastWeight;
    const entries = sortedById(backends).map((backend) => ({ backend, weight: lastWeight.get(backend.id)! }));
    this.table = populateMaglevTable(entries, this.size);
    this.anyAvailable = backends.some(isAvailable);
  }

  pick(ctx: PickContext): Backend | undefined {
    if (!this.anyAvailable || this.table.length === 0) return undefined;
    const key = (foldAddress(ctx.clientIP) + (this.hashSourcePort ? ctx.clientPort : 0)) >>> 0;
    const home = hashWord(key, MH_OFFSET_KEY) % this.size;
    const first = this.table[home]!;
    if (isAvailable(first)) return first;
    for (let offset = 0; offset < this.size; offset++) {
      const slot = hashWord((key + (home + offset) % this.size) >>> 0, MH_OFFSET_KEY) % this.size;
      const backend = this.table[slot]!;
      if (isAvailable(backend)) return backend;
    }
    // Rehashing visits slots at random and could in theory miss a backend that owns very few of them.
    return this.table.find(isAvailable);
  }
}
