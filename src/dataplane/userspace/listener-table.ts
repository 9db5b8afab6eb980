// The userspace mode's program: one listener per (address, port, protocol) the node must answer on, with
// what to do with traffic arriving there. Plain data, built by the renderer, diffed by the executor by id.

import type { IPFamily, ServicePortKey, SessionAffinity } from '../../model/types.js';
import type { Backend } from '../../schedulers/types.js';
import { hostPort } from '../../model/host-port.js';

/**
 * proxy: relay to one of `backends`.
 * reject: the service port has no usable endpoints at all; refuse (TCP RST / ICMP port unreachable).
 * drop: a Local traffic policy with no endpoints for anyone; swallow traffic without answering.
 * A proxy listener with `inCluster` and no `backends` drops the clients outside the cluster itself.
 */
export type ListenerAction = 'proxy' | 'reject' | 'drop';

/** Which address of the service port the listener serves; decides the traffic policy that applies. */
export type ListenerKind = 'ClusterIP' | 'ExternalIP' | 'LoadBalancer' | 'NodePort';

export type ListenerProtocol = 'TCP' | 'UDP';

/**
 * externalTrafficPolicy Local on an external address: upstream's KUBE-EXT chain sends pods of this node
 * ("pod traffic for external destinations", by --detect-local-mode) and the node itself ("route LOCAL
 * traffic") to every endpoint of the Service; only other clients are held to this node's endpoints.
 */
export interface InClusterRoute {
  /** Clients from these CIDRs are this node's pods (ClusterCIDR / NodeCIDR detection); may be empty. */
  readonly podCIDRs: readonly string[];
  /** Clients using one of the node's own addresses count too; the executor knows them at run time. */
  readonly node: true;
  /** The cluster-wide endpoints those clients get. */
  readonly backends: readonly Backend[];
}

export interface ListenerSpec {
  /** "PROTO/address:port" ("PROTO/[v6]:port"): unique in a table, stable across syncs. */
  readonly id: string;
  readonly family: IPFamily;
  /** An IP, or the wildcard (0.0.0.0 / ::) for NodePorts served on every address. */
  readonly address: string;
  readonly port: number;
  readonly protocol: ListenerProtocol;
  readonly kind: ListenerKind;
  readonly servicePort: ServicePortKey;
  readonly action: ListenerAction;
  readonly scheduler: string;
  readonly affinity: SessionAffinity;
  /** Client CIDRs allowed (LoadBalancer listeners with loadBalancerSourceRanges); empty = everyone. */
  readonly sourceRanges: readonly string[];
  /** Empty unless action is proxy; with `inCluster`, the backends of clients that are not in-cluster. */
  readonly backends: readonly Backend[];
  /** Set on external kinds under externalTrafficPolicy Local: who gets every endpoint instead. */
  readonly inCluster?: InClusterRoute;
}

export interface ListenerTable {
  /** Sorted by service port, kind, address, port, protocol. */
  readonly listeners: readonly ListenerSpec[];
  /** Service ports (or parts of them) this table cannot serve, one message each. */
  readonly warnings: readonly string[];
}

export const WILDCARD: Readonly<Record<IPFamily, string>> = { IPv4: '0.0.0.0', IPv6: '::' };


export function listenerId(protocol: ListenerProtocol, address: string, port: number): string {
  return `${protocol}/${hostPort(address, port)}`;
}

const KIND_ORDER: readonly ListenerKind[] = ['ClusterIP', 'ExternalIP', 'LoadBalancer', 'NodePort'];

/** Total order used for the table: readable (a service's listeners together) and stable across runs. */
export function compareListeners(a: ListenerSpec, b: ListenerSpec): number {
  return (
    cmp(a.servicePort, b.servicePort) ||
    cmp(a.family, b.family) ||
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
    cmp(a.address, b.address) ||
    a.port - b.port ||
    cmp(a.protocol, b.protocol)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function formatAffinity(a: SessionAffinity): string {
  return a.type === 'ClientIP' ? `ClientIP/${a.timeoutSeconds}s` : 'None';
}

function backendList(backends: readonly Backend[]): string {
  return backends.length > 0 ? backends.map((b) => b.id).join(',') : '-';
}

/** "ids", or under an in-cluster route "ids; from CIDRs,node: ids" (who gets which set). */
function formatBackends(l: ListenerSpec): string {
  if (!l.inCluster) return backendList(l.backends);
  const sources = [...l.inCluster.podCIDRs, 'node'].join(',');
  return `${backendList(l.backends)}; from ${sources}: ${backendList(l.inCluster.backends)}`;
}

const HEADER = ['ADDRESS', 'PORT', 'PROTO', 'KIND', 'SERVICE PORT', 'ACTION', 'SCHED', 'AFFINITY', 'SOURCES', 'BACKENDS'];

/** The table as `kproxy render --proxy-mode=userspace` prints it: aligned columns, then warnings. */
export function formatListenerTable(table: ListenerTable): string {
  const rows = table.listeners.map((l) => [
    l.address,
    String(l.port),
    l.protocol,
    l.kind,
    l.servicePort,
    l.action,
    l.scheduler,
    formatAffinity(l.affinity),
    l.sourceRanges.length > 0 ? l.sourceRanges.join(',') : '*',
    formatBackends(l),
  ]);
  const all = [HEADER, ...rows];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const lines = all.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  for (const w of table.warnings) lines.push(`# warning: ${w}`);
  return lines.join('\n') + '\n';
}
