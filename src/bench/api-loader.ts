// Writes the upstream benchmark's cluster into a real kube-apiserver as cluster admin: N Services x M
// endpoints (the same filler objects the file-source benchmarks use), the node with its address, and the
// endpoint changes. Objects go in as plain creates, many in flight over kept-alive connections: kubectl
// apply of a List sends them one at a time, which at 30,000 Services takes longer than the measurements.
// A change is a new EndpointSlice for an existing Service with one fresh address and the trigger-time
// annotation, so both proxies can report its programming latency in the same metric.

import { ApiClient, ApiError } from '../sources/api/api-client.js';
import { loadKubeconfig } from '../sources/api/kubeconfig.js';
import { LABEL_SERVICE_NAME } from '../model/objects.js';
import { TRIGGER_TIME_ANNOTATION } from '../model/service-state.js';
import { NAMESPACE, fillerServices, serviceObjects } from './cluster-manifests.js';
import type { ControlPlane } from './control-plane.js';

/** Requests in flight while loading: enough to keep a 2-core apiserver and etcd busy. */
const IN_FLIGHT = 24;

/** Run `work` on every item, at most `limit` at a time; rejects with the first failure. */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The k-th changed endpoint's address (10.246.0.0/15: apart from the filler endpoints' 10.250.0.0/15). */
export function changeEndpointIP(k: number): string {
  const n = k + 1;
  return `10.${246 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

const apiPath = (o: { apiVersion?: string; kind?: string }): string =>
  o.kind === 'Service' ? `/api/v1/namespaces/${NAMESPACE}/services` : `/apis/discovery.k8s.io/v1/namespaces/${NAMESPACE}/endpointslices`;

export class ApiLoader {
  /** Services 0..loaded-1 exist. */
  private loaded = 0;
  private changes = 0;

  private constructor(private readonly cp: ControlPlane, private readonly client: ApiClient, readonly endpointsPerService: number) {}

  static async create(cp: ControlPlane, endpointsPerService: number): Promise<ApiLoader> {
    const access = await loadKubeconfig(cp.adminKubeconfig);
    const client = new ApiClient({ access, limiter: { take: async () => undefined }, userAgent: 'kproxy-bench' });
    const loader = new ApiLoader(cp, client, endpointsPerService);
    await client.postJSON('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    return loader;
  }

  /** Create the Node and give it `ip` (as a kubelet would, through the status subresource). */
  async node(name: string, ip: string): Promise<void> {
    await this.client.postJSON('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } });
    const status = { status: { addresses: [{ type: 'InternalIP', address: ip }] } };
    await this.cp.kubectl(['patch', 'node', name, '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
  }

  get services(): number {
    return this.loaded;
  }

  /** Make the apiserver hold `count` Services (sizes only grow within a run). */
  async loadServices(count: number): Promise<void> {
    if (count <= this.loaded) return;
    const objects = fillerServices(count, this.endpointsPerService).slice(this.loaded).flatMap((t) => serviceObjects(t));
    await forEachLimited(objects, IN_FLIGHT, async (o) => {
      try {
        await this.client.postJSON(apiPath(o), o);
      } catch (err) {
        // A retried load after a failure may find some objects there already.
        if (!(err instanceof ApiError && err.code === 409)) throw err;
      }
    });
    this.loaded = count;
  }

  /** One endpoint change through the API: a new slice with a fresh address for one Service; returns the address. */
  async changeEndpoint(): Promise<string> {
    const k = this.changes++;
    const service = `filler-${(k * 7919) % this.loaded}`;
    const ip = changeEndpointIP(k);
    await this.client.postJSON(apiPath({ kind: 'EndpointSlice' }), {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${service}-change-${k}`, namespace: NAMESPACE,
        labels: { [LABEL_SERVICE_NAME]: service }, annotations: { [TRIGGER_TIME_ANNOTATION]: new Date().toISOString() },
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: [ip], conditions: { ready: true, serving: true, terminating: false } }],
      ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
    });
    return ip;
  }

  close(): void {
    this.client.close();
  }
}
