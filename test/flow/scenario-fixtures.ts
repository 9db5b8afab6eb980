// The cast the scenarios share: this node and another, the pods on each, and shorthands that keep each
// scenario to a few lines.

import type { LoadBalancerIngress, ServiceSpec } from '../../src/model/objects.js';
import { endpoint, node, port, service, type EndpointOptions } from '../fixtures/objects.js';
import { joinHostPort } from '../../src/lab/flow-wire.js';
import { CLIENT_POD_IP, NODE_IP, NODE_IP6 } from '../../src/lab/lab-addresses.js';
import { API_SOURCE, type Flow, type FlowExpect, type ModeOverride } from './scenario.js';

/** kproxy runs as this node (zone-a); endpoints on OTHER_NODE are remote. */
export const THIS_NODE = 'node-a';
export const OTHER_NODE = 'node-b';
export const THIS_ZONE = 'zone-a';
export const OTHER_ZONE = 'zone-b';

/** Pods on this node (A) and on the other node (B); all of them sit in the lab's pods namespace. */
export const A1 = '10.244.1.11';
export const A2 = '10.244.1.12';
export const B1 = '10.244.2.21';
export const B2 = '10.244.2.22';
export const A1_6 = 'fd44::1:11';
export const A2_6 = 'fd44::1:12';
export const B1_6 = 'fd44::2:21';
export const B2_6 = 'fd44::2:22';

/** The Node object kproxy reads for its zone and addresses. */
export const thisNode = node(THIS_NODE, THIS_ZONE, [NODE_IP, NODE_IP6]);

/** A ready endpoint on this node / on the other node. */
export const local = (ip: string, o: EndpointOptions = {}) => endpoint(ip, { node: THIS_NODE, zone: THIS_ZONE, ...o });
export const remote = (ip: string, o: EndpointOptions = {}) => endpoint(ip, { node: OTHER_NODE, zone: OTHER_ZONE, ...o });

/** Service `name` on port 80 -> 8080 (NodePort 30080 unless type ClusterIP); `more` adds to the spec. */
export const webService = (name: string, clusterIP: string, more: Partial<ServiceSpec> = {}, ingress?: LoadBalancerIngress[]) =>
  service(name, { clusterIP, ports: [port(80, 8080, (more.type ?? 'ClusterIP') === 'ClusterIP' ? {} : { nodePort: 30080 })], ...more }, ingress);

/** A dual-stack NodePort Service `name` (80 -> 8080, NodePort 30080) on an IPv4 and an IPv6 ClusterIP. */
export const dualStackService = (name: string, clusterIP4: string, clusterIP6: string) =>
  webService(name, clusterIP4, {
    type: 'NodePort',
    clusterIPs: [clusterIP4, clusterIP6],
    ipFamilies: ['IPv4', 'IPv6'],
    ipFamilyPolicy: 'RequireDualStack',
  });

/** "ip:port" of an endpoint, as the backend reports it. */
export const at = (ip: string, port = 8080) => joinHostPort(ip, port);

/**
 * Userspace mode proxies every connection from the node, so the backend sees a node address even where
 * the kernel modes preserve the client's: the listed flows expect source 'node' there.
 */
export function userspaceSeesNode(...flowIndexes: number[]): Record<string, ModeOverride> {
  return { userspace: { expect: Object.fromEntries(flowIndexes.map((i) => [i, { source: 'node' as const }])) } };
}

/**
 * The scenario cannot exist in the real kube-apiserver (v1.28.4) the API-backed adapters read, so they skip
 * it: `why` says what that server refuses or does not know. The manifest source still runs it.
 */
export function notInKubeApiserver(why: string): Record<string, ModeOverride> {
  return { [API_SOURCE]: { skip: `kube-apiserver v1.28 ${why}` } };
}

/** `count` TCP flows from the off-cluster client (from its first address unless `fromIP` says otherwise). */
export const fromClient = (to: string, expect: FlowExpect, count = 1, fromIP?: string): Flow =>
  ({ from: 'client', proto: 'tcp', to, count, expect, ...(fromIP ? { fromIP } : {}) });

/** `count` TCP flows from a pod: the sending-only pod unless `fromIP` names another (an endpoint: hairpin). */
export const fromPod = (to: string, expect: FlowExpect, count = 1, fromIP = CLIENT_POD_IP): Flow =>
  ({ from: 'pod', fromIP, proto: 'tcp', to, count, expect });

/** `count` TCP flows from a process on the node itself. */
export const fromNode = (to: string, expect: FlowExpect, count = 1): Flow => ({ from: 'node', proto: 'tcp', to, count, expect });

/**
 * IPVS (upstream PR 97081): with externalTrafficPolicy Local and no local endpoint, the external virtual
 * servers get the cluster-wide endpoints instead of none, and the client's address is kept. On a real
 * cluster the reply would come back from another node and be lost; in the lab every pod sits behind this
 * node, so flow `index` is answered by `endpoints`.
 */
export function ipvsExternalFallsBackToCluster(index: number, endpoints: string[]): Record<number, Partial<FlowExpect>> {
  return { [index]: { outcome: 'answered', answeredBy: endpoints, source: 'client' } };
}
