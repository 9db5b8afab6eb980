// Chooses, for one service port, which endpoints each traffic policy may use: upstream's
// CategorizeEndpoints (pkg/proxy/topology.go). Pure: the node, its labels and feature behaviour are
// passed in, and the reasons for the outcome come back as notes instead of log lines.

import { LABEL_ZONE } from './objects.js';
import type { Endpoint, EndpointSelection } from './types.js';

export interface SelectionService {
  readonly internalPolicyLocal: boolean;
  /** externalTrafficPolicy is Local (and the Service type accepts external traffic at all). */
  readonly externalPolicyLocal: boolean;
  /**
   * The port takes traffic other than through its ClusterIP: a node port, an externalIP or a VIP-mode
   * load-balancer IP. Defaults to true, which can only add Cluster endpoints, never remove any.
   */
  readonly externallyAccessible?: boolean;
  /** spec.trafficDistribution; consulted only when SelectionOptions.requireTopologyOptIn is set. */
  readonly trafficDistribution?: string;
  /** The service.kubernetes.io/topology-mode (or older topology-aware-hints) annotation value, same use. */
  readonly topologyAnnotation?: string;
}

export interface SelectionOptions {
  nodeName: string;
  nodeLabels: Readonly<Record<string, string>>;
  /** Honour per-node hints (the PreferSameTrafficDistribution feature). Default true. */
  preferSameNode?: boolean;
  /**
   * Use hints only when the Service opts in through trafficDistribution or the topology annotation, as
   * kube-proxy before 1.33 did. Default false: hints alone decide, as current kube-proxy does (the
   * EndpointSlice controller only writes hints for Services that opted in).
   */
  requireTopologyOptIn?: boolean;
}

type TopologyMode = '' | 'PreferSameZone' | 'PreferSameNode';

const NONE: readonly Endpoint[] = Object.freeze([]);
const NO_NOTES: readonly string[] = Object.freeze([]);

/**
 * - cluster: ready endpoints allowed by topology hints; if none, serving-terminating ones (topology
 *   ignored). Empty when the port never uses the Cluster policy (internal Local, not externally reachable).
 * - local: endpoints on this node, ready ones, else serving-terminating ones. Empty unless a Local policy
 *   applies (internal Local, or external Local on an externally reachable port).
 * - allReachable: union of cluster and local, in input order.
 * - hasAny: some endpoint anywhere is usable (ready, or serving and terminating). A port without any
 *   rejects traffic; one with usable endpoints elsewhere but none local drops Local-policy traffic.
 */
export function selectEndpoints(
  endpoints: readonly Endpoint[],
  svc: SelectionService,
  opts: SelectionOptions,
): EndpointSelection {
  const notes: string[] = [];
  if (endpoints.length === 0) return freezeSelection(NONE, NONE, NONE, false, notes);
  const accessible = svc.externallyAccessible ?? true;
  const usesCluster = !svc.internalPolicyLocal || accessible;
  const usesLocal = svc.internalPolicyLocal || (svc.externalPolicyLocal && accessible);

  let cluster: readonly Endpoint[] = NONE;
  let topology: TopologyMode = '';
  let hasAny = false;
  if (usesCluster) {
    topology = topologyMode(endpoints, svc, opts, notes);
    const zone = opts.nodeLabels[LABEL_ZONE] ?? '';
    cluster = filterOrSame(endpoints, (ep) => ep.ready && availableForTopology(ep, topology, opts.nodeName, zone));
    if (cluster.length === 0) {
      cluster = endpoints.filter(isServingTerminating);
      if (cluster.length > 0) notes.push('cluster: no ready endpoints, using serving-terminating endpoints');
    }
    hasAny = cluster.length > 0;
  }
  if (!usesLocal) return freezeSelection(cluster, NONE, cluster, hasAny, notes);

  let localReady = false;
  let localServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      hasAny = true;
      localReady ||= ep.isLocal;
    } else if (isServingTerminating(ep)) {
      hasAny = true;
      localServingTerminating ||= ep.isLocal;
    }
  }
  let local: readonly Endpoint[] = NONE;
  if (localReady) {
    local = endpoints.filter((ep) => ep.isLocal && ep.ready);
  } else if (localServingTerminating) {
    local = endpoints.filter((ep) => ep.isLocal && isServingTerminating(ep));
    notes.push('local: no ready local endpoints, using serving-terminating local endpoints');
  } else if (hasAny) {
    notes.push(`local: no usable endpoints on node ${JSON.stringify(opts.nodeName)}`);
  }
  if (!usesCluster) return freezeSelection(NONE, local, local, hasAny, notes);
  // Without topology and with only ready local endpoints, cluster already holds every local endpoint.
  if (topology === '' && !localServingTerminating) return freezeSelection(cluster, local, cluster, hasAny, notes);
  const reachable = new Set<Endpoint>([...cluster, ...local]);
  return freezeSelection(cluster, local, endpoints.filter((ep) => reachable.has(ep)), hasAny, notes);
}

/** `endpoints` itself when every endpoint passes (the common case), saving a copy per service port. */
function filterOrSame(endpoints: readonly Endpoint[], keep: (ep: Endpoint) => boolean): readonly Endpoint[] {
  let i = 0;
  while (i < endpoints.length && keep(endpoints[i] as Endpoint)) i++;
  if (i === endpoints.length) return endpoints;
  return endpoints.filter(keep);
}

function isServingTerminating(ep: Endpoint): boolean {
  return ep.serving && ep.terminating;
}

function optedIn(svc: SelectionService): boolean {
  const td = svc.trafficDistribution;
  if (td === 'PreferClose' || td === 'PreferSameZone' || td === 'PreferSameNode') return true;
  const annotation = svc.topologyAnnotation ?? '';
  return annotation !== '' && annotation !== 'disabled' && annotation !== 'Disabled';
}

/** Which hints to follow: node hints, zone hints, or none, judged over the ready endpoints. */
function topologyMode(endpoints: readonly Endpoint[], svc: SelectionService, opts: SelectionOptions, notes: string[]): TopologyMode {
  let anyReady = false;
  let allNodeHints = true;
  let hintedForNode = false;
  let allZoneHints = true;
  let hintedForZone = false;
  const zone = opts.nodeLabels[LABEL_ZONE] ?? '';
  for (const ep of endpoints) {
    if (!ep.ready) continue;
    anyReady = true;
    if (ep.nodeHints.length === 0) allNodeHints = false;
    else if (ep.nodeHints.includes(opts.nodeName)) hintedForNode = true;
    if (ep.zoneHints.length === 0) allZoneHints = false;
    else if (ep.zoneHints.includes(zone)) hintedForZone = true;
  }
  if (!anyReady) return '';
  if (opts.requireTopologyOptIn && !optedIn(svc)) {
    if (allZoneHints || allNodeHints) notes.push('topology: hints ignored, the Service did not opt in to topology-aware routing');
    return '';
  }
  if (opts.preferSameNode ?? true) {
    if (allNodeHints && hintedForNode) return 'PreferSameNode';
    if (allNodeHints) notes.push(`topology: node hints ignored, none is for node ${JSON.stringify(opts.nodeName)}`);
  }
  if (allZoneHints && hintedForZone) return 'PreferSameZone';
  if (allZoneHints && zone === '') notes.push(`topology: zone hints ignored, the node has no ${LABEL_ZONE} label`);
  else if (allZoneHints) notes.push(`topology: zone hints ignored, none is for zone ${JSON.stringify(zone)}`);
  return '';
}

function availableForTopology(ep: Endpoint, mode: TopologyMode, nodeName: string, zone: string): boolean {
  if (mode === 'PreferSameNode') return ep.nodeHints.includes(nodeName);
  if (mode === 'PreferSameZone') return ep.zoneHints.includes(zone);
  return true;
}

function freezeSelection(
  cluster: readonly Endpoint[],
  local: readonly Endpoint[],
  allReachable: readonly Endpoint[],
  hasAny: boolean,
  notes: string[],
): EndpointSelection {
  return Object.freeze({
    cluster: Object.freeze(cluster),
    local: Object.freeze(local),
    allReachable: Object.freeze(allReachable),
    hasAny,
    notes: notes.length === 0 ? NO_NOTES : Object.freeze(notes),
  });
}
