// wlc: weighted least connections (ip_vs_wlc). The lc overhead divided by the weight: the backend with
// the lowest (active * 256 + inactive) / weight wins.
import { connectionOverhead } from './lc.js';
import { pickLeastOverhead } from './least-overhead.js';
import type { Backend, ConnectionCounts, PickContext, Scheduler } from './types.js';

export class WeightedLeastConnectionScheduler implements Scheduler {
  readonly name = 'wlc';
  private backends: readonly Backend[] = [];

  constructor(private readonly counts: ConnectionCounts) {}

  update(backends: readonly Backend[]): void {
    this.backends = [...backends];
  }

  pick(_ctx: PickContext): Backend | undefined {
    return pickLeastOverhead(this.backends, {
      weighted: true,
      overhead: (b) => connectionOverhead(this.counts, b),
    });
  }
}
