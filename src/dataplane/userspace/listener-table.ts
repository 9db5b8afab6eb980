// The userspace mode's program: one listener per (address, port, protocol) the node must answer on, with
// what to do with traffic arriving there. Plain data, built by the renderer, diffed by the executor by id.

import type { IPFamily, ServicePortKey, SessionAffinity } from '../../model/types.js';
import type { Backend } from '../../schedulers/types.js';

/**
 * proxy: relay to one of `backends`.
 * reject: the service port has no usable endpoints at all; refuse (TCP RST / ICMP port unreachable).
 * drop: a Local traffic policy with no local endpoints; swallow traffic without answering.
 */
export type ListenerAction = 'proxy' | 'reject' | 'drop';

/** Which address of the service port the listener serves; decides the traffic policy that applies. */
export type ListenerKind = 'ClusterIP' | 'ExternalIP' | 'LoadBalancer' | 'NodePort';

export type ListenerProtocol = 'TCP' | 'UDP';

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
  /** Empty unless action is proxy. */
  readonly backends: readonly Backend[];
}

export interface ListenerTable {
  /** Sorted by service port, kind, address, port, protocol. */
  readonly listeners: readonly ListenerSpec[];
  /** Service ports (or parts of them) this table cannot serve, one message each. */
  readonly warnings: readonly string[];
}

export const WILDCARD: Readonly<Record<IPFamily, string>> = { IPv4: '0.0.0.0', IPv6: '::' };

export function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

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
    l.backends.length > 0 ? l.backends.map((b) => b.id).join(',') : '-',
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
