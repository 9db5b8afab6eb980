// Objects as an API server stores them, for the test server's store.

import type { StoredObject } from './object-store.js';

export function service(name: string, clusterIP: string, port: number, opts: { namespace?: string; labels?: Record<string, string> } = {}): StoredObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: opts.namespace ?? 'default', ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], ipFamilies: ['IPv4'], ports: [{ name: 'p', protocol: 'TCP', port, targetPort: port }] },
  };
}

export function headlessService(name: string, namespace = 'default'): StoredObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } };
}

export function slice(serviceName: string, addresses: string[], port: number, opts: { name?: string; namespace?: string; nodeName?: string; labels?: Record<string, string> } = {}): StoredObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: opts.name ?? `${serviceName}-abc`,
      namespace: opts.namespace ?? 'default',
      labels: { 'kubernetes.io/service-name': serviceName, ...opts.labels },
    },
    addressType: 'IPv4',
    ports: [{ name: 'p', protocol: 'TCP', port }],
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true, serving: true, terminating: false }, ...(opts.nodeName ? { nodeName: opts.nodeName } : {}) })),
  };
}

export function node(name: string, opts: { zone?: string; address?: string; taints?: { key: string; effect: string }[] } = {}): StoredObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.zone ? { 'topology.kubernetes.io/zone': opts.zone } : {}) } },
    spec: opts.taints ? { taints: opts.taints } : {},
    status: { addresses: [{ type: 'InternalIP', address: opts.address ?? '10.0.0.1' }] },
  };
}
