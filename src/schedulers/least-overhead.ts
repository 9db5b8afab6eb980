// The selection loop lc, wlc, sed and nq share (ip_vs_lc/wlc/sed/nq): walk the backends in order, skip
// the ones with weight 0, keep the one with the lowest overhead. Ties go to the earlier backend because
// only a strictly better one replaces the current choice. Weighted variants compare overhead/weight as
// the kernel does, by cross-multiplying (loh * w_dest > doh * w_least) so no division rounds anything.
import { weightOf } from './backend-weight.js';
import type { Backend } from './types.js';

export interface LeastOverheadRule {
  /** The backend's overhead from its connection counts. */
  overhead(backend: Backend): number;
  /** Divide the overhead by the weight (wlc, sed, nq) or not (lc). */
  readonly weighted: boolean;
  /** Take a backend at once when this says so (nq takes the first idle one). */
  takeAtOnce?(backend: Backend): boolean;
}

export function pickLeastOverhead(backends: readonly Backend[], rule: LeastOverheadRule): Backend | undefined {
  let least: Backend | undefined;
  let leastOverhead = 0;
  let leastWeight = 0;
  for (const backend of backends) {
    const weight = weightOf(backend);
    if (weight === 0) continue;
    if (rule.takeAtOnce?.(backend)) return backend;
    const overhead = rule.overhead(backend);
    const better = rule.weighted
      ? leastOverhead * weight > overhead * leastWeight
      : overhead < leastOverhead;
    if (least === undefined || better) {
      least = backend;
      leastOverhead = overhead;
      leastWeight = weight;
    }
  }
  return least;
}
