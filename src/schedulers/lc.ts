// lc: least connections (ip_vs_lc). Overhead = active * 256 + inactive, so an active connection weighs
// far more than one lingering in TIME_WAIT-like states; weights only matter as 0 (skip) or not.
import { pickLeastOverhead } from './least-overhead.js';
import type { Backend, ConnectionCounts, PickContext, Scheduler } from './types.js';

/** IPVS's ip_vs_dest_conn_overhead, shared with wlc. */
export function connectionOverhead(counts: ConnectionCounts, backend: Backend): number {
  return counts.active(backend.id) * 256 + counts.inactive(backend.id);
}

export class LeastConnectionScheduler implements Scheduler {
  readonly name = 'lc';
  private backends: readonly Backend[] = [];

  constructor(private readonly counts: ConnectionCounts) {}

  update(backends: readonly Backend[]): void {
    this.backends = [...backends];
  }

  pick(_ctx: PickContext): Backend | undefined {
    return pickLeastOverhead(this.backends, {
      weighted: false,
      overhead: (b) => connectionOverhead(this.counts, b),
    });
  }
}
