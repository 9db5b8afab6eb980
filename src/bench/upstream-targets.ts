// The targets issue 18 set for kproxy against upstream kube-proxy, as ratios kproxy / upstream from the same
// run, and one line per measured case saying where each is met or missed: the reports print them under the
// upstream table, so a run states its own verdict.

import type { CaseResult } from './results.js';

export interface UpstreamTarget {
  metric: string;
  label: string;
  /** The largest ratio that meets the target at this many Services. */
  limit(services: number): number;
}

export const UPSTREAM_TARGETS: readonly UpstreamTarget[] = [
  { metric: 'firstSyncMsRatio', label: 'first sync', limit: (n) => (n >= 5000 ? 0.5 : 0.75) },
  { metric: 'changeP99MsRatio', label: 'one endpoint p99', limit: () => 0.5 },
  { metric: 'peakRssMBRatio', label: 'peak RSS', limit: () => 1.0 },
];

/** "iptables 1000: first sync 0.42 ≤ 0.75 met; ..." for every upstream case that was measured. */
export function upstreamTargetLines(cases: readonly CaseResult[]): string[] {
  return cases
    .filter((c) => c.experiment === 'upstream' && !c.error && Object.keys(c.metrics).length > 0)
    .map((c) => {
      const services = Number(c.params.services);
      const parts = UPSTREAM_TARGETS.map((t) => {
        const v = c.metrics[t.metric];
        const limit = t.limit(services);
        if (v === undefined || !Number.isFinite(v)) return `${t.label} not measured (target ≤ ${limit})`;
        return `${t.label} ${v.toFixed(2)} ${v <= limit ? `≤ ${limit} met` : `> ${limit} missed`}`;
      });
      return `${c.mode} ${c.variant}: ${parts.join('; ')}`;
    });
}
