// What every kernel mode's renderer is told about the node, from upstream's configuration fields. Each
// mode adds its own options on top (localhost NodePorts, the IPVS interface addresses, ...).

import type { IPFamily } from '../model/types.js';
import type { DetectLocalOptions } from '../netfilter/local-traffic.js';

export interface KernelRenderOptions {
  /** Families to program (dual stack: both). Each mode documents its default. */
  readonly families?: readonly IPFamily[];
  /** Bit of the packet mark that asks for masquerade (iptables.masqueradeBit; default 14). */
  readonly masqueradeBit?: number;
  readonly masqueradeAll?: boolean;
  readonly detectLocal?: DetectLocalOptions;
  /** Resolved --nodeport-addresses: node IPs; empty = every local address. */
  readonly nodePortAddresses?: readonly string[];
  /** The node's IPs (primary first, any family). */
  readonly nodeIPs?: readonly string[];
}
