// Pod traffic (--detect-local-mode, decided in src/netfilter/local-traffic.ts) as nft matches.

import type { IPFamily } from '../../model/types.js';
import { localTrafficCriterion, type DetectLocalOptions } from '../../netfilter/local-traffic.js';
import type { LocalMatch } from './fixed-structure.js';

export type { DetectLocalMode, DetectLocalOptions } from '../../netfilter/local-traffic.js';

/** The matches for pod traffic; `podCIDRs` are this node's (NodeCIDR mode reads them each sync). */
export function localMatch(opts: DetectLocalOptions, family: IPFamily, podCIDRs: readonly string[]): LocalMatch | undefined {
  const c = localTrafficCriterion(opts, family, podCIDRs);
  if (!c) return undefined;
  if (c.by === 'source') {
    const x = family === 'IPv4' ? 'ip' : 'ip6';
    return { ifLocal: `${x} saddr ${c.cidr}`, ifNotLocal: `${x} saddr != ${c.cidr}` };
  }
  const name = JSON.stringify(c.prefix ? `${c.name}*` : c.name);
  return { ifLocal: `iifname ${name}`, ifNotLocal: `iifname != ${name}` };
}
