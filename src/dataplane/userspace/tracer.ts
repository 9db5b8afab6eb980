// The userspace mode's packet tracer (src/explain/trace.ts): which listener of the table a connection
// reaches and what that listener does with it. The table is the whole program: a listener bound on an
// address, or reached through a portal (nat REDIRECT for proxy listeners, a filter REJECT or DROP for the
// others), serves exactly its address, port and protocol; a wildcard NodePort listener serves every
// address the node holds. Whatever no listener serves is left to routing ('passed').

import { isIP } from 'node:net';
import type { NodeFacts, PacketTracer, TracedConnection, TraceStep, TraceVerdict } from '../../explain/trace.js';
import { resolveScheduler } from '../../schedulers/scheduler-table.js';
import { blockListOf, unmapped } from './backend-picker.js';
import { formatAffinity, WILDCARD, type ListenerSpec, type ListenerTable } from './listener-table.js';

/**
 * Schedulers whose pick depends only on the connection's addresses, so one client keeps its endpoint (the
 * proxy hashes the client's address alone: it never passes the sh-port/mh-port option).
 */
const ADDRESS_HASHING = new Set(['sh', 'dh', 'mh']);

export const userspaceTracer: PacketTracer<ListenerTable> = {
  trace(table: ListenerTable, c: TracedConnection, node: NodeFacts): TraceVerdict {
    const listener = listenerFor(table, c, node);
    if (!listener) return { outcome: 'passed', endpoints: [], masqueraded: false, sticky: false, steps: [] };
    const steps: TraceStep[] = [{ where: `listener ${listener.id}`, rule: describe(listener) }];
    const refused = (outcome: 'rejected' | 'dropped'): TraceVerdict => ({ outcome, endpoints: [], masqueraded: false, sticky: false, steps });
    if (listener.action === 'reject') return refused('rejected');
    if (listener.action === 'drop') return refused('dropped');
    // loadBalancerSourceRanges: the listener holds other sources' connections without answering.
    if (listener.sourceRanges.length > 0 && !admits(listener.sourceRanges, c.source)) {
      steps.push({ where: `listener ${listener.id}`, rule: `source ${c.source} not in ${listener.sourceRanges.join(',')}: held unanswered` });
      return refused('dropped');
    }
    // externalTrafficPolicy Local: pods and the node get every endpoint, other clients the local ones
    // (source-routed-picker.ts); an empty set holds the client's connection unanswered.
    const backends = listener.inCluster && isInClusterClient(listener.inCluster.podCIDRs, c.source, node) ? listener.inCluster.backends : listener.backends;
    if (backends.length === 0) {
      steps.push({ where: `listener ${listener.id}`, rule: `no endpoint for source ${c.source}: held unanswered` });
      return refused('dropped');
    }
    return {
      outcome: 'answered',
      endpoints: backends.map((b) => b.id),
      // The proxy opens its own connection to the backend: the backend always sees a node address.
      masqueraded: true,
      sticky: listener.affinity.type === 'ClientIP' || ADDRESS_HASHING.has(resolveScheduler('userspace', listener.scheduler).meaning.runs),
      steps,
    };
  },
};

/** The listener that receives `c`: one bound on its exact address first, else a wildcard one on a node address. */
function listenerFor(table: ListenerTable, c: TracedConnection, node: NodeFacts): ListenerSpec | undefined {
  const destination = unmapped(c.destination).toLowerCase();
  const family = isIP(destination) === 6 ? 'IPv6' : 'IPv4';
  const candidates = table.listeners.filter((l) => l.protocol === c.protocol && l.port === c.port);
  const exact = candidates.find((l) => l.address.toLowerCase() === destination);
  if (exact) return exact;
  if (!isNodeAddress(destination, node)) return undefined;
  return candidates.find((l) => l.address === WILDCARD[family]);
}

/** A wildcard socket receives what is delivered locally: the node's addresses and all of loopback. */
function isNodeAddress(ip: string, node: NodeFacts): boolean {
  if (ip === '::1' || (isIP(ip) === 4 && ip.startsWith('127.'))) return true;
  return node.localAddresses.some((a) => a.toLowerCase() === ip);
}

/** A client the in-cluster route serves: a pod of this node (by its CIDRs) or the node itself. */
function isInClusterClient(podCIDRs: readonly string[], source: string, node: NodeFacts): boolean {
  const ip = unmapped(source).toLowerCase();
  if (podCIDRs.length > 0 && admits(podCIDRs, ip)) return true;
  return isNodeAddress(ip, node);
}

function admits(ranges: readonly string[], source: string): boolean {
  const ip = unmapped(source);
  return blockListOf(ranges).check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
}

function describe(l: ListenerSpec): string {
  const backends = l.backends.length > 0 ? ` -> ${l.backends.map((b) => b.id).join(',')}` : '';
  const route = l.inCluster ? `; from ${[...l.inCluster.podCIDRs, 'node'].join(',')} -> ${l.inCluster.backends.map((b) => b.id).join(',') || 'none'}` : '';
  const sources = l.sourceRanges.length > 0 ? ` sources ${l.sourceRanges.join(',')}` : '';
  return `${l.kind} ${l.servicePort} ${l.action} sched ${l.scheduler} affinity ${formatAffinity(l.affinity)}${sources}${backends}${route}`;
}
