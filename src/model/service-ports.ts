// Builds the ServicePort value objects of one Service in one IP family (upstream's newBaseServiceInfo
// plus the endpoint lookup), and lists the IP:port claims a Service makes so conflicts can be found.

import { ANNOTATION_SCHEDULER, type EndpointSlice, type Service, type ServicePortSpec } from './objects.js';
import { selectEndpoints, type SelectionOptions } from './endpoint-selector.js';
import { endpointsForPort } from './slice-endpoints.js';
import { cidrFamily } from './field-checks.js';
import { canonicalIP, clusterIPForFamily, familyOfIP } from './service-filter.js';
import type { IPFamily, LoadBalancerIP, Protocol, ServicePort, ServicePortKey, SessionAffinity } from './types.js';

export interface PortBuildContext {
  readonly hostname: string;
  readonly defaultScheduler: string;
  readonly selection: SelectionOptions;
}

/** Upstream's default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_AFFINITY_SECONDS = 10800;
const TOPOLOGY_ANNOTATIONS = ['service.kubernetes.io/topology-mode', 'service.kubernetes.io/topology-aware-hints'];

export function servicePortKey(namespace: string, name: string, portName: string | undefined): ServicePortKey {
  return `${namespace}/${name}:${portName ?? ''}`;
}

interface FamilyAddresses {
  clusterIP: string;
  externalIPs: readonly string[];
  loadBalancerIPs: readonly LoadBalancerIP[];
  sourceRanges: readonly string[];
}

const NONE: readonly never[] = Object.freeze([]);

function frozenOrNone<T>(items: T[]): readonly T[] {
  return items.length === 0 ? NONE : Object.freeze(items);
}

function familyAddresses(svc: Service, family: IPFamily): FamilyAddresses | undefined {
  const clusterIP = clusterIPForFamily(svc, family);
  if (clusterIP === '') return undefined;
  const inFamily = (ip: string): boolean => familyOfIP(ip) === family;
  const want = family === 'IPv4' ? 4 : 6;
  const lbIPs: LoadBalancerIP[] = [];
  for (const ingress of svc.status?.loadBalancer?.ingress ?? []) {
    if (ingress.ip && inFamily(ingress.ip)) lbIPs.push(Object.freeze({ ip: canonicalIP(ingress.ip), ipMode: ingress.ipMode ?? 'VIP' }));
  }
  const ranges = svc.spec.loadBalancerSourceRanges ?? NONE;
  return {
    clusterIP,
    externalIPs: frozenOrNone((svc.spec.externalIPs ?? NONE).filter(inFamily).map(canonicalIP)),
    loadBalancerIPs: frozenOrNone(lbIPs),
    // The API tolerates whitespace around source ranges; upstream trims it, so does kproxy.
    sourceRanges: frozenOrNone(ranges.map((r) => r.trim()).filter((r) => cidrFamily(r) === want)),
  };
}

/** Upstream's apiservice.ExternalPolicyLocal: only Service types that take external traffic count. */
function externalPolicyLocal(svc: Service): boolean {
  const type = svc.spec.type ?? 'ClusterIP';
  const external = type === 'NodePort' || type === 'LoadBalancer' || (type === 'ClusterIP' && (svc.spec.externalIPs?.length ?? 0) > 0);
  return external && svc.spec.externalTrafficPolicy === 'Local';
}

function sessionAffinity(svc: Service): SessionAffinity {
  if (svc.spec.sessionAffinity !== 'ClientIP') return Object.freeze({ type: 'None' });
  const timeoutSeconds = svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS;
  return Object.freeze({ type: 'ClientIP', timeoutSeconds });
}

function topologyAnnotation(svc: Service): string | undefined {
  const annotations = svc.metadata.annotations ?? {};
  for (const name of TOPOLOGY_ANNOTATIONS) if (annotations[name] !== undefined) return annotations[name];
  return undefined;
}

/** The ServicePorts of `svc` in `family` (none when it has no ClusterIP there), in spec order. */
export function buildServicePorts(
  svc: Service,
  slices: readonly EndpointSlice[],
  family: IPFamily,
  ctx: PortBuildContext,
): ServicePort[] {
  const addresses = familyAddresses(svc, family);
  if (!addresses) return [];
  const namespace = svc.metadata.namespace ?? 'default';
  const name = svc.metadata.name;
  const type = svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer' ? svc.spec.type : 'ClusterIP';
  const extLocal = externalPolicyLocal(svc);
  const intLocal = svc.spec.internalTrafficPolicy === 'Local';
  const affinity = sessionAffinity(svc);
  const scheduler = svc.metadata.annotations?.[ANNOTATION_SCHEDULER] || ctx.defaultScheduler;
  const healthCheckNodePort = type === 'LoadBalancer' && extLocal ? (svc.spec.healthCheckNodePort ?? 0) : 0;
  const hasVIP = addresses.loadBalancerIPs.some((lb) => lb.ipMode === 'VIP');
  const selectionService = {
    internalPolicyLocal: intLocal,
    externalPolicyLocal: extLocal,
    ...(svc.spec.trafficDistribution !== undefined ? { trafficDistribution: svc.spec.trafficDistribution } : {}),
    ...(topologyAnnotation(svc) !== undefined ? { topologyAnnotation: topologyAnnotation(svc) } : {}),
  };

  return (svc.spec.ports ?? []).map((spec: ServicePortSpec): ServicePort => {
    const protocol: Protocol = spec.protocol ?? 'TCP';
    const portName = spec.name ?? '';
    const nodePort = type === 'ClusterIP' ? 0 : (spec.nodePort ?? 0);
    const endpoints = Object.freeze(endpointsForPort(slices, family, portName, protocol, ctx.hostname));
    const externallyAccessible = nodePort !== 0 || hasVIP || addresses.externalIPs.length > 0;
    const selection = selectEndpoints(endpoints, { ...selectionService, externallyAccessible }, ctx.selection);
    return Object.freeze({
      key: servicePortKey(namespace, name, portName),
      namespace,
      name,
      portName,
      family,
      protocol,
      type,
      clusterIP: addresses.clusterIP,
      port: spec.port,
      nodePort,
      externalIPs: addresses.externalIPs,
      loadBalancerIPs: addresses.loadBalancerIPs,
      loadBalancerSourceRanges: addresses.sourceRanges,
      sessionAffinity: affinity,
      externalPolicyLocal: extLocal,
      internalPolicyLocal: intLocal,
      healthCheckNodePort,
      scheduler,
      endpoints,
      selection,
    });
  });
}

/** One destination a service port takes traffic on; two Services must not share one. */
export interface PortClaim {
  /** "family|ip|port|protocol", or "family|nodePort|port|protocol" for node ports. */
  readonly claim: string;
  readonly family: IPFamily;
  readonly portKey: ServicePortKey;
  readonly portIndex: number;
  /** The IP, or '' for a node port claim. */
  readonly ip: string;
  /** The service port, or the node port for a node port claim. */
  readonly port: number;
  readonly protocol: Protocol;
}

/** The claim as an operator reads it, e.g. "10.0.0.1:80/TCP" or "node port 30080/TCP (IPv4)". */
export function claimText(c: PortClaim): string {
  if (c.ip === '') return `node port ${c.port}/${c.protocol} (${c.family})`;
  return c.family === 'IPv6' ? `[${c.ip}]:${c.port}/${c.protocol}` : `${c.ip}:${c.port}/${c.protocol}`;
}

export function portClaims(svc: Service, families: readonly IPFamily[]): PortClaim[] {
  const claims: PortClaim[] = [];
  const namespace = svc.metadata.namespace ?? 'default';
  for (const family of families) {
    const addresses = familyAddresses(svc, family);
    if (!addresses) continue;
    const ips = new Set([addresses.clusterIP, ...addresses.externalIPs]);
    for (const lb of addresses.loadBalancerIPs) if (lb.ipMode === 'VIP') ips.add(lb.ip);
    (svc.spec.ports ?? []).forEach((spec, portIndex) => {
      const protocol = spec.protocol ?? 'TCP';
      const portKey = servicePortKey(namespace, svc.metadata.name, spec.name);
      for (const ip of ips) {
        claims.push({ claim: `${family}|${ip}|${spec.port}|${protocol}`, family, portKey, portIndex, ip, port: spec.port, protocol });
      }
      const nodePort = svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer' ? (spec.nodePort ?? 0) : 0;
      if (nodePort !== 0) {
        claims.push({ claim: `${family}|nodePort|${nodePort}|${protocol}`, family, portKey, portIndex, ip: '', port: nodePort, protocol });
      }
    });
  }
  return claims;
}
