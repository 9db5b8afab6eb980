// What one service port needs, decided once from its endpoint selection (the same decisions upstream's
// syncProxyRules makes inline): which policy chains exist, where internal and external traffic go, and
// what the filter table does when there is nowhere to send it (REJECT: no endpoints at all; DROP: no
// endpoints for a Local policy).

import type { ServicePort } from '../../model/types.js';
import { serviceChains, servicePortNameString, type ServiceChains } from './chain-names.js';

export interface FilterVerdict {
  /** The words after `-j`: DROP, or REJECT (with a TCP reset for TCP: see noEndpointsTarget). */
  readonly target: readonly string[];
  readonly comment: string;
}

/**
 * TCP is refused with a reset, other protocols with ICMP port unreachable. Upstream's plain REJECT sends
 * ICMP for TCP too, and the kernel rate-limits ICMP errors per destination (net.ipv4.icmp_ratelimit, a
 * bucket of six): measured here, the first SYNs to a destination the node had not sent errors to lately,
 * and the SYNs of a burst beyond the bucket, got no answer and waited for their retransmit (1 s, 3 s, ...).
 * A reset is not rate limited, so every SYN is refused at once (docs/compat.md).
 */
export function noEndpointsTarget(proto: string): readonly string[] {
  return proto === 'tcp' ? ['REJECT', '--reject-with', 'tcp-reset'] : ['REJECT'];
}

export interface ServicePortPlan {
  readonly sp: ServicePort;
  /** "namespace/name:port". */
  readonly name: string;
  /** Lower-case protocol, as in `-m tcp -p tcp`. */
  readonly proto: string;
  readonly chains: ServiceChains;
  readonly hasEndpoints: boolean;
  readonly hasInternalEndpoints: boolean;
  readonly hasExternalEndpoints: boolean;
  /** Where ClusterIP traffic jumps (KUBE-SVC or KUBE-SVL). */
  readonly internalChain: string;
  /** Where external traffic ends up after KUBE-EXT (KUBE-SVC or KUBE-SVL). */
  readonly externalPolicyChain: string;
  readonly usesClusterChain: boolean;
  readonly usesLocalChain: boolean;
  readonly usesExternalChain: boolean;
  readonly usesFirewallChain: boolean;
  /** Where LB-IP traffic jumps: KUBE-FW when source ranges apply, else KUBE-EXT. */
  readonly loadBalancerChain: string;
  /** LB ingress IPs the node programs (ipMode Proxy ones are left to the load balancer). */
  readonly loadBalancerVIPs: readonly string[];
  readonly internalVerdict: FilterVerdict | undefined;
  readonly externalVerdict: FilterVerdict | undefined;
}

export function externallyAccessible(sp: ServicePort): boolean {
  return sp.nodePort !== 0 || sp.externalIPs.length > 0 || sp.loadBalancerIPs.some((lb) => lb.ipMode === 'VIP');
}

export function planServicePort(sp: ServicePort): ServicePortPlan {
  const name = servicePortNameString(sp);
  const chains = serviceChains(sp);
  const { cluster, local, hasAny } = sp.selection;
  const external = externallyAccessible(sp);
  // As upstream's UsesClusterEndpoints: a port taking external traffic needs the cluster chain even under
  // two Local policies, because pod traffic to its external addresses short-circuits to it.
  const usesClusterEndpoints = !sp.internalPolicyLocal || external;
  const usesLocalEndpoints = sp.internalPolicyLocal || (external && sp.externalPolicyLocal);
  const hasInternalEndpoints = hasAny && !(sp.internalPolicyLocal && local.length === 0);
  const hasExternalEndpoints = hasAny && !(sp.externalPolicyLocal && local.length === 0);
  const loadBalancerVIPs = sp.loadBalancerIPs.filter((lb) => lb.ipMode === 'VIP').map((lb) => lb.ip);
  const usesFirewallChain = hasAny && loadBalancerVIPs.length > 0 && sp.loadBalancerSourceRanges.length > 0;

  const noEndpoints: FilterVerdict = { target: noEndpointsTarget(sp.protocol.toLowerCase()), comment: `${name} has no endpoints` };
  const noLocal: FilterVerdict = { target: ['DROP'], comment: `${name} has no local endpoints` };
  return {
    sp,
    name,
    proto: sp.protocol.toLowerCase(),
    chains,
    hasEndpoints: hasAny,
    hasInternalEndpoints,
    hasExternalEndpoints,
    internalChain: sp.internalPolicyLocal ? chains.local : chains.cluster,
    externalPolicyChain: sp.externalPolicyLocal ? chains.local : chains.cluster,
    usesClusterChain: cluster.length > 0 && usesClusterEndpoints,
    usesLocalChain: local.length > 0 && usesLocalEndpoints,
    usesExternalChain: hasAny && external,
    usesFirewallChain,
    loadBalancerChain: usesFirewallChain ? chains.firewall : chains.external,
    loadBalancerVIPs,
    internalVerdict: !hasAny ? noEndpoints : hasInternalEndpoints ? undefined : noLocal,
    externalVerdict: !hasAny ? noEndpoints : hasExternalEndpoints ? undefined : noLocal,
  };
}
