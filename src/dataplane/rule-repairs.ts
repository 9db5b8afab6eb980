// How a kernel mode reports that the kernel no longer held what it committed (someone flushed a table, a
// chain or a map) and that the sync about to run rewrites it: one log line per repair naming everything
// found missing, and kproxy_sync_repairs_total{mode,reason} counted once per reason. Shared so every mode
// logs and counts repairs the same way; the checks themselves are the modes' own.

import type { Logger } from '../observability/logger.js';
import type { Counter } from '../observability/prometheus.js';

/** What a check found, as a metric label (a fixed, small set) and the words for the log line. */
export interface RuleDamage {
  readonly reason: RepairReason;
  readonly detail: string;
}

export type RepairReason =
  /** The table, or a canary the mode keeps in it, is gone. */
  | 'missing-table'
  | 'missing-chains'
  /** A chain holds fewer rules than committed (flushed), or more (someone added to it). */
  | 'missing-rules'
  | 'extra-rules'
  /** A jump from a built-in chain into ours is gone (iptables, IPVS companion rules). */
  | 'missing-jump'
  | 'missing-sets'
  | 'missing-elements'
  /** IPVS virtual or real servers, or ipset members. */
  | 'missing-servers';

/** "what: a, b, c, d, e, ... (n)": a detail naming the first few of many. */
export function naming(what: string, items: readonly string[]): string {
  return `${what}: ${items.slice(0, 5).join(', ')}${items.length > 5 ? `, ... (${items.length})` : ''}`;
}

export class RepairReporter {
  constructor(
    private readonly mode: string,
    private readonly logger: Logger | undefined,
    private readonly counter: Counter<'mode' | 'reason'> | undefined,
  ) {}

  /** Log and count one repair; `where` says which family or table it concerns. */
  report(damage: readonly RuleDamage[], where: Record<string, string> = {}): void {
    if (damage.length === 0) return;
    this.logger?.warn('Repairing proxy rules changed by someone else', { mode: this.mode, ...where, found: damage.map((d) => d.detail).join('; ') });
    for (const reason of new Set(damage.map((d) => d.reason))) this.counter?.labels({ mode: this.mode, reason }).inc();
  }
}
