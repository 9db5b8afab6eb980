// Scenarios about loadBalancerSourceRanges: which sources may reach a load-balancer IP (clients, pods, the
// node itself, IPv6), under both traffic policies, and what the ranges do not filter. Each comment says
// what upstream kube-proxy (iptables/nftables modes) does, which is what the expectations encode.

import { CLIENT_IP, CLIENT_IP_2, CLIENT_IP6, CLIENT_IP6_2, CLIENT_POD_IP, NODE_IP } from '../../src/lab/lab-addresses.js';
import type { LoadBalancerIngress, ServiceSpec } from '../../src/model/objects.js';
import { port, service, slice } from '../fixtures/objects.js';
import type { Scenario } from './scenario.js';
import { A1, A1_6, B1, B1_6, at, fromClient, fromNode, fromPod, local, remote, THIS_NODE, thisNode, userspaceSeesNode } from './scenario-fixtures.js';

/** LoadBalancer Service `name` (80 -> 8080, NodePort 30080 unless told) admitting only `ranges` at its ingress IP(s). */
const lb = (name: string, clusterIP: string, ranges: string[], ingress: LoadBalancerIngress[], more: Partial<ServiceSpec> = {}, nodePort = 30080) =>
  service(name, { clusterIP, type: 'LoadBalancer', loadBalancerSourceRanges: ranges, ports: [port(80, 8080, { nodePort })], ...more }, ingress);
const endpoints = (name: string) => slice(name, [8080], [local(A1), remote(B1)]);
const ANY = { answeredBy: [at(A1), at(B1)] };

export const FIREWALL_SCENARIOS: Scenario[] = [
  // Upstream: the ranges filter every source, pods included: a pod outside them is dropped, a pod inside
  // them is admitted (and, with policy Cluster, masqueraded like any external traffic).
  {
    name: 'loadBalancerSourceRanges apply to pods',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      lb('fw-pods', '10.96.3.10', [`${CLIENT_IP}/32`], [{ ip: '203.0.113.60' }]),
      endpoints('fw-pods'),
      lb('fw-pods-in', '10.96.3.11', [`${CLIENT_POD_IP}/32`], [{ ip: '203.0.113.61' }], {}, 30081),
      endpoints('fw-pods-in'),
    ],
    flows: [fromPod('203.0.113.60:80', { outcome: 'dropped' }), fromPod('203.0.113.61:80', { ...ANY, source: 'node' })],
  },
  // Upstream: when a range holds the node's own IP, traffic from the node (its source is the node IP, or
  // the LB IP itself where that is local) is admitted too, and masqueraded.
  {
    name: 'loadBalancerSourceRanges holding the node IP admit the node',
    nodeName: THIS_NODE,
    objects: [thisNode, lb('fw-node', '10.96.3.12', ['10.77.0.0/24'], [{ ip: '203.0.113.62' }]), endpoints('fw-node')],
    flows: [fromNode('203.0.113.62:80', { ...ANY, source: 'node' }), fromClient('203.0.113.62:80', ANY, 1, CLIENT_IP_2)],
  },
  // Upstream: when no range holds the node IP, the node's own connections to the LB IP hit the firewall
  // DROP in the OUTPUT path; TCP keeps retrying its SYN silently, so the flow is dropped.
  {
    name: 'loadBalancerSourceRanges without the node IP refuse the node',
    nodeName: THIS_NODE,
    objects: [thisNode, lb('fw-not-node', '10.96.3.13', [`${CLIENT_IP}/32`], [{ ip: '203.0.113.63' }]), endpoints('fw-not-node')],
    flows: [fromNode('203.0.113.63:80', { outcome: 'dropped' }), fromClient('203.0.113.63:80', ANY, 1, CLIENT_IP)],
  },
  // Upstream: ranges and policy Local combine: an admitted client reaches only local endpoints with its
  // address kept; one outside the ranges is dropped.
  {
    name: 'loadBalancerSourceRanges with externalTrafficPolicy Local',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      lb('fw-local', '10.96.3.14', [`${CLIENT_IP}/32`], [{ ip: '203.0.113.64' }], { externalTrafficPolicy: 'Local' }),
      endpoints('fw-local'),
    ],
    flows: [
      fromClient('203.0.113.64:80', { answeredBy: [at(A1)], source: 'client' }, 4, CLIENT_IP),
      fromClient('203.0.113.64:80', { outcome: 'dropped' }, 1, CLIENT_IP_2),
    ],
    byMode: userspaceSeesNode(0),
  },
  // Upstream: every range admits its sources and every ingress IP of the Service is filtered alike.
  {
    name: 'loadBalancerSourceRanges with several ranges and ingress IPs',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      lb('fw-many', '10.96.3.15', [`${CLIENT_IP}/32`, `${CLIENT_IP_2}/32`], [{ ip: '203.0.113.65' }, { ip: '203.0.113.66' }]),
      endpoints('fw-many'),
    ],
    flows: [
      fromClient('203.0.113.65:80', ANY, 1, CLIENT_IP),
      fromClient('203.0.113.66:80', ANY, 1, CLIENT_IP_2),
      fromPod('203.0.113.66:80', { outcome: 'dropped' }),
    ],
  },
  // Upstream: the ranges guard only the load-balancer IPs: the same Service's NodePort, ExternalIP and
  // ClusterIP stay open to every source.
  {
    name: 'loadBalancerSourceRanges filter only the load-balancer IP',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      lb('fw-only-lb', '10.96.3.16', [`${CLIENT_IP}/32`], [{ ip: '203.0.113.67' }], { externalIPs: ['203.0.113.68'] }),
      endpoints('fw-only-lb'),
    ],
    flows: [
      fromClient('203.0.113.67:80', { outcome: 'dropped' }, 1, CLIENT_IP_2),
      fromClient(`${NODE_IP}:30080`, ANY, 1, CLIENT_IP_2),
      fromClient('203.0.113.68:80', ANY, 1, CLIENT_IP_2),
      fromPod('10.96.3.16:80', ANY),
    ],
  },
  // Upstream: IPv6 load-balancer IPs are filtered by the IPv6 ranges the same way.
  {
    name: 'IPv6 loadBalancerSourceRanges admit and refuse',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      service('fw6', {
        clusterIP: 'fd96::317',
        type: 'LoadBalancer',
        loadBalancerSourceRanges: [`${CLIENT_IP6}/128`],
        ports: [port(80, 8080, { nodePort: 30080 })],
      }, [{ ip: '2001:db8:113::60' }]),
      slice('fw6', [8080], [local(A1_6), remote(B1_6)]),
    ],
    flows: [
      fromClient('[2001:db8:113::60]:80', { answeredBy: [at(A1_6), at(B1_6)] }, 1, CLIENT_IP6),
      fromClient('[2001:db8:113::60]:80', { outcome: 'dropped' }, 1, CLIENT_IP6_2),
    ],
  },
];
