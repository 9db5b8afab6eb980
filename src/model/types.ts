// The frozen model every mode renders from. A Snapshot is built anew for each sync (structurally shared
// with the previous one where nothing changed) and is never mutated afterwards, so a renderer can never
// observe half a change. Everything here is plain data: no methods, no references back to API objects.

export type IPFamily = 'IPv4' | 'IPv6';
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/**
 * Identifies one port of one Service, as upstream's ServicePortName does: "namespace/name:portName"
 * (portName is empty for an unnamed single port, giving "namespace/name:"). The key is the same in
 * every IP family; a FamilySnapshot holds at most one ServicePort per key.
 */
export type ServicePortKey = string;

export interface Endpoint {
  /** IP of the endpoint, in this ServicePort's family. */
  readonly ip: string;
  readonly port: number;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName: string | undefined;
  readonly zone: string | undefined;
  /** Zones and nodes this endpoint is hinted for (topology-aware routing). Empty when no hints. */
  readonly zoneHints: readonly string[];
  readonly nodeHints: readonly string[];
  /** nodeName equals this node's name. */
  readonly isLocal: boolean;
}

/**
 * The endpoints a service port may use, per upstream's CategorizeEndpoints (pkg/proxy/topology.go):
 * - cluster: used for traffic under a Cluster policy (topology-filtered; ready, else serving-terminating).
 * - local: used for traffic under a Local policy (endpoints on this node; ready, else serving-terminating).
 *   Empty when neither traffic policy is Local.
 * - allReachable: the union of the sets some traffic policy may reach; what a mode programs endpoint
 *   chains / real servers / backends for.
 * - hasAny: some endpoint anywhere is usable (ready, or serving and terminating), as upstream computes it;
 *   a port without any rejects traffic. External traffic under a Local policy with hasAny but no local
 *   endpoint is dropped instead (upstream's "no local endpoints" case).
 */
export interface EndpointSelection {
  readonly cluster: readonly Endpoint[];
  readonly local: readonly Endpoint[];
  readonly allReachable: readonly Endpoint[];
  readonly hasAny: boolean;
  /** Why the selection looks the way it does (topology ignored, terminating fallback used, ...), for logs. */
  readonly notes: readonly string[];
}

export interface LoadBalancerIP {
  readonly ip: string;
  /** 'Proxy' means the load balancer delivers to the node with the node as destination: not programmed. */
  readonly ipMode: 'VIP' | 'Proxy';
}

export type SessionAffinity =
  | { readonly type: 'None' }
  | { readonly type: 'ClientIP'; readonly timeoutSeconds: number };

export interface ServicePort {
  readonly key: ServicePortKey;
  readonly namespace: string;
  readonly name: string;
  readonly portName: string;
  readonly family: IPFamily;
  readonly protocol: Protocol;
  readonly type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /** The ClusterIP of this family. */
  readonly clusterIP: string;
  readonly port: number;
  /** 0 when the port has no NodePort. */
  readonly nodePort: number;
  /** ExternalIPs of this family. */
  readonly externalIPs: readonly string[];
  /** Load-balancer ingress IPs of this family. */
  readonly loadBalancerIPs: readonly LoadBalancerIP[];
  /** CIDRs of this family allowed to reach LB IPs; empty means everyone. */
  readonly loadBalancerSourceRanges: readonly string[];
  readonly sessionAffinity: SessionAffinity;
  readonly externalPolicyLocal: boolean;
  readonly internalPolicyLocal: boolean;
  /** 0 unless type LoadBalancer with externalTrafficPolicy Local. */
  readonly healthCheckNodePort: number;
  /** Scheduler name (rr, wrr, lc, ...): the kproxy.io/scheduler annotation, else the configured default. */
  readonly scheduler: string;
  /** All endpoints of this port in this family, sorted by ip then port, before selection. */
  readonly endpoints: readonly Endpoint[];
  readonly selection: EndpointSelection;
}

export interface NodeInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Node addresses from the Node object (InternalIP/ExternalIP), all families. */
  readonly addresses: readonly string[];
  readonly podCIDRs: readonly string[];
  /** The Node is being deleted or carries the ToBeDeletedByClusterAutoscaler taint (KEP-3836). */
  readonly terminating: boolean;
}

export interface FamilySnapshot {
  readonly family: IPFamily;
  /** Every proxied service port of this family, by key. Iteration order is sorted by key. */
  readonly servicePorts: ReadonlyMap<ServicePortKey, ServicePort>;
}

export interface Snapshot {
  /** Increases by one per built snapshot. */
  readonly generation: number;
  readonly node: NodeInfo;
  readonly families: { readonly IPv4: FamilySnapshot; readonly IPv6: FamilySnapshot };
  /**
   * Keys whose ServicePort (in either family) was added, removed or changed since the previous
   * snapshot. Unchanged ports are the very same objects as in the previous snapshot.
   */
  readonly changed: ReadonlySet<ServicePortKey>;
  /** Keys of UDP ports whose endpoints went away, or that gained their first endpoint (conntrack cleanup). */
  readonly staleUDP: ReadonlySet<ServicePortKey>;
  /** Wall-clock ms of the oldest EndpointSlice trigger time this snapshot contains, per key (programming latency). */
  readonly triggerTimes: ReadonlyMap<ServicePortKey, number>;
}
