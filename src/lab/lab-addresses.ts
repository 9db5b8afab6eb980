// The lab's fixed addresses, for scenarios to use. One node ("node" namespace) between an off-cluster client
// ("client" namespace) and every pod ("pods" namespace). Documentation and ULA ranges only, so nothing here
// can collide with a real network.

/** The off-cluster client and a second address on the same interface (for source-range checks). */
export const CLIENT_IP = '10.77.0.2';
export const CLIENT_IP_2 = '10.77.0.3';
/** The node's address facing the client: its InternalIP, where NodePorts are reached. */
export const NODE_IP = '10.77.0.1';
/** The node's address facing the pods (the pod gateway, as a CNI bridge would have it); masquerade source. */
export const NODE_POD_GATEWAY = '10.244.0.1';
export const POD_CIDR = '10.244.0.0/16';
/** A pod that only sends (any pod IP a flow starts from that is no endpoint lives beside it). */
export const CLIENT_POD_IP = '10.244.9.50';
export const SERVICE_CIDR = '10.96.0.0/16';
/** ExternalIPs and load-balancer IPs live here; the client routes it to the node. */
export const EXTERNAL_CIDR = '203.0.113.0/24';

export const CLIENT_IP6 = 'fd77::2';
export const CLIENT_IP6_2 = 'fd77::3';
export const NODE_IP6 = 'fd77::1';
export const NODE_POD_GATEWAY6 = 'fd44::1';
export const POD_CIDR6 = 'fd44::/64';
export const CLIENT_POD_IP6 = 'fd44::9:50';
export const SERVICE_CIDR6 = 'fd96::/112';
export const EXTERNAL_CIDR6 = '2001:db8:113::/64';

/** Every address the node namespace owns: a backend that sees one of these sees a masqueraded/proxied flow. */
export const NODE_ADDRESSES: readonly string[] = [NODE_IP, NODE_POD_GATEWAY, NODE_IP6, NODE_POD_GATEWAY6, '127.0.0.1', '::1'];

/** The routes the client sends to the node (a real client would reach these through its router). */
export const CLIENT_ROUTES4: readonly string[] = [SERVICE_CIDR, POD_CIDR, EXTERNAL_CIDR];
export const CLIENT_ROUTES6: readonly string[] = [SERVICE_CIDR6, POD_CIDR6, EXTERNAL_CIDR6];
