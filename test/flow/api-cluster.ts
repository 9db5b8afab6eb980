// The real control plane behind the API-backed flow adapters (api-adapter.ts): one kube-apiserver per test
// file, a door to it from the lab's node namespace, and the scenario's objects loaded into it the way a
// cluster would hold them. kube-apiserver has no controller-manager here, so the scenario's EndpointSlices
// are created as they are, and status (Node addresses, load-balancer ingress) goes through the status
// subresource, as a kubelet or a cloud controller would write it.

import type { KubeObject } from '../../src/model/objects.js';
import { openApiDoor, type ApiDoor } from '../kube/api-door.js';
import { ControlPlane, controlPlaneRequirements } from '../kube/control-plane.js';
import type { Lab } from '../../src/lab/node-lab.js';

/** Both families, so dual-stack Services can be created (fd96::/108 is what the apiserver accepts). */
const SERVICE_RANGES = '10.96.0.0/12,fd96::/108';

/** kubectl's arguments naming an object: `kind/name`, and `-n namespace` when it has one (space-separated). */
function refOf(o: KubeObject): string {
  const ns = o.metadata.namespace;
  return `${(o.kind ?? '').toLowerCase()}/${o.metadata.name}${ns ? ` -n ${ns}` : ''}`;
}

function statusOf(o: KubeObject | undefined): Record<string, unknown> | undefined {
  return (o as { status?: Record<string, unknown> } | undefined)?.status;
}

function withoutStatus(o: KubeObject): KubeObject {
  const { status: _status, ...rest } = o as KubeObject & { status?: unknown };
  return rest as KubeObject;
}

export interface ApiClusterPorts {
  apiserverPort: number;
  etcdPort: number;
}

export class ApiCluster {
  private cp: ControlPlane | undefined;
  private door: ApiDoor | undefined;
  /** What the last load/replace put into the API server, by refOf. */
  private loaded = new Map<string, KubeObject>();
  private setUpFailure: string | undefined;

  constructor(private readonly ports: ApiClusterPorts) {}

  requirements(): string | undefined {
    return controlPlaneRequirements() ?? this.setUpFailure;
  }

  /** The proxy user's kubeconfig (system:kube-proxy); it names https://127.0.0.1:PORT, which the door serves. */
  get proxyKubeconfig(): string {
    if (!this.cp) throw new Error('the control plane is not running');
    return this.cp.proxyKubeconfig;
  }

  /** The binaries of the shared kube folder (kube-proxy, kubectl). */
  get bin(): string {
    if (!this.cp) throw new Error('the control plane is not running');
    return this.cp.bin;
  }

  /** Start the control plane and open its door in `lab`'s node namespace; idempotent per lab. */
  async setUp(lab: Lab): Promise<void> {
    if (this.cp || this.requirements()) return;
    try {
      const started = Date.now();
      this.cp = await ControlPlane.start({ ...this.ports, apiserverFlags: [`--service-cluster-ip-range=${SERVICE_RANGES}`] });
      this.door = await openApiDoor((cmd, args) => lab.spawnReady('node', cmd, args), this.cp.port, `127.0.0.1:${this.cp.port}`);
      console.error(`# kube-apiserver on port ${this.cp.port} ready in ${Date.now() - started} ms`);
    } catch (err) {
      this.setUpFailure = `the control plane did not start: ${err instanceof Error ? err.message : String(err)}`;
      await this.tearDown();
      throw err;
    }
  }

  async tearDown(): Promise<void> {
    await this.door?.close();
    await this.cp?.stop();
    this.door = undefined;
    this.cp = undefined;
  }

  /** A fresh start: everything but default/kubernetes deleted (and gone), then `objects` created. */
  async load(objects: readonly KubeObject[]): Promise<void> {
    const cp = this.need();
    await cp.kubectl(['delete', 'services,endpointslices,nodes', '--all-namespaces', '--field-selector', 'metadata.name!=kubernetes', '--wait=true']);
    this.loaded.clear();
    await this.replace(objects);
  }

  /** Make the API server hold exactly `objects` (beside default/kubernetes): apply them, delete what went away. */
  async replace(objects: readonly KubeObject[]): Promise<void> {
    const cp = this.need();
    const wanted = new Map(objects.map((o) => [refOf(o), o]));
    // Only what changed, as a controller would write it: a Node with an InternalIP per family cannot be
    // applied twice (server-side apply sees two addresses with the key type=InternalIP). Strict field
    // validation: a field this apiserver does not know fails loudly instead of vanishing.
    const changed = objects.filter((o) => JSON.stringify(o) !== JSON.stringify(this.loaded.get(refOf(o))));
    await cp.apply(changed.map(withoutStatus));
    for (const ref of this.loaded.keys()) {
      if (!wanted.has(ref)) await cp.kubectl(['delete', '--wait=true', ...ref.split(' ')]);
    }
    for (const [ref, o] of wanted) {
      const status = statusOf(o);
      const before = statusOf(this.loaded.get(ref));
      if (JSON.stringify(status) === JSON.stringify(before)) continue;
      // A merge patch: each field the object no longer has is set to null, which removes it.
      const gone = Object.fromEntries(Object.keys(before ?? {}).filter((k) => !(k in (status ?? {}))).map((k) => [k, null]));
      await cp.kubectl(['patch', ...ref.split(' '), '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { ...gone, ...status } })]);
    }
    this.loaded = wanted;
  }

  private need(): ControlPlane {
    if (!this.cp) throw new Error(`the control plane is not running${this.setUpFailure ? `: ${this.setUpFailure}` : ''}`);
    return this.cp;
  }
}
