// The API objects of the multi-node test: the three Nodes with their InternalIPs, a NodePort Service with
// the default (Cluster) external policy, and a LoadBalancer Service with externalTrafficPolicy Local and a
// healthCheckNodePort, whose endpoints carry the nodeName of the node their pod runs on.

import type { StoredObject } from '../api-server/object-store.js';
import { stored } from '../api-server/fixtures.js';
import { endpoint, node, port, service, slice } from '../fixtures/objects.js';
import { NODE_NAMES, NODES, type NodeName } from './topology.js';

export const TARGET_PORT = 8080;
export const CLUSTER_NODE_PORT = 30080;
export const LOCAL_NODE_PORT = 30081;
export const HEALTH_CHECK_NODE_PORT = 30300;

/** A pod of the lab: its IP and the node it runs on. */
export interface PodRef {
  ip: string;
  node: NodeName;
}

export const POD_A1: PodRef = { ip: NODES['node-a'].podIPs[0]!, node: 'node-a' };
export const POD_B1: PodRef = { ip: NODES['node-b'].podIPs[0]!, node: 'node-b' };
export const POD_C1: PodRef = { ip: NODES['node-c'].podIPs[0]!, node: 'node-c' };

export function nodeObjects(): StoredObject[] {
  return NODE_NAMES.map((n) => stored(node(n, 'zone-1', [NODES[n].ip])));
}

export function clusterPolicyService(): StoredObject {
  return stored(service('web', { clusterIP: '10.96.0.10', type: 'NodePort', ports: [port(80, TARGET_PORT, { nodePort: CLUSTER_NODE_PORT })] }));
}

export function localPolicyService(): StoredObject {
  return stored(service('lb', {
    clusterIP: '10.96.0.20',
    type: 'LoadBalancer',
    externalTrafficPolicy: 'Local',
    healthCheckNodePort: HEALTH_CHECK_NODE_PORT,
    ports: [port(80, TARGET_PORT, { nodePort: LOCAL_NODE_PORT })],
  }));
}

/** The EndpointSlice of `serviceName` with one ready endpoint per pod, each naming its node. */
export function sliceOf(serviceName: string, pods: readonly PodRef[]): StoredObject {
  return stored(slice(serviceName, [TARGET_PORT], pods.map((p) => endpoint(p.ip, { node: p.node }))));
}
