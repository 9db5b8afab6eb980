// Scenarios about which endpoints each traffic policy may use: terminating endpoints under each policy
// (ready first, then serving-terminating), endpoints changing condition over time, and topology hints.
// Each comment says what upstream kube-proxy (CategorizeEndpoints, pkg/proxy/topology.go) does, which is
// what the expectations encode.

import type { EndpointSliceEndpoint } from '../../src/model/objects.js';
import { NODE_IP } from '../../src/lab/lab-addresses.js';
import { slice, withMeta, type EndpointOptions } from '../fixtures/objects.js';
import type { Scenario } from './scenario.js';
import {
  A1, A2, at, B1, B2, fromClient, fromPod, ipvsExternalFallsBackToCluster, local, notInKubeApiserver, OTHER_ZONE, remote,
  THIS_NODE, THIS_ZONE, thisNode, userspaceSeesNode, webService,
} from './scenario-fixtures.js';

const eps = (name: string, ...endpoints: EndpointSliceEndpoint[]) => slice(name, [8080], endpoints);
/** Going away but still serving (the pod got its deletion and has not failed readiness yet). */
const DRAINING: EndpointOptions = { ready: false, serving: true, terminating: true };
/** Going away and no longer serving. */
const GONE: EndpointOptions = { ready: false, serving: false, terminating: true };
/** Opt in to topology-aware routing the way every kube-proxy release honours (the annotation). */
const topologyAuto = <T extends Parameters<typeof withMeta>[0]>(o: T) => withMeta(o, { annotations: { 'service.kubernetes.io/topology-mode': 'Auto' } });

const stepping = webService('stepping', '10.96.4.20');

export const POLICY_SCENARIOS: Scenario[] = [
  // Upstream: for policy Local a serving-terminating endpoint on this node is used when no local endpoint is
  // ready, even while other nodes have ready ones; internal traffic (policy Cluster) uses only ready ones.
  {
    name: 'externalTrafficPolicy Local prefers a draining local endpoint to none',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('etp-drain', '10.96.4.10', { type: 'NodePort', externalTrafficPolicy: 'Local' }), eps('etp-drain', local(A1, DRAINING), remote(B1))],
    flows: [fromClient(`${NODE_IP}:30080`, { answeredBy: [at(A1)], source: 'client' }, 4), fromPod('10.96.4.10:80', { answeredBy: [at(B1)] }, 6)],
    byMode: userspaceSeesNode(0),
  },
  // Upstream: a terminating endpoint that no longer serves is never used, so policy Local with nothing else
  // here drops external traffic; internal traffic still reaches the ready remote endpoint.
  {
    name: 'externalTrafficPolicy Local ignores a local endpoint that stopped serving',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('etp-gone', '10.96.4.11', { type: 'NodePort', externalTrafficPolicy: 'Local' }), eps('etp-gone', local(A1, GONE), remote(B1))],
    flows: [fromClient(`${NODE_IP}:30080`, { outcome: 'dropped' }), fromPod('10.96.4.11:80', { answeredBy: [at(B1)] }, 4)],
    byMode: { ipvs: { expect: ipvsExternalFallsBackToCluster(0, [at(B1)]) } },
  },
  // Upstream: internalTrafficPolicy Local falls back to a draining local endpoint the same way, and drops
  // when the only local endpoint stopped serving (the Service still has ready endpoints elsewhere).
  {
    name: 'internalTrafficPolicy Local with terminating local endpoints',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      webService('itp-drain', '10.96.4.12', { internalTrafficPolicy: 'Local' }),
      eps('itp-drain', local(A1, DRAINING), remote(B1)),
      webService('itp-gone', '10.96.4.13', { internalTrafficPolicy: 'Local' }),
      eps('itp-gone', local(A2, GONE), remote(B2)),
    ],
    flows: [fromPod('10.96.4.12:80', { answeredBy: [at(A1)] }, 4), fromPod('10.96.4.13:80', { outcome: 'dropped' })],
    // IPVS: the virtual server exists without real servers and answers with ICMP port unreachable.
    byMode: { ipvs: { expect: { 1: { outcome: 'rejected' } } } },
  },
  // Upstream: with policy Cluster and no ready endpoint anywhere, external traffic (a NodePort here) falls
  // back to the serving-terminating endpoints like internal traffic does.
  {
    name: 'NodePort falls back to serving-terminating endpoints',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('np-drain', '10.96.4.14', { type: 'NodePort' }), eps('np-drain', local(A1, DRAINING), remote(B1, DRAINING))],
    flows: [fromClient(`${NODE_IP}:30080`, { answeredBy: [at(A1), at(B1)], all: true, source: 'node' }, 12)],
  },
  // Upstream: endpoints that are terminating and not serving count as none: the Service is rejected at its
  // ClusterIP and NodePort alike.
  {
    name: 'only endpoints that stopped serving: rejected',
    nodeName: THIS_NODE,
    objects: [thisNode, webService('all-gone', '10.96.4.15', { type: 'NodePort' }), eps('all-gone', local(A1, GONE), remote(B1, GONE))],
    flows: [fromPod('10.96.4.15:80', { outcome: 'rejected' }), fromClient(`${NODE_IP}:30080`, { outcome: 'rejected' })],
  },
  // Upstream: a rolling update as kube-proxy sees it: a pod going terminating gets no new connections while
  // another is ready; once it is the last one it is used again; once it stops serving the Service rejects.
  {
    name: 'an endpoint drains: ready, terminating beside a ready one, last one, stopped',
    nodeName: THIS_NODE,
    objects: [thisNode, stepping, eps('stepping', local(A1), remote(B1))],
    flows: [fromPod('10.96.4.20:80', { answeredBy: [at(A1), at(B1)], all: true }, 16)],
    steps: [
      { name: 'A1 terminating', objects: [thisNode, stepping, eps('stepping', local(A1, DRAINING), remote(B1))], flows: [fromPod('10.96.4.20:80', { answeredBy: [at(B1)] }, 8)] },
      { name: 'B1 gone', objects: [thisNode, stepping, eps('stepping', local(A1, DRAINING))], flows: [fromPod('10.96.4.20:80', { answeredBy: [at(A1)] }, 4)] },
      { name: 'A1 stopped serving', objects: [thisNode, stepping, eps('stepping', local(A1, GONE))], flows: [fromPod('10.96.4.20:80', { outcome: 'rejected' })] },
    ],
  },
  // Upstream: a Service opted in to topology-aware routing (topology-mode Auto) whose endpoints all carry
  // zone hints uses only the endpoints hinted for this node's zone.
  {
    name: 'topology: zone hints with topology-mode Auto',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      topologyAuto(webService('hinted', '10.96.4.30')),
      eps('hinted', local(A1, { hintZones: [THIS_ZONE] }), remote(B1, { hintZones: [OTHER_ZONE] }), remote(B2, { hintZones: [THIS_ZONE] })),
    ],
    flows: [fromPod('10.96.4.30:80', { answeredBy: [at(A1), at(B2)], all: true }, 16)],
  },
  // Upstream: when no endpoint is hinted for this node's zone the hints are ignored and every endpoint is
  // used, rather than leaving the zone without a Service.
  {
    name: 'topology: hints for other zones only are ignored',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      topologyAuto(webService('elsewhere', '10.96.4.31')),
      eps('elsewhere', local(A1, { hintZones: [OTHER_ZONE] }), remote(B1, { hintZones: [OTHER_ZONE] })),
    ],
    flows: [fromPod('10.96.4.31:80', { answeredBy: [at(A1), at(B1)], all: true }, 16)],
  },
  // Upstream: trafficDistribution PreferClose makes the EndpointSlice controller write zone hints, which
  // kube-proxy follows. kube-proxy up to 1.30 honours the field only behind a feature gate, so the Service
  // also carries the topology annotation those releases read; every release then routes within the zone.
  {
    name: 'topology: trafficDistribution PreferClose',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      topologyAuto(webService('close', '10.96.4.32', { trafficDistribution: 'PreferClose' })),
      eps('close', local(A1, { hintZones: [THIS_ZONE] }), local(A2, { hintZones: [THIS_ZONE] }), remote(B1, { hintZones: [OTHER_ZONE] })),
    ],
    flows: [fromPod('10.96.4.32:80', { answeredBy: [at(A1), at(A2)], all: true }, 16)],
    byMode: notInKubeApiserver('has no spec.trafficDistribution (API 1.30+)'),
  },
  // Upstream: topology applies to the Cluster policy only; internalTrafficPolicy Local uses this node's
  // endpoints whatever their hints say.
  {
    name: 'topology: internalTrafficPolicy Local overrides hints',
    nodeName: THIS_NODE,
    objects: [
      thisNode,
      topologyAuto(webService('local-hinted', '10.96.4.33', { internalTrafficPolicy: 'Local' })),
      eps('local-hinted', local(A1, { hintZones: [OTHER_ZONE] }), remote(B1, { hintZones: [THIS_ZONE] })),
    ],
    flows: [fromPod('10.96.4.33:80', { answeredBy: [at(A1)] }, 8)],
  },
];
