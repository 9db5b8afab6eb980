// "Is this packet from a pod on this node?" per upstream's --detect-local-mode: by the cluster CIDR, by this
// node's pod CIDR, by the pods' bridge, or by the pods' interface name prefix. Every kernel mode asks the
// same question and only spells the answer differently (iptables matches, nft expressions), so the
// decision lives here. No answer (no CIDR of the family, no interface name) means the rules that need one
// are left out, as upstream does.

import { isIP } from 'node:net';
import type { IPFamily } from '../model/types.js';

export type DetectLocalMode = '' | 'ClusterCIDR' | 'NodeCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix';

export interface DetectLocalOptions {
  /** '' means ClusterCIDR. */
  readonly mode: DetectLocalMode;
  /** clusterCIDR: one CIDR or a comma-separated dual-stack pair ('' = unset). */
  readonly clusterCIDR: string;
  readonly bridgeInterface: string;
  readonly interfaceNamePrefix: string;
}

export type LocalTrafficCriterion =
  | { readonly by: 'source'; readonly cidr: string }
  | { readonly by: 'interface'; readonly name: string; readonly prefix: boolean };

function cidrOfFamily(cidrs: readonly string[], family: IPFamily): string | undefined {
  const want = family === 'IPv4' ? 4 : 6;
  return cidrs.map((c) => c.trim()).find((c) => isIP(c.split('/')[0] ?? '') === want);
}

/** How to recognise pod traffic in `family`; `podCIDRs` are this node's (NodeCIDR mode reads them per sync). */
export function localTrafficCriterion(
  opts: DetectLocalOptions,
  family: IPFamily,
  podCIDRs: readonly string[],
): LocalTrafficCriterion | undefined {
  const bySource = (cidr: string | undefined) => (cidr ? ({ by: 'source', cidr } as const) : undefined);
  switch (opts.mode) {
    case '':
    case 'ClusterCIDR':
      return bySource(cidrOfFamily(opts.clusterCIDR ? opts.clusterCIDR.split(',') : [], family));
    case 'NodeCIDR':
      return bySource(cidrOfFamily(podCIDRs, family));
    case 'BridgeInterface':
      return opts.bridgeInterface ? { by: 'interface', name: opts.bridgeInterface, prefix: false } : undefined;
    case 'InterfaceNamePrefix':
      return opts.interfaceNamePrefix ? { by: 'interface', name: opts.interfaceNamePrefix, prefix: true } : undefined;
    default:
      throw new Error(
        `detectLocalMode: got ${JSON.stringify(opts.mode)}, allowed: ClusterCIDR, NodeCIDR, BridgeInterface, InterfaceNamePrefix`,
      );
  }
}
