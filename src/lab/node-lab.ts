// A Kubernetes node in four network namespaces, root only:
//
//   client (c0) ---veth--- (n0) node (n1) ---veth--- (p0) pods
//                               node (n2) ---veth--- (q0) clientpods
//
// The node forwards; pods default-route to it; the client routes the service, pod and external ranges to it.
// Every endpoint IP is a /32 (/128) on p0 so one backend process answers for all of them. Pods that only
// send live apart in clientpods: a flow between two addresses of one namespace never crosses the node
// (the reply would be delivered locally, un-NATed), so a pod reaching a Service from the pods namespace
// only works when it lands on itself through masquerade, which is exactly the hairpin case. Namespace names carry a
// random suffix so test files can run in parallel. destroy() removes everything, and a process exit or
// SIGINT/SIGTERM removes whatever a test left behind. The flow suite, the real-API-server suite, the IPVS
// tests inside user-mode Linux and the IPVS sync benchmark build it.

import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { NamespaceSet, namespaceRequirements } from './namespace-set.js';
import { NamespaceTopology } from './namespace-topology.js';
import * as A from './lab-addresses.js';

export * from './lab-addresses.js';
export { stopChild } from './namespace-set.js';

export type LabPlace = 'client' | 'node' | 'pods' | 'clientpods';
const PLACES: readonly LabPlace[] = ['client', 'node', 'pods', 'clientpods'];

/** The node's end of the link to each other place: where a packet from there arrives on the node. */
export const NODE_LINKS = { client: 'n0', pods: 'n1', clientpods: 'n2' } as const satisfies Record<Exclude<LabPlace, 'node'>, string>;

export interface LabPods {
  /** Endpoint addresses: on p0, answered by the backend. */
  podIPs: readonly string[];
  /** Addresses of pods that only send: on q0. */
  clientPodIPs: readonly string[];
}

export class Lab extends NamespaceTopology<LabPlace> {
  private constructor(
    set: NamespaceSet<LabPlace>,
    private readonly pods: LabPods,
  ) {
    super(set);
  }

  /** The namespace a pod flow from `podIP` runs in. */
  placeOfPod(podIP: string): LabPlace {
    if (this.pods.podIPs.includes(podIP)) return 'pods';
    if (this.pods.clientPodIPs.includes(podIP)) return 'clientpods';
    throw new Error(`no pod in the lab has address ${podIP}; pod flows must start from a planned pod IP`);
  }

  /** Build the topology with these pod addresses. */
  static async create(pods: LabPods): Promise<Lab> {
    // The pods are all a lab holds beyond its set, so the one that wires and the one returned may differ.
    const set = await NamespaceSet.create(PLACES, 'kpt-', (wiring) => new Lab(wiring, pods).build());
    return new Lab(set, pods);
  }

  /** Start the pods' server answering on every `addresses` (podIP:port); resolves once it listens. */
  async startBackend(addresses: readonly string[]): Promise<void> {
    const script = fileURLToPath(new URL('./backend-server.js', import.meta.url));
    await this.set.spawnReady('pods', process.execPath, [script, ...addresses]);
  }

  /** Forget what the previous proxy left: its rules and its conntrack entries. */
  async resetNode(): Promise<void> {
    for (const [cmd, args] of [['nft', ['flush', 'ruleset']], ['conntrack', ['-F']]] as const) {
      await this.exec('node', cmd, args).catch(() => undefined); // a missing tool has nothing to reset
    }
  }

  private async build(): Promise<void> {
    const { node } = this.ns;
    await this.exec('client', 'ip', ['link', 'add', 'c0', 'type', 'veth', 'peer', 'name', NODE_LINKS.client, 'netns', node]);
    await this.exec('pods', 'ip', ['link', 'add', 'p0', 'type', 'veth', 'peer', 'name', NODE_LINKS.pods, 'netns', node]);
    await this.exec('clientpods', 'ip', ['link', 'add', 'q0', 'type', 'veth', 'peer', 'name', NODE_LINKS.clientpods, 'netns', node]);
    await this.sysctls();
    const addr = (place: LabPlace, dev: string, ip: string, prefix?: number) =>
      this.exec(place, 'ip', ['addr', 'add', `${ip}/${prefix ?? (isIP(ip) === 6 ? 128 : 32)}`, 'dev', dev, ...(isIP(ip) === 6 ? ['nodad'] : [])]);
    for (const ip of [A.CLIENT_IP, A.CLIENT_IP_2]) await addr('client', 'c0', ip, 24);
    for (const ip of [A.CLIENT_IP6, A.CLIENT_IP6_2]) await addr('client', 'c0', ip, 64);
    await addr('node', NODE_LINKS.client, A.NODE_IP, 24);
    await addr('node', NODE_LINKS.client, A.NODE_IP6, 64);
    // The pod gateway on both pod-facing links, as one bridge address would serve every pod.
    for (const dev of [NODE_LINKS.pods, NODE_LINKS.clientpods]) for (const ip of [A.NODE_POD_GATEWAY, A.NODE_POD_GATEWAY6]) await addr('node', dev, ip);
    for (const ip of this.pods.podIPs) await addr('pods', 'p0', ip);
    for (const ip of this.pods.clientPodIPs) await addr('clientpods', 'q0', ip);
    const links = [['client', 'c0'], ['node', NODE_LINKS.client], ['node', NODE_LINKS.pods], ['node', NODE_LINKS.clientpods], ['pods', 'p0'], ['clientpods', 'q0']] as const;
    for (const [place, dev] of links) await this.exec(place, 'ip', ['link', 'set', dev, 'up']);
    await this.routes();
  }

  private async sysctls(): Promise<void> {
    const settings = [
      'net.ipv4.ip_forward=1',
      'net.ipv6.conf.all.forwarding=1',
      // Hairpinned and masqueraded replies come back on the interface they left by; strict reverse-path
      // filtering (a distribution default) would drop some of them.
      'net.ipv4.conf.all.rp_filter=0',
      'net.ipv4.conf.default.rp_filter=0',
    ];
    for (const s of settings) await this.exec('node', 'sysctl', ['-qw', s]);
    // The kernel answers at most six ICMP errors in a burst, then one a second, per peer: scenario after
    // scenario the same client is refused by the node (REJECT) and by closed pod ports, and a refusal held
    // back by that limit would read as a drop. The flow suite checks the proxy's verdict, not the limit.
    for (const place of ['node', 'pods'] as const) {
      for (const s of ['net.ipv4.icmp_ratelimit=0', 'net.ipv6.icmp.ratelimit=0']) await this.exec(place, 'sysctl', ['-qw', s]);
    }
  }

  private async routes(): Promise<void> {
    const route = (place: LabPlace, ...args: string[]) => this.exec(place, 'ip', ['route', 'add', ...args]);
    const route6 = (place: LabPlace, ...args: string[]) => this.exec(place, 'ip', ['-6', 'route', 'add', ...args]);
    for (const cidr of A.CLIENT_ROUTES4) await route('client', cidr, 'via', A.NODE_IP);
    for (const cidr of A.CLIENT_ROUTES6) await route6('client', cidr, 'via', A.NODE_IP6);
    await route('node', A.POD_CIDR, 'dev', NODE_LINKS.pods);
    await route6('node', A.POD_CIDR6, 'dev', NODE_LINKS.pods);
    for (const ip of this.pods.clientPodIPs) await (isIP(ip) === 6 ? route6 : route)('node', ip, 'dev', NODE_LINKS.clientpods);
    // Like a real node's uplink: what the node does not capture goes to the client, which does not forward
    // and so silently drops it. That makes "not captured" come out as 'dropped', never as a routing loop.
    await route('node', 'default', 'via', A.CLIENT_IP);
    await route6('node', 'default', 'via', A.CLIENT_IP6);
    for (const [place, dev] of [['pods', 'p0'], ['clientpods', 'q0']] as const) {
      await route(place, A.NODE_POD_GATEWAY, 'dev', dev);
      await route(place, 'default', 'via', A.NODE_POD_GATEWAY, 'dev', dev);
      await route6(place, A.NODE_POD_GATEWAY6, 'dev', dev);
      await route6(place, 'default', 'via', A.NODE_POD_GATEWAY6, 'dev', dev);
    }
  }
}

/** Why a lab cannot be built here, or undefined when it can. */
export const labRequirements = namespaceRequirements;
