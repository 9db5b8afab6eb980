// sed: shortest expected delay (ip_vs_sed). Overhead = (active + 1) / weight: the delay a new connection
// would see if every backend served its active connections at a rate proportional to its weight.
// Inactive connections do not count.
import { pickLeastOverhead } from './least-overhead.js';
import type { Backend, ConnectionCounts, PickContext, Scheduler } from './types.js';

export class ShortestExpectedDelayScheduler implements Scheduler {
  readonly name = 'sed';
  private backends: readonly Backend[] = [];

  constructor(private readonly counts: ConnectionCounts) {}

  update(backends: readonly Backend[]): void {
    this.backends = [...backends];
  }

  pick(_ctx: PickContext): Backend | undefined {
    return pickLeastOverhead(this.backends, {
      weighted: true,
      overhead: (b) => this.counts.active(b.id) + 1,
    });
  }
}
