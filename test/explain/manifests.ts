// A small cluster as manifests, written to a temporary directory, for the explain and status tests: one
// Service per question explain answers (working, no endpoints, externalTrafficPolicy Local, rejected,
// topology hints, slices of the wrong family or without the port). node-a is the node explained from.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Doc = Record<string, unknown>;

function service(name: string, spec: Doc, extra: Doc = {}): Doc {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ipFamilies: ['IPv4'], ...spec }, ...extra };
}

function slice(name: string, service: string, endpoints: Doc[], opts: { addressType?: string; ports?: Doc[] } = {}): Doc {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: opts.addressType ?? 'IPv4',
    ports: opts.ports ?? [{ name: 'http', protocol: 'TCP', port: 8080 }],
    endpoints,
  };
}

function ep(ip: string, nodeName: string, conditions: Doc = {}, extra: Doc = {}): Doc {
  return { addresses: [ip], nodeName, conditions: { ready: true, serving: true, terminating: false, ...conditions }, ...extra };
}

const HTTP = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }];

export const CLUSTER: Record<string, Doc[]> = {
  'node.yaml': [
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-a', labels: { 'topology.kubernetes.io/zone': 'zone-a' } },
      spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] },
      status: { addresses: [{ type: 'InternalIP', address: '192.0.2.10' }] },
    },
  ],
  // Working: two ready endpoints, one not ready, one serving while terminating.
  'web.yaml': [
    service('web', { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: HTTP }),
    slice('web-1', 'web', [
      ep('10.244.0.5', 'node-a'),
      ep('10.244.1.5', 'node-b'),
      ep('10.244.1.6', 'node-b', { ready: false, serving: false }),
      ep('10.244.1.7', 'node-b', { ready: false, serving: true, terminating: true }),
    ]),
    // Listed for the other family, and a slice that does not publish the port.
    slice('web-v6', 'web', [ep('fd00::5', 'node-a')], { addressType: 'IPv6' }),
    slice('web-other', 'web', [ep('10.244.2.9', 'node-c')], { ports: [{ name: 'metrics', protocol: 'TCP', port: 9090 }] }),
  ],
  'empty.yaml': [service('empty', { clusterIP: '10.96.0.30', clusterIPs: ['10.96.0.30'], ports: HTTP })],
  // NodePort with externalTrafficPolicy Local; its only endpoint is on node-a.
  'local.yaml': [
    service('local', { type: 'NodePort', clusterIP: '10.96.0.50', clusterIPs: ['10.96.0.50'], externalTrafficPolicy: 'Local', externalIPs: ['198.51.100.7'], ports: [{ ...HTTP[0], nodePort: 30080 }] }),
    slice('local-1', 'local', [ep('10.244.0.8', 'node-a')]),
  ],
  'lb.yaml': [
    service(
      'lb',
      { type: 'LoadBalancer', clusterIP: '10.96.0.60', clusterIPs: ['10.96.0.60'], ports: [{ ...HTTP[0], nodePort: 30090 }] },
      { status: { loadBalancer: { ingress: [{ ip: '198.51.100.9' }] } } },
    ),
    slice('lb-1', 'lb', [ep('10.244.0.9', 'node-a')]),
  ],
  // Zone hints: one endpoint hinted for zone-a (node-a's zone), one for zone-b.
  'zoned.yaml': [
    service('zoned', { clusterIP: '10.96.0.70', clusterIPs: ['10.96.0.70'], ports: HTTP }),
    slice('zoned-1', 'zoned', [
      ep('10.244.0.11', 'node-a', {}, { hints: { forZones: [{ name: 'zone-a' }] } }),
      ep('10.244.1.11', 'node-b', {}, { hints: { forZones: [{ name: 'zone-b' }] } }),
    ]),
  ],
  // Rejected: a port out of range.
  'broken.yaml': [service('broken', { clusterIP: '10.96.0.40', clusterIPs: ['10.96.0.40'], ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 70000 }] })],
};

/** Writes CLUSTER (or `files`) into a fresh directory, runs `body` with it, and removes it. */
export async function withCluster(body: (dir: string) => Promise<void>, files: Record<string, Doc[]> = CLUSTER): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kproxy-explain-'));
  try {
    // One JSON document per file: the file source reads a .json file as a single object.
    for (const [name, docs] of Object.entries(files)) {
      for (const [i, doc] of docs.entries()) await writeFile(join(dir, `${name.replace(/\.yaml$/, '')}-${i}.json`), JSON.stringify(doc));
    }
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
