// Scenarios about reaching a Service: each way in (ClusterIP, NodePort, localhost, host, ExternalIP,
// LoadBalancer), source ranges, masquerade and hairpin, and IPv6. Each comment says what upstream
// kube-proxy (iptables/nftables modes) does, which is what the expectations encode.

import { CLIENT_IP, CLIENT_IP_2, CLIENT_POD_IP, CLIENT_POD_IP6, NODE_IP, NODE_IP6 } from '../../src/lab/lab-addresses.js';
import type { LoadBalancerIngress, ServiceSpec } from '../../src/model/objects.js';
import { port, service, slice, udpPort } from '../fixtures/objects.js';
import type { Flow, FlowExpect, Scenario } from './scenario.js';
import { A1, A1_6, A2, B1, B1_6, at, dualStackService, local, notInKubeApiserver, remote, THIS_NODE, thisNode, userspaceSeesNode } from './scenario-fixtures.js';

/** Service "web" (80 -> 8080, NodePort 30080 unless type ClusterIP) and its endpoints A1 (here), B1 (there). */
const web = (clusterIP: string, more: Partial<ServiceSpec> = {}, ingress?: LoadBalancerIngress[]) =>
  service('web', { clusterIP, ports: [port(80, 8080, (more.type ?? 'ClusterIP') === 'ClusterIP' ? {} : { nodePort: 30080 })], ...more }, ingress);
const webEndpoints = slice('web', [8080], [local(A1), remote(B1)]);
/** A TCP flow from the off-cluster client (from its first address unless fromIP says otherwise). */
const client = (to: string, expect: FlowExpect, fromIP?: string): Flow => ({ from: 'client', proto: 'tcp', to, expect, ...(fromIP ? { fromIP } : {}) });
const pod = (to: string, expect: FlowExpect, count = 1): Flow => ({ from: 'pod', fromIP: CLIENT_POD_IP, proto: 'tcp', to, count, expect });

export const REACH_SCENARIOS: Scenario[] = [
  // Upstream: the ClusterIP is DNATed to an endpoint; pod sources (inside --cluster-cidr) are not masqueraded.
  {
    name: 'pod->ClusterIP over TCP',
    nodeName: THIS_NODE,
    objects: [thisNode, web('10.96.0.10'), webEndpoints],
    flows: [pod('10.96.0.10:80', { answeredBy: [at(A1), at(B1)], source: 'client' })],
    byMode: userspaceSeesNode(0),
  },
  // Upstream: the same for UDP; the backend answers each datagram.
  {
    name: 'pod->ClusterIP over UDP',
    nodeName: THIS_NODE,
    objects: [thisNode, service('dns', { clusterIP: '10.96.0.11', ports: [udpPort(53, 5353)] }), slice('dns', [5353], [local(A1)], 'UDP')],
    flows: [{ from: 'pod', fromIP: CLIENT_POD_IP, proto: 'udp', to: '10.96.0.11:53', expect: { answeredBy: [at(A1, 5353)], source: 'client' } }],
    byMode: userspaceSeesNode(0),
  },
  // Upstream: each Service port is its own service port with its own endpoints (matched by port name).
  {
    name: 'multi-port Service',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      service('multi', { clusterIP: '10.96.0.12', ports: [port(80, 8080, { name: 'http' }), port(9090, 9090, { name: 'metrics' })] }),
      slice('multi', [['http', 8080], ['metrics', 9090]], [local(A1)]),
    ],
    flows: [pod('10.96.0.12:80', { answeredBy: [at(A1)] }), pod('10.96.0.12:9090', { answeredBy: [at(A1, 9090)] })],
  },
  // Upstream: NodePort on the node's address, masqueraded (externalTrafficPolicy Cluster).
  {
    name: 'client->NodePort on the node address',
    nodeName: THIS_NODE,
    objects: [thisNode, web('10.96.0.13', { type: 'NodePort' }), webEndpoints],
    flows: [client(`${NODE_IP}:30080`, { answeredBy: [at(A1), at(B1)], source: 'node' })],
  },
  // Upstream iptables: NodePorts answer on 127.0.0.1 too (--iptables-localhost-nodeports, route_localnet),
  // masqueraded. nftables mode does not support localhost NodePorts: nothing listens there, so RST.
  {
    name: 'localhost->NodePort',
    nodeName: THIS_NODE,
    objects: [thisNode, web('10.96.0.14', { type: 'NodePort' }), webEndpoints],
    flows: [{ from: 'localhost', proto: 'tcp', to: '127.0.0.1:30080', expect: { answeredBy: [at(A1), at(B1)], source: 'node' } }],
    // IPVS (upstream pkg/proxy/ipvs): NodePort virtual servers are never created on loopback addresses.
    byMode: { nftables: { expect: { 0: { outcome: 'rejected' } } }, ipvs: { expect: { 0: { outcome: 'rejected' } } } },
  },
  // Upstream: host-originated traffic to a ClusterIP is captured in OUTPUT and masqueraded (the node's
  // source is outside the cluster CIDR).
  {
    name: 'node->ClusterIP (host-originated)',
    nodeName: THIS_NODE,
    objects: [thisNode, web('10.96.0.15'), webEndpoints],
    flows: [{ from: 'node', proto: 'tcp', to: '10.96.0.15:80', expect: { answeredBy: [at(A1), at(B1)], source: 'node' } }],
  },
  // Upstream: traffic to an ExternalIP arriving at the node is DNATed and masqueraded (policy Cluster).
  {
    name: 'client->ExternalIP',
    nodeName: THIS_NODE,
    objects: [thisNode, web('10.96.0.16', { externalIPs: ['203.0.113.10'] }), webEndpoints],
    flows: [client('203.0.113.10:80', { answeredBy: [at(A1), at(B1)], source: 'node' })],
  },
  // Upstream: a load-balancer ingress IP with ipMode VIP (or unset) is captured like an ExternalIP.
  {
    name: 'client->LoadBalancer IP (ipMode VIP)',
    nodeName: THIS_NODE,
    objects: [thisNode, web('10.96.0.17', { type: 'LoadBalancer' }, [{ ip: '203.0.113.20', ipMode: 'VIP' }]), webEndpoints],
    flows: [client('203.0.113.20:80', { answeredBy: [at(A1), at(B1)], source: 'node' })],
  },
  // Upstream (KEP-1860): ipMode Proxy means the load balancer delivers to the node itself, so the LB IP is
  // not programmed; a packet sent to it is routed on as any other (here: out of the uplink, unanswered).
  {
    name: 'LoadBalancer IP with ipMode Proxy is not captured',
    nodeName: THIS_NODE,
    objects: [thisNode, web('10.96.0.18', { type: 'LoadBalancer' }, [{ ip: '203.0.113.30', ipMode: 'Proxy' }]), webEndpoints],
    flows: [client('203.0.113.30:80', { outcome: 'dropped' }), pod('10.96.0.18:80', { answeredBy: [at(A1), at(B1)] })],
    // A status patch with ipMode is accepted there and the field silently dropped, so the LB IP is a VIP.
    byMode: notInKubeApiserver('has no status.loadBalancer.ingress[].ipMode (KEP-1860, API 1.29+): it drops the field'),
  },
  // Upstream: with loadBalancerSourceRanges, LB-IP traffic from outside the ranges is dropped (KUBE-FW /
  // firewall chain); the ClusterIP is not filtered.
  {
    name: 'loadBalancerSourceRanges admit and refuse',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      web('10.96.0.19', { type: 'LoadBalancer', loadBalancerSourceRanges: [`${CLIENT_IP}/32`] }, [{ ip: '203.0.113.21' }]),
      webEndpoints,
    ],
    flows: [
      client('203.0.113.21:80', { answeredBy: [at(A1), at(B1)] }, CLIENT_IP),
      client('203.0.113.21:80', { outcome: 'dropped' }, CLIENT_IP_2),
      pod('10.96.0.19:80', { answeredBy: [at(A1), at(B1)] }),
    ],
  },
  // Upstream: a pod reaching its own Service and landing on itself is masqueraded (the KUBE-SEP rule
  // matching the endpoint's own source), otherwise its reply would never cross the node to be un-NATed.
  {
    name: 'hairpin: a pod reaches its own Service and lands on itself',
    nodeName: THIS_NODE,
    objects: [thisNode, service('self', { clusterIP: '10.96.0.20', ports: [port(80, 8080)] }), slice('self', [8080], [local(A2)])],
    flows: [{ from: 'pod', fromIP: A2, proto: 'tcp', to: '10.96.0.20:80', count: 3, expect: { answeredBy: [at(A2)], source: 'node' } }],
  },
  // Upstream (--cluster-cidr set): ClusterIP traffic from inside the cluster CIDR keeps its source; from
  // outside it (an off-cluster client routed to the ClusterIP) and to a NodePort it is masqueraded.
  {
    name: 'masquerade: kept from inside the cluster CIDR, applied from outside',
    nodeName: THIS_NODE,
    objects: [thisNode, web('10.96.0.21', { type: 'NodePort' }), webEndpoints],
    flows: [
      pod('10.96.0.21:80', { source: 'client' }, 4),
      client('10.96.0.21:80', { source: 'node' }),
      client(`${NODE_IP}:30080`, { source: 'node' }),
    ],
    byMode: userspaceSeesNode(0),
  },
  // Upstream: a dual-stack Service is programmed per family: ClusterIP and NodePort work over IPv6 alike.
  {
    name: 'dual-stack: IPv6 ClusterIP and NodePort beside IPv4',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      dualStackService('dual', '10.96.0.22', 'fd96::22'),
      slice('dual', [8080], [local(A1), remote(B1)]),
      slice('dual', [8080], [local(A1_6), remote(B1_6)]),
    ],
    flows: [
      { from: 'pod', fromIP: CLIENT_POD_IP6, proto: 'tcp', to: '[fd96::22]:80', count: 12, expect: { answeredBy: [at(A1_6), at(B1_6)], all: true, source: 'client' } },
      client(`[${NODE_IP6}]:30080`, { answeredBy: [at(A1_6), at(B1_6)], source: 'node' }),
      pod('10.96.0.22:80', { answeredBy: [at(A1), at(B1)] }),
    ],
    byMode: userspaceSeesNode(0),
  },
  // Upstream: iptables picks endpoints at random (statistic), nftables by numgen, IPVS round robin: over
  // enough connections every endpoint answers.
  {
    name: 'several endpoints are all used',
    nodeName: THIS_NODE,
    objects: [thisNode, web('10.96.0.23'), slice('web', [8080], [local(A1), local(A2), remote(B1)])],
    flows: [pod('10.96.0.23:80', { answeredBy: [at(A1), at(A2), at(B1)], all: true }, 30)],
  },
];
