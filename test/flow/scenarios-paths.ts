// More ways into a Service: NodePorts from pods and the node, hairpin through every kind of address, IPv6
// and UDP variants, ports matched by name, and Services upstream never proxies. Each comment says what
// upstream kube-proxy (iptables/nftables modes) does, which is what the expectations encode.

import { CLIENT_IP6, CLIENT_POD_IP6, NODE_IP, NODE_IP6, NODE_POD_GATEWAY } from '../../src/lab/lab-addresses.js';
import type { Service } from '../../src/model/objects.js';
import { NAMESPACE, port, service, slice, udpPort, withMeta } from '../fixtures/objects.js';
import type { Scenario } from './scenario.js';
import {
  A1, A1_6, A2, A2_6, at, B1, B1_6, B2, fromClient, fromNode, fromPod, local, remote, THIS_NODE, thisNode,
  userspaceSeesNode, webService,
} from './scenario-fixtures.js';

/** Service "plain" with endpoint A1: the neighbour that must keep working beside a Service not proxied. */
const plain = [webService('plain', '10.96.6.40'), slice('plain', [8080], [local(A1)])];
const plainWorks = fromPod('10.96.6.40:80', { answeredBy: [at(A1)] });
/** `o` under another name (a second EndpointSlice of the same Service). */
const renamed = <T extends { metadata: { name: string } }>(o: T, name: string): T => ({ ...o, metadata: { ...o.metadata, name } });

export const PATH_SCENARIOS: Scenario[] = [
  // Upstream: a pod reaching a NodePort (policy Cluster) is masqueraded like any NodePort traffic.
  {
    name: 'pod->NodePort is masqueraded',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('np', '10.96.6.10', { type: 'NodePort' }), slice('np', [8080], [local(A1), remote(B1)])],
    flows: [fromPod(`${NODE_IP}:30080`, { answeredBy: [at(A1), at(B1)], source: 'node' }, 4)],
  },
  // Upstream: with policy Local, pod traffic to a NodePort is not external traffic: it goes to the
  // cluster-wide endpoints with its source kept, even with no endpoint on this node.
  {
    name: 'pod->NodePort with externalTrafficPolicy Local and no local endpoint',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('np-far', '10.96.6.11', { type: 'NodePort', externalTrafficPolicy: 'Local' }), slice('np-far', [8080], [remote(B1), remote(B2)])],
    flows: [fromPod(`${NODE_IP}:30080`, { answeredBy: [at(B1), at(B2)], source: 'client' }, 4)],
    byMode: userspaceSeesNode(0),
  },
  // Upstream: with --nodeport-addresses unset, the iptables and IPVS modes serve NodePorts on every local
  // address (here the pod gateway), while nftables mode defaults it to `primary` (the node's InternalIPs):
  // there nothing captures the port on that address and the node resets the connection.
  {
    name: 'NodePort on a local address other than the node IP',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('np-any', '10.96.6.23', { type: 'NodePort' }), slice('np-any', [8080], [local(A1)])],
    flows: [fromClient(`${NODE_POD_GATEWAY}:30080`, { answeredBy: [at(A1)], source: 'node' })],
    byMode: { nftables: { expect: { 0: { outcome: 'rejected' } } } },
  },
  // Upstream nftables (cluster-ips-check) and IPVS (KUBE-IPVS-FILTER) reject traffic to a port a ClusterIP
  // does not serve; iptables has no rule for it, so it is routed on like any packet and lost.
  {
    name: 'a ClusterIP on a port its Service does not have',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('one-port', '10.96.6.24'), slice('one-port', [8080], [local(A1)])],
    flows: [fromPod('10.96.6.24:81', { outcome: 'rejected' }), fromPod('10.96.6.24:80', { answeredBy: [at(A1)] })],
    // The userspace mode's portals capture only the Service's ports, as iptables.
    byMode: { iptables: { expect: { 0: { outcome: 'dropped' } } }, userspace: { expect: { 0: { outcome: 'dropped' } } } },
  },
  // Upstream: the node reaching its own NodePort is captured in OUTPUT and masqueraded; with policy Local
  // and no endpoint here it is sent to the cluster-wide endpoints rather than dropped.
  {
    name: 'node->NodePort under both policies',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      webService('np-node', '10.96.6.12', { type: 'NodePort' }),
      slice('np-node', [8080], [local(A1), remote(B1)]),
      service('np-node-far', { clusterIP: '10.96.6.13', type: 'NodePort', externalTrafficPolicy: 'Local', ports: [port(80, 8080, { nodePort: 30081 })] }),
      slice('np-node-far', [8080], [remote(B2)]),
    ],
    flows: [
      fromNode(`${NODE_IP}:30080`, { answeredBy: [at(A1), at(B1)], source: 'node' }),
      fromNode(`${NODE_IP}:30081`, { answeredBy: [at(B2)], source: 'node' }),
    ],
  },
  // Upstream: a pod reaching its own Service through the NodePort and landing on itself is masqueraded
  // (hairpin), so the reply comes back through the node.
  {
    name: 'hairpin through the NodePort',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('self-np', '10.96.6.14', { type: 'NodePort' }), slice('self-np', [8080], [local(A2)])],
    flows: [fromPod(`${NODE_IP}:30080`, { answeredBy: [at(A2)], source: 'node' }, 3, A2)],
  },
  // Upstream: the same through an ExternalIP, even with policy Local (the pod is short-circuited to the
  // cluster chain, whose endpoint rule masquerades an endpoint reaching itself).
  {
    name: 'hairpin through an ExternalIP with externalTrafficPolicy Local',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('self-ext', '10.96.6.15', { type: 'NodePort', externalIPs: ['203.0.113.80'], externalTrafficPolicy: 'Local' }), slice('self-ext', [8080], [local(A2)])],
    flows: [fromPod('203.0.113.80:80', { answeredBy: [at(A2)], source: 'node' }, 3, A2)],
  },
  // Upstream: hairpin masquerade exists per family: an IPv6 pod reaching its own ClusterIP comes back too.
  {
    name: 'IPv6 hairpin',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('self6', 'fd96::616'), slice('self6', [8080], [local(A2_6)])],
    flows: [fromPod('[fd96::616]:80', { answeredBy: [at(A2_6)], source: 'node' }, 3, A2_6)],
  },
  // Upstream: an IPv6-only Service is programmed in the IPv6 rules only: its NodePort answers on the node's
  // IPv6 address, while the same port on the IPv4 address is not captured (the node resets it).
  {
    name: 'IPv6-only NodePort Service',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('only6', 'fd96::617', { type: 'NodePort', externalTrafficPolicy: 'Local' }), slice('only6', [8080], [local(A1_6), remote(B1_6)])],
    flows: [
      fromClient(`[${NODE_IP6}]:30080`, { answeredBy: [at(A1_6)], source: 'client' }, 4, CLIENT_IP6),
      fromPod('[fd96::617]:80', { answeredBy: [at(A1_6), at(B1_6)], all: true, source: 'client' }, 12, CLIENT_POD_IP6),
      fromClient(`${NODE_IP}:30080`, { outcome: 'rejected' }),
    ],
    byMode: userspaceSeesNode(0, 1),
  },
  // Upstream: UDP works the same through a NodePort (masqueraded, policy Cluster) and an IPv6 ClusterIP.
  {
    name: 'UDP through a NodePort and an IPv6 ClusterIP',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      service('dns-np', { clusterIP: '10.96.6.18', type: 'NodePort', ports: [udpPort(53, 5353, { nodePort: 30053 })] }),
      slice('dns-np', [5353], [local(A1)], 'UDP'),
      service('dns6', { clusterIP: 'fd96::619', ports: [udpPort(53, 5353)] }),
      slice('dns6', [5353], [local(A1_6)], 'UDP'),
    ],
    flows: [
      { from: 'client', proto: 'udp', to: `${NODE_IP}:30053`, expect: { answeredBy: [at(A1, 5353)], source: 'node' } },
      { from: 'pod', fromIP: CLIENT_POD_IP6, proto: 'udp', to: '[fd96::619]:53', expect: { answeredBy: [at(A1_6, 5353)], source: 'client' } },
    ],
    byMode: userspaceSeesNode(1),
  },
  // Upstream: ClientIP affinity holds for external clients through a NodePort too.
  {
    name: 'ClientIP session affinity through a NodePort',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('sticky-np', '10.96.6.20', { type: 'NodePort', sessionAffinity: 'ClientIP' }), slice('sticky-np', [8080], [local(A1), local(A2), remote(B1)])],
    flows: [fromClient(`${NODE_IP}:30080`, { answeredBy: [at(A1), at(A2), at(B1)], sameEndpoint: true }, 10)],
  },
  // Upstream: a named targetPort is resolved per endpoint from the EndpointSlice port of the same name; a
  // Service port whose name no slice port carries has no endpoints and is rejected.
  {
    name: 'ports matched by name',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      service('named', { clusterIP: '10.96.6.21', ports: [port(80, 8080, { name: 'http', targetPort: 'web' }), port(81, 8081, { name: 'admin' })] }),
      slice('named', [['http', 9090]], [local(A1)]),
    ],
    flows: [fromPod('10.96.6.21:80', { answeredBy: [at(A1, 9090)] }), fromPod('10.96.6.21:81', { outcome: 'rejected' })],
  },
  // Upstream: a Service's endpoints may be split over several EndpointSlices; they are merged.
  {
    name: 'endpoints split over two EndpointSlices',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      webService('split', '10.96.6.22'),
      slice('split', [8080], [local(A1)]),
      renamed(slice('split', [8080], [remote(B1)]), 'split-second'),
    ],
    flows: [fromPod('10.96.6.22:80', { answeredBy: [at(A1), at(B1)], all: true }, 16)],
  },
  // Upstream: kube-proxy watches only Services without the service.kubernetes.io/service-proxy-name label
  // (they belong to another proxy): such a Service gets no rules and its ClusterIP is routed away.
  {
    name: 'a Service claimed by another proxy (service-proxy-name) is not proxied',
    nodeName: THIS_NODE,
    objects: [thisNode, ...plain, withMeta(webService('claimed', '10.96.6.30'), { labels: { 'service.kubernetes.io/service-proxy-name': 'other-proxy' } }), slice('claimed', [8080], [local(A1)])],
    flows: [fromPod('10.96.6.30:80', { outcome: 'dropped' }), plainWorks],
  },
  // Upstream: Services labelled service.kubernetes.io/headless are not watched either, even with a ClusterIP.
  {
    name: 'a Service labelled headless is not proxied',
    nodeName: THIS_NODE,
    objects: [thisNode, ...plain, withMeta(webService('labelled', '10.96.6.31'), { labels: { 'service.kubernetes.io/headless': '' } }), slice('labelled', [8080], [local(A1)])],
    flows: [fromPod('10.96.6.31:80', { outcome: 'dropped' }), plainWorks],
  },
  // Upstream: headless (clusterIP None) and ExternalName Services are skipped: no rules, not even for an
  // ExternalName Service's externalIPs, and the Services beside them keep working.
  {
    name: 'headless and ExternalName Services are not proxied',
    nodeName: THIS_NODE,
    objects: [thisNode, ...plain, webService('headless', 'None'), slice('headless', [8080], [local(A1)]), externalName('cname', '203.0.113.81')],
    flows: [plainWorks, fromClient('203.0.113.81:80', { outcome: 'dropped' })],
  },
];

/** An ExternalName Service (DNS only: no ClusterIP) that also lists an ExternalIP a proxy must ignore. */
function externalName(name: string, externalIP: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NAMESPACE },
    spec: { type: 'ExternalName', externalName: 'db.example.invalid', externalIPs: [externalIP], ports: [port(80, 8080)] },
  };
}
