// Scenarios about traffic from outside the cluster's Service network: ExternalIPs and load-balancer
// ingress IPs under both externalTrafficPolicy values, from the client, from pods and from the node, and
// ingress ipMode. Each comment says what upstream kube-proxy (iptables/nftables modes) does, which is what
// the expectations encode.

import { CLIENT_IP6, CLIENT_POD_IP6, NODE_IP } from '../../src/lab/lab-addresses.js';
import type { ServiceSpec } from '../../src/model/objects.js';
import { port, service, slice } from '../fixtures/objects.js';
import type { Scenario } from './scenario.js';
import {
  A1, A1_6, at, B1, B1_6, B2, fromClient, fromNode, fromPod, ipvsExternalFallsBackToCluster, local, notInKubeApiserver, remote,
  THIS_NODE, thisNode, userspaceSeesNode, webService,
} from './scenario-fixtures.js';

/** Policy Local (the API server takes it only on NodePort and LoadBalancer Services, ExternalIPs or not). */
const LOCAL: Partial<ServiceSpec> = { type: 'NodePort', externalTrafficPolicy: 'Local' };

export const EXTERNAL_SCENARIOS: Scenario[] = [
  // Upstream: with externalTrafficPolicy Local an ExternalIP is served only by this node's endpoints and
  // keeps the client's source address.
  {
    name: 'client->ExternalIP with externalTrafficPolicy Local',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('ext-local', '10.96.2.10', { externalIPs: ['203.0.113.40'], ...LOCAL }), slice('ext-local', [8080], [local(A1), remote(B1)])],
    flows: [fromClient('203.0.113.40:80', { answeredBy: [at(A1)], source: 'client' }, 6)],
    byMode: userspaceSeesNode(0),
  },
  // Upstream: an ExternalIP with policy Local and no endpoint here drops external traffic; pods reaching it
  // are short-circuited to the cluster-wide endpoints with their source kept ("pod traffic for external
  // destinations"), and the node's own traffic is masqueraded and sent there too.
  {
    name: 'ExternalIP with externalTrafficPolicy Local and no local endpoint',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('ext-far', '10.96.2.11', { externalIPs: ['203.0.113.41'], ...LOCAL }), slice('ext-far', [8080], [remote(B1), remote(B2)])],
    flows: [
      fromClient('203.0.113.41:80', { outcome: 'dropped' }),
      fromPod('203.0.113.41:80', { answeredBy: [at(B1), at(B2)], source: 'client' }, 4),
      fromNode('203.0.113.41:80', { answeredBy: [at(B1), at(B2)], source: 'node' }),
    ],
    byMode: {
      ...userspaceSeesNode(1),
      // Upstream nftables checks "no local endpoints" for ExternalIPs in filter-output, before the node's
      // own packet is DNATed, so it drops what upstream iptables (whose check runs after DNAT) serves.
      nftables: { expect: { 2: { outcome: 'dropped' } } },
      // IPVS: the ExternalIP sits on kube-ipvs0, so the node's own connection leaves from that address and,
      // policy Local, is not masqueraded: the backend sees the flow's own source.
      ipvs: { expect: { ...ipvsExternalFallsBackToCluster(0, [at(B1), at(B2)]), 2: { source: 'client' } } },
    },
  },
  // Upstream: with policy Cluster, traffic to an ExternalIP is masqueraded whoever sends it, pods and the
  // node included (the external chain marks everything before choosing an endpoint).
  {
    name: 'pod and node->ExternalIP are masqueraded',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('ext', '10.96.2.12', { externalIPs: ['203.0.113.42'] }), slice('ext', [8080], [local(A1), remote(B1)])],
    flows: [
      fromPod('203.0.113.42:80', { answeredBy: [at(A1), at(B1)], source: 'node' }, 4),
      fromNode('203.0.113.42:80', { answeredBy: [at(A1), at(B1)], source: 'node' }),
    ],
  },
  // Upstream: a load-balancer IP with policy Local is served by local endpoints with the client's source
  // kept; a pod sending to it is short-circuited to every endpoint, unmasqueraded.
  {
    name: 'LoadBalancer IP with externalTrafficPolicy Local',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('lb-local', '10.96.2.13', { ...LOCAL, type: 'LoadBalancer' }, [{ ip: '203.0.113.43' }]), slice('lb-local', [8080], [local(A1), remote(B1)])],
    flows: [
      fromClient('203.0.113.43:80', { answeredBy: [at(A1)], source: 'client' }, 6),
      fromPod('203.0.113.43:80', { answeredBy: [at(A1), at(B1)], all: true, source: 'client' }, 16),
    ],
    byMode: {
      ...userspaceSeesNode(0, 1),
      // IPVS has no pod short-circuit: the LB IP's virtual server holds the local endpoints only.
      ipvs: { expect: { 1: { answeredBy: [at(A1)] } } },
    },
  },
  // Upstream: a load-balancer IP with policy Local and no endpoint here drops the client's traffic (the
  // load balancer's health check would steer it elsewhere); pods still reach the other nodes' endpoints.
  {
    name: 'LoadBalancer IP with externalTrafficPolicy Local and no local endpoint',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('lb-far', '10.96.2.14', { ...LOCAL, type: 'LoadBalancer' }, [{ ip: '203.0.113.44' }]), slice('lb-far', [8080], [remote(B1)])],
    flows: [fromClient('203.0.113.44:80', { outcome: 'dropped' }), fromPod('203.0.113.44:80', { answeredBy: [at(B1)], source: 'client' })],
    byMode: { ...userspaceSeesNode(1), ipvs: { expect: ipvsExternalFallsBackToCluster(0, [at(B1)]) } },
  },
  // Upstream: a Service without endpoints rejects at every way in (filter-table REJECT for the ExternalIP,
  // the load-balancer IP and the NodePort), so external clients fail at once too.
  {
    name: 'ExternalIP, LoadBalancer IP and NodePort without endpoints are rejected',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('lb-empty', '10.96.2.15', { type: 'LoadBalancer', externalIPs: ['203.0.113.45'] }, [{ ip: '203.0.113.46' }])],
    flows: [
      fromClient('203.0.113.45:80', { outcome: 'rejected' }),
      fromClient('203.0.113.46:80', { outcome: 'rejected' }),
      fromClient(`${NODE_IP}:30080`, { outcome: 'rejected' }),
    ],
  },
  // Upstream (KEP-1860): of two ingress IPs, the ipMode VIP one is captured on the node for everyone; the
  // ipMode Proxy one is left to the load balancer, so pods and clients alike send it out unanswered.
  {
    name: 'LoadBalancer with one VIP and one Proxy ingress IP',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      webService('lb-modes', '10.96.2.16', { type: 'LoadBalancer' }, [{ ip: '203.0.113.47', ipMode: 'VIP' }, { ip: '203.0.113.48', ipMode: 'Proxy' }]),
      slice('lb-modes', [8080], [local(A1), remote(B1)]),
    ],
    flows: [
      fromPod('203.0.113.47:80', { answeredBy: [at(A1), at(B1)], source: 'node' }),
      fromPod('203.0.113.48:80', { outcome: 'dropped' }),
      fromClient('203.0.113.47:80', { answeredBy: [at(A1), at(B1)] }),
      fromClient('203.0.113.48:80', { outcome: 'dropped' }),
    ],
    byMode: notInKubeApiserver('has no status.loadBalancer.ingress[].ipMode (KEP-1860, API 1.29+): it drops the field'),
  },
  // Upstream: each ExternalIP of a Service is captured; two Services may share an ExternalIP on different
  // ports and each port goes to its own Service's endpoints.
  {
    name: 'several ExternalIPs, and one ExternalIP shared by two Services',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      webService('ext-many', '10.96.2.17', { externalIPs: ['203.0.113.49', '203.0.113.50'] }),
      slice('ext-many', [8080], [local(A1)]),
      service('ext-other', { clusterIP: '10.96.2.18', externalIPs: ['203.0.113.50'], ports: [port(8443, 9443)] }),
      slice('ext-other', [9443], [remote(B1)]),
    ],
    flows: [
      fromClient('203.0.113.49:80', { answeredBy: [at(A1)] }),
      fromClient('203.0.113.50:80', { answeredBy: [at(A1)] }),
      fromClient('203.0.113.50:8443', { answeredBy: [at(B1, 9443)] }),
    ],
  },
  // Upstream: ExternalIPs and load-balancer IPs work the same over IPv6, policy Local keeping the client's
  // address and policy Cluster masquerading.
  {
    name: 'IPv6 ExternalIP (policy Local) and LoadBalancer IP (policy Cluster)',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      webService('ext6', 'fd96::219', { externalIPs: ['2001:db8:113::40'], ...LOCAL }),
      slice('ext6', [8080], [local(A1_6), remote(B1_6)]),
      webService('lb6', 'fd96::220', { type: 'LoadBalancer', ports: [port(80, 8080, { nodePort: 30081 })] }, [{ ip: '2001:db8:113::41' }]),
      slice('lb6', [8080], [local(A1_6), remote(B1_6)]),
    ],
    flows: [
      fromClient('[2001:db8:113::40]:80', { answeredBy: [at(A1_6)], source: 'client' }, 6, CLIENT_IP6),
      fromClient('[2001:db8:113::41]:80', { answeredBy: [at(A1_6), at(B1_6)], source: 'node' }, 1, CLIENT_IP6),
      fromPod('[2001:db8:113::40]:80', { answeredBy: [at(A1_6), at(B1_6)], source: 'client' }, 4, CLIENT_POD_IP6),
    ],
    byMode: userspaceSeesNode(0, 2),
  },
];
