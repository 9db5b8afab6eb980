// The cluster kproxy is loaded with, as manifest files for --from: the Services under test (real pod IPs)
// plus filler Services whose endpoints exist only on paper, so the node holds N Services x M endpoints
// while the load goes to one of them. Objects are written as JSON documents (JSON is YAML) in files of
// FILE_CHUNK Services each, which keeps parsing fast and each file small.

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANNOTATION_SCHEDULER, LABEL_SERVICE_NAME, type EndpointSlice, type KubeObject, type Node, type Service } from '../model/objects.js';

export const NAMESPACE = 'bench';
const FILE_CHUNK = 500;

export interface TargetService {
  name: string;
  clusterIP: string;
  port: number;
  targetPort: number;
  endpoints: readonly string[];
  /** The kproxy.io/scheduler annotation, when the Service asks for one. */
  scheduler?: string;
}

/** The i-th filler Service's cluster IP (10.100.0.1 upwards: apart from the targets' 10.96.0.0/16). */
export function fillerClusterIP(i: number): string {
  const n = i + 1;
  return `10.${100 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

/** The j-th paper endpoint of the i-th filler Service (10.250.0.0/15: never answered, never contacted). */
export function fillerEndpointIP(i: number, j: number, perService: number): string {
  const n = i * perService + j + 1;
  return `10.${250 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

export function serviceObjects(t: TargetService): [Service, EndpointSlice] {
  const service: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: t.name, namespace: NAMESPACE, ...(t.scheduler ? { annotations: { [ANNOTATION_SCHEDULER]: t.scheduler } } : {}) },
    spec: { type: 'ClusterIP', clusterIP: t.clusterIP, clusterIPs: [t.clusterIP], ipFamilies: ['IPv4'], ports: [{ name: 'http', protocol: 'TCP', port: t.port, targetPort: t.targetPort }] },
  };
  const slice: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${t.name}-1`, namespace: NAMESPACE, labels: { [LABEL_SERVICE_NAME]: t.name } },
    addressType: 'IPv4',
    endpoints: t.endpoints.map((ip) => ({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false } })),
    ports: [{ name: 'http', protocol: 'TCP', port: t.targetPort }],
  };
  return [service, slice];
}

export function nodeObject(name: string, ip: string): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, status: { addresses: [{ type: 'InternalIP', address: ip }] } };
}

export function fillerServices(count: number, endpointsPerService: number): TargetService[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `filler-${i}`,
    clusterIP: fillerClusterIP(i),
    port: 80,
    targetPort: 80,
    endpoints: Array.from({ length: endpointsPerService }, (_, j) => fillerEndpointIP(i, j, endpointsPerService)),
  }));
}

function documents(objects: readonly KubeObject[]): string {
  return objects.map((o) => `---\n${JSON.stringify(o)}\n`).join('');
}

/** Make `dir` hold exactly the node object and these Services (replacing what an earlier case left). */
export function writeCluster(dir: string, node: Node, services: readonly TargetService[]): void {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) rmSync(join(dir, f), { force: true });
  writeFileSync(join(dir, 'node.yaml'), documents([node]));
  for (let start = 0; start < services.length; start += FILE_CHUNK) {
    const objects = services.slice(start, start + FILE_CHUNK).flatMap((t) => serviceObjects(t));
    writeFileSync(join(dir, `services-${String(start / FILE_CHUNK).padStart(3, '0')}.yaml`), documents(objects));
  }
}
