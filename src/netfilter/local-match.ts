// Pod traffic (--detect-local-mode, decided in src/netfilter/local-traffic.ts) as iptables matches.

import type { IPFamily } from '../model/types.js';
import { localTrafficCriterion, type DetectLocalOptions } from './local-traffic.js';

export type { DetectLocalMode, DetectLocalOptions } from './local-traffic.js';

export interface LocalTrafficMatch {
  readonly ifLocal: readonly string[];
  readonly ifNotLocal: readonly string[];
}

/** The matches for local traffic; `podCIDRs` are this node's (NodeCIDR mode reads them per sync). */
export function localTrafficMatch(
  opts: DetectLocalOptions,
  family: IPFamily,
  podCIDRs: readonly string[],
): LocalTrafficMatch | undefined {
  const c = localTrafficCriterion(opts, family, podCIDRs);
  if (!c) return undefined;
  if (c.by === 'source') return { ifLocal: ['-s', c.cidr], ifNotLocal: ['!', '-s', c.cidr] };
  const name = c.prefix ? `${c.name}+` : c.name;
  return { ifLocal: ['-i', name], ifNotLocal: ['!', '-i', name] };
}
