// Settings one family's render works with, resolved once per sync.

import type { IPFamily } from '../../model/types.js';
import type { LocalTrafficMatch } from '../../netfilter/local-match.js';

export interface RenderContext {
  readonly family: IPFamily;
  /** e.g. "0x00004000" (upstream formats 1 << masqueradeBit with Go's %#08x). */
  readonly masqueradeMark: string;
  readonly masqueradeAll: boolean;
  readonly local: LocalTrafficMatch | undefined;
  /** Node IPs of this family: LB source ranges containing one also admit traffic from the LB IPs. */
  readonly nodeIPs: readonly string[];
  readonly largeClusterMode: boolean;
  readonly localhostNodePorts: boolean;
  /** `--random-fully` on MASQUERADE (iptables >= 1.6.2 with kernel support). */
  readonly randomFully: boolean;
  /** nf_conntrack_tcp_be_liberal is set: no DROP of INVALID packets is needed. */
  readonly conntrackTCPLiberal: boolean;
  /** Node IPs NodePorts answer on; empty = every local address. */
  readonly nodePortAddresses: readonly string[];
  probability(n: number): string;
}

/** 1/n with ten decimals, as upstream's "%0.10f"; cached because large services ask for many. */
export function probabilityTable(): (n: number) => string {
  const cache: string[] = [];
  return (n) => (cache[n] ??= (1 / n).toFixed(10));
}
