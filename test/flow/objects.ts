// Small builders for the objects a scenario runs with, so that each scenario reads in a few lines. They
// build plain API objects (what a manifest file would hold); nothing here validates, so a scenario can also
// build a deliberately broken object.

import { isIP } from 'node:net';
import {
  LABEL_SERVICE_NAME,
  LABEL_ZONE,
  type EndpointSlice,
  type EndpointSliceEndpoint,
  type EndpointSlicePort,
  type LoadBalancerIngress,
  type Node,
  type ObjectMeta,
  type Service,
  type ServicePortSpec,
  type ServiceSpec,
} from '../../src/model/objects.js';

export const NAMESPACE = 'default';

/** A Service port: `port` on the Service, `targetPort` on the pods (same when omitted). */
export function port(port: number, targetPort?: number, more: Partial<ServicePortSpec> = {}): ServicePortSpec {
  return { protocol: 'TCP', port, targetPort: targetPort ?? port, ...more };
}

export function udpPort(p: number, targetPort?: number, more: Partial<ServicePortSpec> = {}): ServicePortSpec {
  return port(p, targetPort, { ...more, protocol: 'UDP' });
}

/** A Service; `type` defaults to ClusterIP and `clusterIPs` to [clusterIP]. */
export function service(name: string, spec: ServiceSpec & { clusterIP: string }, ingress?: LoadBalancerIngress[]): Service {
  const family = isIP(spec.clusterIP) === 6 ? 'IPv6' : 'IPv4';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NAMESPACE },
    spec: { type: 'ClusterIP', clusterIPs: [spec.clusterIP], ipFamilies: [family], ...spec },
    ...(ingress ? { status: { loadBalancer: { ingress } } } : {}),
  };
}

export interface EndpointOptions {
  node?: string;
  zone?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  /** Topology hints (forZones), as the EndpointSlice controller sets them for PreferSameZone. */
  hintZones?: string[];
}

/** One endpoint; ready and serving unless told otherwise. */
export function endpoint(ip: string, o: EndpointOptions = {}): EndpointSliceEndpoint {
  const ready = o.ready ?? true;
  return {
    addresses: [ip],
    conditions: { ready, serving: o.serving ?? ready, terminating: o.terminating ?? false },
    ...(o.node ? { nodeName: o.node } : {}),
    ...(o.zone ? { zone: o.zone } : {}),
    ...(o.hintZones ? { hints: { forZones: o.hintZones.map((name) => ({ name })) } } : {}),
  };
}

/** Slice ports: a target port number, or [name, number] for a named Service port, optionally with its protocol. */
export type SlicePortSpec = number | [string, number] | [string, number, 'TCP' | 'UDP'];

/** The EndpointSlice of `serviceName` (named after it); the address type follows the first endpoint. */
export function slice(
  serviceName: string,
  ports: SlicePortSpec[],
  endpoints: EndpointSliceEndpoint[],
  protocol: 'TCP' | 'UDP' = 'TCP',
): EndpointSlice {
  const first = endpoints[0]?.addresses[0];
  const slicePorts: EndpointSlicePort[] = ports.map((p) =>
    typeof p === 'number' ? { port: p, protocol } : { name: p[0], port: p[1], protocol: p[2] ?? protocol },
  );
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${serviceName}-${first && isIP(first) === 6 ? 'v6' : 'v4'}`, namespace: NAMESPACE, labels: { [LABEL_SERVICE_NAME]: serviceName } },
    addressType: first && isIP(first) === 6 ? 'IPv6' : 'IPv4',
    endpoints,
    ports: slicePorts,
  };
}

/** The Node kproxy runs as: its zone label, its InternalIPs and (for --detect-local-mode=NodeCIDR) its pod CIDRs. */
export function node(name: string, zone: string, addresses: string[], podCIDRs?: string[]): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { [LABEL_ZONE]: zone, 'kubernetes.io/hostname': name } },
    ...(podCIDRs ? { spec: { podCIDR: podCIDRs[0], podCIDRs } } : {}),
    status: { addresses: addresses.map((address) => ({ type: 'InternalIP', address })) },
  };
}

/** `o` with labels and annotations added to its metadata (a Service opting in to topology, claimed by a proxy, ...). */
export function withMeta<T extends { metadata: ObjectMeta }>(o: T, more: Pick<ObjectMeta, 'labels' | 'annotations'>): T {
  const { labels, annotations } = o.metadata;
  return {
    ...o,
    metadata: {
      ...o.metadata,
      ...(more.labels ? { labels: { ...labels, ...more.labels } } : {}),
      ...(more.annotations ? { annotations: { ...annotations, ...more.annotations } } : {}),
    },
  };
}
