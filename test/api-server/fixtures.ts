// Objects as an API server stores them, for the test server's store: the shared builders (test/fixtures/
// objects.ts) with this suite's defaults (namespace default, one TCP port named p, slices named NAME-abc).

import type { StoredObject } from './object-store.js';
import { endpoint, port, service as fullService, slice as fullSlice, withMeta } from '../fixtures/objects.js';

/** The test server stores plain objects; the shared builders give typed ones of the same shape. */
export function stored(o: object): StoredObject {
  return o as StoredObject;
}

export function service(name: string, clusterIP: string, servicePort: number, opts: { namespace?: string; labels?: Record<string, string> } = {}): StoredObject {
  const svc = fullService(name, { clusterIP, ports: [port(servicePort, servicePort, { name: 'p' })] });
  return stored(withMeta(svc, { namespace: opts.namespace ?? 'default', ...(opts.labels ? { labels: opts.labels } : {}) }));
}

export function headlessService(name: string, namespace = 'default'): StoredObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } };
}

export function slice(serviceName: string, addresses: string[], slicePort: number, opts: { name?: string; namespace?: string; nodeName?: string; labels?: Record<string, string> } = {}): StoredObject {
  const s = fullSlice(serviceName, [['p', slicePort]], addresses.map((a) => endpoint(a, opts.nodeName ? { node: opts.nodeName } : {})));
  return stored(withMeta({ ...s, addressType: 'IPv4' }, { name: opts.name ?? `${serviceName}-abc`, namespace: opts.namespace ?? 'default', ...(opts.labels ? { labels: opts.labels } : {}) }));
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
