// Why each endpoint of a service port is, or is not, used for traffic under one policy: the reasons
// behind selectEndpoints' outcome, one per endpoint, for `kproxy explain`. It reads the selection the
// selector already made and never decides anything itself, so selection behaviour cannot drift from it.

import { LABEL_ZONE } from './objects.js';
import type { Endpoint, EndpointSelection } from './types.js';

export interface EndpointUse {
  readonly endpoint: Endpoint;
  readonly used: boolean;
  /** Why it is not used; undefined when used. */
  readonly reason: string | undefined;
}

export interface ReasonNode {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** `policy` is the traffic policy that applies to the destination (internal for a ClusterIP, else external). */
export function endpointReasons(
  endpoints: readonly Endpoint[],
  selection: EndpointSelection,
  policy: 'Cluster' | 'Local',
  node: ReasonNode,
): EndpointUse[] {
  const usedList = policy === 'Local' ? selection.local : selection.cluster;
  const used = new Set(usedList);
  const anyReadyUsed = usedList.some((ep) => ep.ready);
  return endpoints.map((ep) => {
    if (used.has(ep)) return { endpoint: ep, used: true, reason: undefined };
    return { endpoint: ep, used: false, reason: reasonFor(ep, policy, anyReadyUsed, node) };
  });
}

function reasonFor(ep: Endpoint, policy: 'Cluster' | 'Local', anyReadyUsed: boolean, node: ReasonNode): string {
  const servingTerminating = ep.serving && ep.terminating;
  if (!ep.ready && !servingTerminating) {
    if (ep.terminating) return 'not ready: terminating and no longer serving';
    return ep.serving ? 'not ready (serving, but not terminating: readiness is what counts)' : 'not ready';
  }
  if (policy === 'Local' && !ep.isLocal) {
    return `traffic policy Local and not on this node (on ${ep.nodeName === undefined ? 'no node' : JSON.stringify(ep.nodeName)}, this node is ${JSON.stringify(node.name)})`;
  }
  if (servingTerminating && anyReadyUsed) return 'serving but terminating, and ready endpoints exist: no fallback needed';
  if (ep.nodeHints.length > 0 && !ep.nodeHints.includes(node.name)) {
    return `topology hint for other nodes (${ep.nodeHints.join(', ')}), not ${JSON.stringify(node.name)}`;
  }
  const zone = node.labels[LABEL_ZONE] ?? '';
  if (ep.zoneHints.length > 0 && !ep.zoneHints.includes(zone)) {
    return `topology hint for another zone (${ep.zoneHints.join(', ')}; this node is in ${zone === '' ? 'no zone' : JSON.stringify(zone)})`;
  }
  return 'left out by topology-aware routing';
}
