// nq: never queue (ip_vs_nq). The first backend with no active connection takes the new one outright,
// whatever the weights; only when every backend is busy does it choose as sed does.
import { pickLeastOverhead } from './least-overhead.js';
import type { Backend, ConnectionCounts, PickContext, Scheduler } from './types.js';

export class NeverQueueScheduler implements Scheduler {
  readonly name = 'nq';
  private backends: readonly Backend[] = [];

  constructor(private readonly counts: ConnectionCounts) {}

  update(backends: readonly Backend[]): void {
    this.backends = [...backends];
  }

  pick(_ctx: PickContext): Backend | undefined {
    return pickLeastOverhead(this.backends, {
      weighted: true,
      overhead: (b) => this.counts.active(b.id) + 1,
      takeAtOnce: (b) => this.counts.active(b.id) === 0,
    });
  }
}
