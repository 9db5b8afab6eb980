// Scenarios that need node flags (Scenario.flags, spelled as upstream kube-proxy's): --masquerade-all,
// each --detect-local-mode, and --nodeport-addresses. Each comment says what upstream kube-proxy
// (iptables/nftables modes) does with that flag, which is what the expectations encode.

import { CLIENT_IP6, NODE_IP, NODE_IP6, NODE_POD_GATEWAY } from '../../src/lab/lab-addresses.js';
import { node, slice } from '../fixtures/objects.js';
import { UPSTREAM_MODES, upstreamMode, type ModeOverride, type Scenario } from './scenario.js';
import {
  A1, A1_6, at, B1, B1_6, dualStackService, fromClient, fromPod, local, remote, THIS_NODE, THIS_ZONE, thisNode,
  userspaceSeesNode, webService,
} from './scenario-fixtures.js';

/** NodePort Service "web" (80 -> 8080, NodePort 30080) with endpoints A1 (here) and B1 (there). */
const web = (clusterIP: string, more: { externalTrafficPolicy?: 'Local' } = {}) => webService('web', clusterIP, { type: 'NodePort', ...more });
const webEndpoints = slice('web', [8080], [local(A1), remote(B1)]);
const ANY = { answeredBy: [at(A1), at(B1)] };
/** This node with pod CIDRs, for --detect-local-mode=NodeCIDR. */
const nodeWithPodCIDR = (cidr4: string, cidr6: string) => node(THIS_NODE, THIS_ZONE, [NODE_IP, NODE_IP6], [cidr4, cidr6]);

/** A scenario checking who is masqueraded on the way to a ClusterIP under one local-traffic detection. */
function detectLocal(name: string, flags: string[], podKept: boolean, objects = [thisNode], byMode: Record<string, ModeOverride> = {}): Scenario {
  return {
    name,
    nodeName: THIS_NODE,
    flags,
    objects: [...objects, web('10.96.5.20'), webEndpoints],
    flows: [fromPod('10.96.5.20:80', { ...ANY, source: podKept ? 'client' : 'node' }, 4), fromClient('10.96.5.20:80', { ...ANY, source: 'node' })],
    byMode: { ...(podKept ? userspaceSeesNode(0) : {}), ...byMode },
  };
}

/**
 * Upstream v1.30's nftables mode writes the interface-prefix match as `iif != PREFIX*`; nft refuses it
 * ("Interface does not exist": `iif` takes one existing interface, a wildcard needs `iifname`), so its
 * whole sync fails and nothing is programmed. kproxy matches with `iifname`, as upstream's iptables mode
 * matches `-i PREFIX+`, and the later upstream fix does.
 */
const upstreamNftInterfacePrefixFails: Record<string, ModeOverride> = {
  [upstreamMode('nftables')]: {
    departure: 'upstream v1.30 nftables mode writes `iif != PREFIX*`, which nft refuses, so it programs nothing; kproxy uses `iifname`',
    expect: { 0: { outcome: 'dropped' }, 1: { outcome: 'dropped' } },
  },
};

export const FLAG_SCENARIOS: Scenario[] = [
  // Upstream: --masquerade-all masquerades all ClusterIP traffic, pods' included. It acts in the ClusterIP
  // rule only, so a NodePort with policy Local still keeps the client's address.
  {
    name: '--masquerade-all',
    nodeName: THIS_NODE,
    flags: ['--masquerade-all'],
    objects: [thisNode, web('10.96.5.10', { externalTrafficPolicy: 'Local' }), webEndpoints],
    flows: [fromPod('10.96.5.10:80', { ...ANY, source: 'node' }, 4), fromClient(`${NODE_IP}:30080`, { answeredBy: [at(A1)], source: 'client' }, 4)],
    byMode: {
      ...userspaceSeesNode(1),
      // Found by the oracle: upstream v1.30's nftables mode (alpha) ignores --masquerade-all and decides by
      // the local-traffic detector alone, so a pod keeps its address; its iptables and IPVS modes masquerade.
      [upstreamMode('nftables')]: {
        departure: 'upstream v1.30 nftables mode ignores --masquerade-all (pods keep their address); kproxy masquerades as the flag says, as upstream iptables does',
        expect: { 0: { source: 'client' } },
      },
    },
  },
  // Upstream: --detect-local-mode=NodeCIDR treats as pod traffic only sources in this Node's spec.podCIDRs:
  // a pod in it keeps its address on the way to a ClusterIP ...
  detectLocal('--detect-local-mode=NodeCIDR: a source in the node pod CIDR is not masqueraded',
    ['--detect-local-mode=NodeCIDR'], true, [nodeWithPodCIDR('10.244.9.0/24', 'fd44::9:0/112')]),
  // Upstream: ... and a pod elsewhere in the cluster CIDR (another node's range) is masqueraded.
  detectLocal('--detect-local-mode=NodeCIDR: a cluster pod outside the node pod CIDR is masqueraded',
    ['--detect-local-mode=NodeCIDR'], false, [nodeWithPodCIDR('10.244.1.0/24', 'fd44::1:0/112')]),
  // Upstream: --detect-local-mode=InterfaceNamePrefix treats as pod traffic what arrives on an interface
  // whose name starts with the prefix (here the link to the sending pods), whatever its address.
  detectLocal('--detect-local-mode=InterfaceNamePrefix: traffic from a pod interface is not masqueraded',
    ['--detect-local-mode=InterfaceNamePrefix', '--pod-interface-name-prefix=n2'], true, [thisNode], upstreamNftInterfacePrefixFails),
  // Upstream: ... and traffic from an interface without the prefix is masqueraded even from a pod address.
  detectLocal('--detect-local-mode=InterfaceNamePrefix: other interfaces are masqueraded',
    ['--detect-local-mode=InterfaceNamePrefix', '--pod-interface-name-prefix=n1'], false, [thisNode], upstreamNftInterfacePrefixFails),
  // Upstream: --detect-local-mode=BridgeInterface does the same with one exact interface name, the pods'
  // bridge (in the lab, the node's link to the sending pods) ...
  detectLocal('--detect-local-mode=BridgeInterface: traffic from the pod bridge is not masqueraded',
    ['--detect-local-mode=BridgeInterface', '--pod-bridge-interface=n2'], true),
  // Upstream: ... and traffic from any other interface is masqueraded.
  detectLocal('--detect-local-mode=BridgeInterface: other interfaces are masqueraded',
    ['--detect-local-mode=BridgeInterface', '--pod-bridge-interface=n1'], false),
  // Upstream: --nodeport-addresses with CIDRs opens NodePorts only on the node addresses inside them; on
  // another local address (the pod gateway) nothing captures the port and the node answers with a RST.
  {
    name: '--nodeport-addresses with CIDRs',
    nodeName: THIS_NODE,
    flags: ['--nodeport-addresses=10.77.0.0/24,fd77::/64'],
    objects: [thisNode, web('10.96.5.11'), webEndpoints],
    flows: [
      fromClient(`${NODE_IP}:30080`, { ...ANY, source: 'node' }),
      fromClient(`${NODE_POD_GATEWAY}:30080`, { outcome: 'rejected' }),
    ],
  },
  // Upstream: --nodeport-addresses=primary opens NodePorts only on the node's primary IPs (its InternalIPs)
  // of each family.
  {
    name: '--nodeport-addresses=primary',
    nodeName: THIS_NODE,
    flags: ['--nodeport-addresses=primary'],
    // The oracle's kube-proxy is v1.30.3, which refuses the value ("must be a valid CIDR"): it came in 1.31.
    byMode: Object.fromEntries(UPSTREAM_MODES.map((m) => [m, { skip: 'kube-proxy v1.30 does not know --nodeport-addresses=primary (1.31+)' }])),
    objects: [
      thisNode,
      dualStackService('web', '10.96.5.12', 'fd96::512'),
      webEndpoints,
      slice('web', [8080], [local(A1_6), remote(B1_6)]),
    ],
    flows: [
      fromClient(`${NODE_IP}:30080`, { ...ANY, source: 'node' }),
      fromClient(`[${NODE_IP6}]:30080`, { answeredBy: [at(A1_6), at(B1_6)], source: 'node' }, 1, CLIENT_IP6),
      fromClient(`${NODE_POD_GATEWAY}:30080`, { outcome: 'rejected' }),
    ],
  },
];
