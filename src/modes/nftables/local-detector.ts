// --detect-local-mode as nft matches: by the cluster CIDR, by this node's pod CIDR, by the pods' bridge
// or by their interface name prefix. Without an answer for a family (no CIDR of it) the rules that need
// one are left out, as upstream does.

import { isIP } from 'node:net';
import type { IPFamily } from '../../model/types.js';
import type { LocalMatch } from './fixed-structure.js';

export type DetectLocalMode = '' | 'ClusterCIDR' | 'NodeCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix';

export interface DetectLocalOptions {
  /** '' means ClusterCIDR. */
  readonly mode: DetectLocalMode;
  /** One CIDR or a comma-separated dual-stack pair ('' = unset). */
  readonly clusterCIDR: string;
  readonly bridgeInterface: string;
  readonly interfaceNamePrefix: string;
}

function cidrOfFamily(cidrs: readonly string[], family: IPFamily): string | undefined {
  const want = family === 'IPv4' ? 4 : 6;
  return cidrs.map((c) => c.trim()).find((c) => isIP(c.split('/')[0] ?? '') === want);
}

/** The matches for pod traffic; `podCIDRs` are this node's (NodeCIDR mode reads them each sync). */
export function localMatch(opts: DetectLocalOptions, family: IPFamily, podCIDRs: readonly string[]): LocalMatch | undefined {
  const x = family === 'IPv4' ? 'ip' : 'ip6';
  const bySource = (cidr: string | undefined): LocalMatch | undefined =>
    cidr ? { ifLocal: `${x} saddr ${cidr}`, ifNotLocal: `${x} saddr != ${cidr}` } : undefined;
  const byInterface = (name: string): LocalMatch | undefined =>
    name ? { ifLocal: `iifname ${JSON.stringify(name)}`, ifNotLocal: `iifname != ${JSON.stringify(name)}` } : undefined;
  switch (opts.mode) {
    case '':
    case 'ClusterCIDR':
      return bySource(cidrOfFamily(opts.clusterCIDR ? opts.clusterCIDR.split(',') : [], family));
    case 'NodeCIDR':
      return bySource(cidrOfFamily(podCIDRs, family));
    case 'BridgeInterface':
      return byInterface(opts.bridgeInterface);
    case 'InterfaceNamePrefix':
      return byInterface(opts.interfaceNamePrefix ? `${opts.interfaceNamePrefix}*` : '');
    default:
      throw new Error(
        `detectLocalMode: got ${JSON.stringify(opts.mode)}, allowed: ClusterCIDR, NodeCIDR, BridgeInterface, InterfaceNamePrefix`,
      );
  }
}
