// The cast the scenarios share: this node and another, the pods on each, and shorthands that keep each
// scenario to a few lines.

import { endpoint, node, type EndpointOptions } from './objects.js';
import { joinHostPort } from './flow-wire.js';
import { NODE_IP, NODE_IP6 } from './lab-addresses.js';
import { API_SOURCE, type ModeOverride } from './scenario.js';

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
export const B1_6 = 'fd44::2:21';

/** The Node object kproxy reads for its zone and addresses. */
export const thisNode = node(THIS_NODE, THIS_ZONE, [NODE_IP, NODE_IP6]);

/** A ready endpoint on this node / on the other node. */
export const local = (ip: string, o: EndpointOptions = {}) => endpoint(ip, { node: THIS_NODE, zone: THIS_ZONE, ...o });
export const remote = (ip: string, o: EndpointOptions = {}) => endpoint(ip, { node: OTHER_NODE, zone: OTHER_ZONE, ...o });

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
