// lc, wlc, sed and nq (ip_vs_lc, ip_vs_wlc, ip_vs_sed, ip_vs_nq): a new connection goes to the backend with
// the least overhead. They differ only in what the overhead is, whether the weight divides it, and nq's
// rule that an idle backend takes the connection outright. Ties go to the earlier backend, as in IPVS.
import { pickLeastOverhead } from './least-overhead.js';
import type { Backend, ConnectionCounts, PickContext, Scheduler } from './types.js';

export interface OverheadPolicy {
  readonly name: string;
  /** Compare overhead / weight (by cross-multiplication, as the kernel does) instead of overhead alone. */
  readonly weighted: boolean;
  overhead(counts: ConnectionCounts, b: Backend): number;
  takeAtOnce?(counts: ConnectionCounts, b: Backend): boolean;
}

/** IPVS's ip_vs_dest_conn_overhead: an active connection weighs far more than a lingering one. */
const connectionOverhead = (counts: ConnectionCounts, b: Backend) => counts.active(b.id) * 256 + counts.inactive(b.id);
/** The delay a new connection would see if each backend served its active ones at a rate ∝ its weight. */
const expectedDelay = (counts: ConnectionCounts, b: Backend) => counts.active(b.id) + 1;

export const LEAST_CONNECTION: OverheadPolicy = { name: 'lc', weighted: false, overhead: connectionOverhead };
export const WEIGHTED_LEAST_CONNECTION: OverheadPolicy = { name: 'wlc', weighted: true, overhead: connectionOverhead };
export const SHORTEST_EXPECTED_DELAY: OverheadPolicy = { name: 'sed', weighted: true, overhead: expectedDelay };
export const NEVER_QUEUE: OverheadPolicy = {
  name: 'nq',
  weighted: true,
  overhead: expectedDelay,
  takeAtOnce: (counts, b) => counts.active(b.id) === 0,
};

export class LeastOverheadScheduler implements Scheduler {
  readonly name: string;
  private backends: readonly Backend[] = [];

  constructor(
    private readonly policy: OverheadPolicy,
    private readonly counts: ConnectionCounts,
  ) {
    this.name = policy.name;
  }

  update(backends: readonly Backend[]): void {
    this.backends = [...backends];
  }

  pick(_ctx: PickContext): Backend | undefined {
    const { policy, counts } = this;
    return pickLeastOverhead(this.backends, {
      weighted: policy.weighted,
      overhead: (b) => policy.overhead(counts, b),
      ...(policy.takeAtOnce ? { takeAtOnce: (b: Backend) => policy.takeAtOnce!(counts, b) } : {}),
    });
  }
}
