// Scenarios about which endpoints a Service uses: affinity, no or unready endpoints, traffic policies,
// terminating fallback, topology, changes over time, and a bad object beside good ones. Each comment says
// what upstream kube-proxy (iptables/nftables modes) does, which is what the expectations encode.

import type { EndpointSliceEndpoint } from '../../src/model/objects.js';
import { CLIENT_IP, CLIENT_POD_IP, NODE_IP } from '../../src/lab/lab-addresses.js';
import { port, service, slice, udpPort } from '../fixtures/objects.js';
import type { Flow, FlowExpect, Scenario } from './scenario.js';
import { A1, A2, B1, B2, at, ipvsExternalFallsBackToCluster, local, notInKubeApiserver, remote, THIS_NODE, THIS_ZONE, OTHER_ZONE, thisNode, userspaceSeesNode } from './scenario-fixtures.js';

const pod = (to: string, expect: FlowExpect, count = 1): Flow => ({ from: 'pod', fromIP: CLIENT_POD_IP, proto: 'tcp', to, count, expect });
const podUdp = (to: string, expect: FlowExpect, sourcePort?: number): Flow =>
  ({ from: 'pod', fromIP: CLIENT_POD_IP, proto: 'udp', to, expect, ...(sourcePort ? { sourcePort } : {}) });
const nodePortSvc = (name: string, clusterIP: string, more: { externalTrafficPolicy?: 'Local' } = {}) =>
  service(name, { clusterIP, type: 'NodePort', ports: [port(80, 8080, { nodePort: 30080 })], ...more });

/** The churn scenario's Service: TCP 80 and UDP 53, so UDP conntrack cleanup is exercised too. */
const churn = service('churn', { clusterIP: '10.96.1.30', ports: [port(80, 8080, { name: 'tcp' }), udpPort(53, 5353, { name: 'udp' })] });
const churnSlice = (...eps: EndpointSliceEndpoint[]) => slice('churn', [['tcp', 8080], ['udp', 5353, 'UDP']], eps);

export const ENDPOINT_SCENARIOS: Scenario[] = [
  // Upstream: sessionAffinity ClientIP pins a client IP to one endpoint for timeoutSeconds (default 10800).
  {
    name: 'ClientIP session affinity',
    nodeName: THIS_NODE,
    objects: [thisNode, service('sticky', { clusterIP: '10.96.1.10', sessionAffinity: 'ClientIP', ports: [port(80, 8080)] }), slice('sticky', [8080], [local(A1), local(A2), remote(B1)])],
    flows: [pod('10.96.1.10:80', { answeredBy: [at(A1), at(A2), at(B1)], sameEndpoint: true }, 12)],
  },
  // Upstream: a Service with no usable endpoints gets a filter-table REJECT (ICMP port unreachable), so
  // clients fail at once rather than time out; over TCP and UDP alike.
  {
    name: 'Service without endpoints is rejected at once',
    nodeName: THIS_NODE,
    objects: [thisNode, service('empty', { clusterIP: '10.96.1.11', ports: [port(80, 8080, { name: 'tcp' }), udpPort(53, 5353, { name: 'udp' })] })],
    flows: [pod('10.96.1.11:80', { outcome: 'rejected' }), podUdp('10.96.1.11:53', { outcome: 'rejected' })],
  },
  // Upstream: endpoints that are neither ready nor serving-terminating are not usable, so CategorizeEndpoints
  // reports no endpoints and the Service is rejected exactly like one with none. (The model's comment on
  // EndpointSelection.hasAny says "drops"; upstream's proxier rejects: see pkg/proxy/topology.go.)
  {
    name: 'Service whose endpoints are all unready is rejected',
    nodeName: THIS_NODE,
    objects: [thisNode, service('unready', { clusterIP: '10.96.1.12', ports: [port(80, 8080)] }), slice('unready', [8080], [local(A1, { ready: false }), remote(B1, { ready: false })])],
    flows: [pod('10.96.1.12:80', { outcome: 'rejected' })],
  },
  // Upstream: externalTrafficPolicy Local sends external traffic (NodePort here) only to this node's
  // endpoints and does not masquerade it; internal (ClusterIP) traffic still uses every endpoint.
  {
    name: 'externalTrafficPolicy Local with local endpoints',
    nodeName: THIS_NODE,
    objects: [thisNode, nodePortSvc('etp', '10.96.1.13', { externalTrafficPolicy: 'Local' }), slice('etp', [8080], [local(A1), remote(B1)])],
    flows: [
      { from: 'client', fromIP: CLIENT_IP, proto: 'tcp', to: `${NODE_IP}:30080`, count: 8, expect: { answeredBy: [at(A1)], source: 'client' } },
      pod('10.96.1.13:80', { answeredBy: [at(A1), at(B1)], all: true }, 16),
    ],
    byMode: userspaceSeesNode(0),
  },
  // Upstream: with policy Local and no local endpoints, external traffic is dropped ("has no local
  // endpoints"), while traffic from inside the cluster to the ClusterIP is still served.
  {
    name: 'externalTrafficPolicy Local without local endpoints',
    nodeName: THIS_NODE,
    objects: [thisNode, nodePortSvc('etp', '10.96.1.14', { externalTrafficPolicy: 'Local' }), slice('etp', [8080], [remote(B1), remote(B2)])],
    flows: [
      { from: 'client', fromIP: CLIENT_IP, proto: 'tcp', to: `${NODE_IP}:30080`, expect: { outcome: 'dropped' } },
      pod('10.96.1.14:80', { answeredBy: [at(B1), at(B2)] }),
    ],
    byMode: { ipvs: { expect: ipvsExternalFallsBackToCluster(0, [at(B1), at(B2)]) } },
  },
  // Upstream: internalTrafficPolicy Local sends ClusterIP traffic only to this node's endpoints, and drops
  // it when there are none here (a DROP, not a REJECT: the Service does have endpoints elsewhere).
  {
    name: 'internalTrafficPolicy Local',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      service('itp', { clusterIP: '10.96.1.15', internalTrafficPolicy: 'Local', ports: [port(80, 8080)] }),
      slice('itp', [8080], [local(A1), remote(B1)]),
      service('itp-far', { clusterIP: '10.96.1.16', internalTrafficPolicy: 'Local', ports: [port(80, 8080)] }),
      slice('itp-far', [8080], [remote(B1)]),
    ],
    flows: [pod('10.96.1.15:80', { answeredBy: [at(A1)] }, 8), pod('10.96.1.16:80', { outcome: 'dropped' })],
    // IPVS: the virtual server exists without real servers, and IPVS answers a packet it cannot schedule
    // with ICMP port unreachable: rejected, not dropped.
    byMode: { ipvs: { expect: { 1: { outcome: 'rejected' } } } },
  },
  // Upstream: when no endpoint is ready, serving-terminating ones are used rather than failing traffic;
  // as long as one endpoint is ready, terminating ones get nothing new.
  {
    name: 'terminating fallback',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      service('draining', { clusterIP: '10.96.1.17', ports: [port(80, 8080)] }),
      slice('draining', [8080], [local(A1, { ready: false, serving: true, terminating: true }), remote(B1, { ready: false, serving: true, terminating: true })]),
      service('mixed', { clusterIP: '10.96.1.18', ports: [port(80, 8080)] }),
      slice('mixed', [8080], [local(A2), remote(B2, { ready: false, serving: true, terminating: true })]),
    ],
    flows: [pod('10.96.1.17:80', { answeredBy: [at(A1), at(B1)] }, 4), pod('10.96.1.18:80', { answeredBy: [at(A2)] }, 8)],
  },
  // Upstream: zone hints (set by the EndpointSlice controller for trafficDistribution PreferSameZone) are
  // honoured when every ready endpoint has one and one is for this node's zone; if any endpoint lacks
  // hints they are all ignored.
  {
    name: 'topology: trafficDistribution PreferSameZone',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      service('zonal', { clusterIP: '10.96.1.19', trafficDistribution: 'PreferSameZone', ports: [port(80, 8080)] }),
      slice('zonal', [8080], [local(A1, { hintZones: [THIS_ZONE] }), remote(B1, { hintZones: [OTHER_ZONE] })]),
      service('half-hinted', { clusterIP: '10.96.1.20', trafficDistribution: 'PreferSameZone', ports: [port(80, 8080)] }),
      slice('half-hinted', [8080], [local(A2, { hintZones: [THIS_ZONE] }), remote(B2)]),
    ],
    flows: [pod('10.96.1.19:80', { answeredBy: [at(A1)] }, 8), pod('10.96.1.20:80', { answeredBy: [at(A2), at(B2)], all: true }, 16)],
    // Upstream v1.30 would not know PreferSameZone either (1.33+; 1.30 has PreferClose behind a gate).
    byMode: notInKubeApiserver('has no spec.trafficDistribution (API 1.30+, PreferSameZone 1.33+)'),
  },
  // Upstream: endpoint changes are programmed on the next sync; a removed UDP endpoint's conntrack entries
  // are deleted so an ongoing UDP "connection" (same source port) moves on; a deleted Service's rules go.
  {
    name: 'endpoints removed and added, then the Service deleted',
    nodeName: THIS_NODE,
    objects: [thisNode, churn, churnSlice(remote(B1))],
    flows: [pod('10.96.1.30:80', { answeredBy: [at(B1)] }), podUdp('10.96.1.30:53', { answeredBy: [at(B1, 5353)] }, 40053)],
    steps: [
      { name: 'A1 added', objects: [thisNode, churn, churnSlice(local(A1), remote(B1))], flows: [pod('10.96.1.30:80', { answeredBy: [at(A1), at(B1)], all: true }, 16)] },
      {
        name: 'B1 removed',
        objects: [thisNode, churn, churnSlice(local(A1))],
        flows: [pod('10.96.1.30:80', { answeredBy: [at(A1)] }, 6), podUdp('10.96.1.30:53', { answeredBy: [at(A1, 5353)] }, 40053)],
      },
      { name: 'A2 added', objects: [thisNode, churn, churnSlice(local(A1), local(A2))], flows: [pod('10.96.1.30:80', { answeredBy: [at(A1), at(A2)], all: true }, 16)] },
      { name: 'Service deleted', objects: [thisNode], flows: [pod('10.96.1.30:80', { outcome: 'dropped' })] },
    ],
  },
  // Upstream: changing a Service's type to NodePort opens the NodePort on the next sync; before, nothing
  // listens on that port of the node, so the client's SYN is answered with a RST.
  {
    name: 'Service changed from ClusterIP to NodePort',
    nodeName: THIS_NODE,
    objects: [thisNode, service('grow', { clusterIP: '10.96.1.31', ports: [port(80, 8080)] }), slice('grow', [8080], [local(A1)])],
    flows: [{ from: 'client', fromIP: CLIENT_IP, proto: 'tcp', to: `${NODE_IP}:30080`, expect: { outcome: 'rejected' } }, pod('10.96.1.31:80', { answeredBy: [at(A1)] })],
    steps: [
      {
        name: 'type NodePort',
        objects: [thisNode, nodePortSvc('grow', '10.96.1.31'), slice('grow', [8080], [local(A1)])],
        flows: [{ from: 'client', fromIP: CLIENT_IP, proto: 'tcp', to: `${NODE_IP}:30080`, expect: { answeredBy: [at(A1)], source: 'node' } }, pod('10.96.1.31:80', { answeredBy: [at(A1)] })],
      },
    ],
  },
  // Upstream: an invalid Service is logged and skipped; every other Service keeps working.
  {
    name: 'a bad object next to good ones',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      service('broken', { clusterIP: 'not-an-ip', ports: [port(80, 8080)] }),
      slice('broken', [8080], [local(A2)]),
      service('good', { clusterIP: '10.96.1.32', ports: [port(80, 8080)] }),
      slice('good', [8080], [local(A1)]),
    ],
    flows: [pod('10.96.1.32:80', { answeredBy: [at(A1)] })],
    byMode: notInKubeApiserver('refuses the broken Service (spec.clusterIPs[0] must be an IP), so no proxy reading it ever sees one'),
  },
];
