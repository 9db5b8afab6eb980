// "Is this packet from a pod on this node?" as iptables matches, per upstream's --detect-local-mode:
// by the cluster CIDR, by this node's pod CIDR, by the pods' bridge, or by the pods' interface name prefix.
// Without an answer (no CIDR of this family) the rules that need one are left out, as upstream does.

import { isIP } from 'node:net';
import type { IPFamily } from '../../model/types.js';

export type DetectLocalMode = '' | 'ClusterCIDR' | 'NodeCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix';

export interface DetectLocalOptions {
  /** '' means ClusterCIDR. */
  readonly mode: DetectLocalMode;
  /** clusterCIDR: one CIDR or a comma-separated dual-stack pair ('' = unset). */
  readonly clusterCIDR: string;
  readonly bridgeInterface: string;
  readonly interfaceNamePrefix: string;
}

export interface LocalTrafficMatch {
  readonly ifLocal: readonly string[];
  readonly ifNotLocal: readonly string[];
}

function cidrOfFamily(cidrs: readonly string[], family: IPFamily): string | undefined {
  const want = family === 'IPv4' ? 4 : 6;
  return cidrs.map((c) => c.trim()).find((c) => isIP(c.split('/')[0] ?? '') === want);
}

/** The matches for local traffic; `podCIDRs` are this node's (NodeCIDR mode reads them per sync). */
export function localTrafficMatch(
  opts: DetectLocalOptions,
  family: IPFamily,
  podCIDRs: readonly string[],
): LocalTrafficMatch | undefined {
  const bySource = (cidr: string | undefined): LocalTrafficMatch | undefined =>
    cidr ? { ifLocal: ['-s', cidr], ifNotLocal: ['!', '-s', cidr] } : undefined;
  switch (opts.mode) {
    case '':
    case 'ClusterCIDR':
      return bySource(cidrOfFamily(opts.clusterCIDR ? opts.clusterCIDR.split(',') : [], family));
    case 'NodeCIDR':
      return bySource(cidrOfFamily(podCIDRs, family));
    case 'BridgeInterface':
      if (!opts.bridgeInterface) return undefined;
      return { ifLocal: ['-i', opts.bridgeInterface], ifNotLocal: ['!', '-i', opts.bridgeInterface] };
    case 'InterfaceNamePrefix':
      if (!opts.interfaceNamePrefix) return undefined;
      return { ifLocal: ['-i', `${opts.interfaceNamePrefix}+`], ifNotLocal: ['!', '-i', `${opts.interfaceNamePrefix}+`] };
    default:
      throw new Error(
        `detectLocalMode: got ${JSON.stringify(opts.mode)}, allowed: ClusterCIDR, NodeCIDR, BridgeInterface, InterfaceNamePrefix`,
      );
  }
}
