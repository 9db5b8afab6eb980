// Builders for the API objects the model tests feed in.

import type { EndpointSlice, EndpointSliceEndpoint, Node, Service, ServiceSpec } from '../../src/model/objects.js';
import type { Endpoint } from '../../src/model/types.js';
import { endpoint as sharedEndpoint } from '../fixtures/service-ports.js';

export function service(name: string, spec: Partial<ServiceSpec> = {}, meta: Partial<Service['metadata']> = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'ns', ...meta },
    spec: { clusterIP: '10.0.0.1', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec },
  };
}

export function slice(
  name: string,
  serviceName: string,
  endpoints: EndpointSliceEndpoint[],
  opts: { addressType?: 'IPv4' | 'IPv6' | 'FQDN'; ports?: EndpointSlice['ports']; annotations?: Record<string, string> } = {},
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: 'ns',
      labels: { 'kubernetes.io/service-name': serviceName },
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    addressType: opts.addressType ?? 'IPv4',
    endpoints,
    ports: opts.ports ?? [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

export function node(name: string, labels: Record<string, string> = {}, extra: Partial<Node> = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, ...extra };
}

/** An Endpoint value for selector tests: ready on node "other", port 8080, unless told otherwise. */
export function endpoint(ip: string, fields: Partial<Endpoint> = {}): Endpoint {
  return sharedEndpoint(ip, 8080, { nodeName: 'other', isLocal: false, ...fields });
}

export const TERMINATING = { ready: false, serving: true, terminating: true } as const;
export const UNREADY = { ready: false, serving: false, terminating: false } as const;
