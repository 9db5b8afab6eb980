// A three-node cluster in network namespaces, root only:
//
//                          api (br0 10.78.0.100, the API server's relay)
//            ______________________|_______________________________
//           |                 |                 |                 |
//   client 10.78.0.2   node-a 10.78.0.11  node-b 10.78.0.12  node-c 10.78.0.13
//                             |                 |                 |
//                        pods-a 10.244.1/24 pods-b 10.244.2/24 pods-c 10.244.3/24
//
// One L2 segment (a bridge in the api namespace) joins the client, the nodes and the API server, as a
// cluster's node network would. Each node owns a /24 of the 10.244.0.0/16 pod range behind its own veth and
// routes the other nodes' /24s to them, as a CNI with host routes does, so a NodePort reached on one node
// can be DNATed to a pod living behind another. The client has no route to the pod range: it reaches pods
// only through a node. Namespace names carry a random suffix; destroy() removes every namespace and
// process, and a process exit or SIGINT/SIGTERM removes whatever a test left behind.

import { spawnSync } from 'node:child_process';
import { NamespaceSet, namespaceRequirements } from '../../src/lab/namespace-set.js';
import { NamespaceTopology } from '../../src/lab/namespace-topology.js';

export type NodeName = 'node-a' | 'node-b' | 'node-c';
export const NODE_NAMES: readonly NodeName[] = ['node-a', 'node-b', 'node-c'];

export const LAN_PREFIX = 24;
export const API_IP = '10.78.0.100';
export const API_PORT = 6443;
export const CLIENT_IP = '10.78.0.2';
export const POD_RANGE = '10.244.0.0/16';

export interface NodePlan {
  /** The node's InternalIP on the shared segment, where its NodePorts are reached. */
  ip: string;
  /** This node's share of the pod range. */
  podCIDR: string;
  /** The pods' gateway: the node's address on its pod veth. */
  podGateway: string;
  /** The pods running on this node (addresses in podCIDR). */
  podIPs: readonly string[];
}

export const NODES: Readonly<Record<NodeName, NodePlan>> = {
  'node-a': { ip: '10.78.0.11', podCIDR: '10.244.1.0/24', podGateway: '10.244.1.1', podIPs: ['10.244.1.10', '10.244.1.11'] },
  'node-b': { ip: '10.78.0.12', podCIDR: '10.244.2.0/24', podGateway: '10.244.2.1', podIPs: ['10.244.2.10', '10.244.2.11'] },
  'node-c': { ip: '10.78.0.13', podCIDR: '10.244.3.0/24', podGateway: '10.244.3.1', podIPs: ['10.244.3.10'] },
};

/** Where something runs: the API server's namespace, the client, a node, or the pods of a node. */
export type Place = 'api' | 'client' | NodeName | `pods-${NodeName}`;

const PLACES: readonly Place[] = ['api', 'client', ...NODE_NAMES, ...NODE_NAMES.map((n) => `pods-${n}` as const)];

export class ClusterLab extends NamespaceTopology<Place> {
  static async create(): Promise<ClusterLab> {
    // A cluster holds nothing beyond its set, so the one that wires and the one returned may differ.
    return new ClusterLab(await NamespaceSet.create(PLACES, 'kpt-', (wiring) => new ClusterLab(wiring).build()));
  }

  private async build(): Promise<void> {
    await this.exec('api', 'ip', ['link', 'add', 'br0', 'type', 'bridge']);
    await this.exec('api', 'ip', ['addr', 'add', `${API_IP}/${LAN_PREFIX}`, 'dev', 'br0']);
    await this.exec('api', 'ip', ['link', 'set', 'br0', 'up']);
    await this.joinSegment('client', 'v-client', CLIENT_IP);
    for (const n of NODE_NAMES) await this.buildNode(n);
  }

  /** A veth from `place` (lan0, holding `ip`) to a port of the api namespace's bridge. */
  private async joinSegment(place: Place, bridgePort: string, ip: string): Promise<void> {
    await this.exec('api', 'ip', ['link', 'add', bridgePort, 'type', 'veth', 'peer', 'name', 'lan0', 'netns', this.ns[place]]);
    await this.exec('api', 'ip', ['link', 'set', bridgePort, 'master', 'br0', 'up']);
    await this.exec(place, 'ip', ['addr', 'add', `${ip}/${LAN_PREFIX}`, 'dev', 'lan0']);
    await this.exec(place, 'ip', ['link', 'set', 'lan0', 'up']);
  }

  private async buildNode(n: NodeName): Promise<void> {
    const plan = NODES[n];
    const pods: Place = `pods-${n}`;
    const podPrefix = plan.podCIDR.split('/')[1]!;
    await this.joinSegment(n, `v-${n}`, plan.ip);
    for (const s of ['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0']) {
      await this.exec(n, 'sysctl', ['-qw', s]);
    }
    await this.exec(n, 'ip', ['link', 'add', 'pod0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.ns[pods]]);
    await this.exec(n, 'ip', ['addr', 'add', `${plan.podGateway}/${podPrefix}`, 'dev', 'pod0']);
    await this.exec(n, 'ip', ['link', 'set', 'pod0', 'up']);
    for (const ip of plan.podIPs) await this.exec(pods, 'ip', ['addr', 'add', `${ip}/${podPrefix}`, 'dev', 'eth0']);
    await this.exec(pods, 'ip', ['link', 'set', 'eth0', 'up']);
    await this.exec(pods, 'ip', ['route', 'add', 'default', 'via', plan.podGateway, 'dev', 'eth0']);
    // The other nodes' pod /24s go to those nodes, as a CNI's host routes would send them.
    for (const other of NODE_NAMES) {
      if (other !== n) await this.exec(n, 'ip', ['route', 'add', NODES[other].podCIDR, 'via', NODES[other].ip]);
    }
  }
}

/** Why the cluster lab cannot be built here, or undefined when it can. */
export function clusterLabRequirements(): string | undefined {
  const why = namespaceRequirements();
  if (why) return why;
  for (const tool of ['iptables-restore', 'conntrack']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) return `needs ${tool}`;
  }
  return undefined;
}
