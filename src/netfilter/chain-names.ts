// The fixed chains upstream kube-proxy creates in the nat and filter tables, spelled as upstream spells
// them, in one place for the iptables mode and the IPVS mode's companion rules: both modes share several
// (KUBE-SERVICES, KUBE-POSTROUTING, KUBE-MARK-MASQ, KUBE-FORWARD, KUBE-PROXY-FIREWALL), so kproxy and
// kube-proxy can replace each other on a node and cleanup finds every one. Per-service chains (hashed
// names) are the iptables mode's own: dataplane/iptables/chain-names.ts.

// Both modes.
export const KUBE_SERVICES = 'KUBE-SERVICES';
export const KUBE_POSTROUTING = 'KUBE-POSTROUTING';
export const KUBE_MARK_MASQ = 'KUBE-MARK-MASQ';
export const KUBE_FORWARD = 'KUBE-FORWARD';
export const KUBE_PROXY_FIREWALL = 'KUBE-PROXY-FIREWALL';

// The iptables mode.
export const KUBE_EXTERNAL_SERVICES = 'KUBE-EXTERNAL-SERVICES';
export const KUBE_NODEPORTS = 'KUBE-NODEPORTS';
export const KUBE_PROXY_CANARY = 'KUBE-PROXY-CANARY';
/** kubelet's anti-martian chain; kube-proxy keeps an identical copy for localhost NodePorts. */
export const KUBE_FIREWALL = 'KUBE-FIREWALL';
/** Chains kubelet creates; their presence means kubelet shares KUBE-FIREWALL / KUBE-MARK-MASQ with us. */
export const KUBELET_CANARIES: readonly string[] = ['KUBE-KUBELET-CANARY', 'KUBE-IPTABLES-HINT'];

// The IPVS mode.
export const KUBE_NODE_PORT = 'KUBE-NODE-PORT';
export const KUBE_LOAD_BALANCER = 'KUBE-LOAD-BALANCER';
export const KUBE_SOURCE_RANGES_FIREWALL = 'KUBE-SOURCE-RANGES-FIREWALL';
export const KUBE_IPVS_FILTER = 'KUBE-IPVS-FILTER';
export const KUBE_IPVS_OUT_FILTER = 'KUBE-IPVS-OUT-FILTER';
