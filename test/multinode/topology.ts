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

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { runTool, type ToolResult } from '../../src/exec/run-tool.js';
import { stopChild } from '../flow/lab.js';

export type NodeName = 'node-a' | 'node-b' | 'node-c';
export const NODE_NAMES: readonly NodeName[] = ['node-a', 'node-b', 'node-c'];

export const LAN_PREFIX = 24;
export const API_IP = '10.78.0.100';
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

const liveClusters = new Set<ClusterLab>();

export class ClusterLab {
  private readonly children = new Set<ChildProcess>();
  private destroyed = false;

  private constructor(readonly ns: Readonly<Record<Place, string>>) {}

  static async create(): Promise<ClusterLab> {
    const id = `kpt-${randomBytes(4).toString('hex')}`;
    const ns = { api: `${id}-api`, client: `${id}-client` } as Record<Place, string>;
    for (const n of NODE_NAMES) {
      ns[n] = `${id}-${n}`;
      ns[`pods-${n}`] = `${id}-pods-${n.slice(-1)}`;
    }
    const lab = new ClusterLab(ns);
    liveClusters.add(lab);
    installExitCleanup();
    try {
      await lab.build();
    } catch (err) {
      await lab.destroy();
      throw err;
    }
    return lab;
  }

  exec(place: Place, cmd: string, args: readonly string[], timeoutMs = 30_000): Promise<ToolResult> {
    return runTool(cmd, args, { netns: this.ns[place], timeoutMs });
  }

  /** A long-running process in one namespace; destroy() stops it if it still runs. */
  spawn(place: Place, cmd: string, args: readonly string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.ns[place], cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** Spawn and resolve once the process prints `ready`; reject with its stderr if it exits first. */
  async spawnReady(place: Place, cmd: string, args: readonly string[]): Promise<ChildProcess> {
    const child = this.spawn(place, cmd, args);
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
      child.once('close', (code) => reject(new Error(`${cmd} ${args.join(' ')} exited (${code}) before it was ready: ${stderr.trim()}`)));
    });
    return child;
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await Promise.all([...this.children].map((c) => stopChild(c)));
    for (const name of Object.values(this.ns)) await runTool('ip', ['netns', 'del', name]).catch(() => undefined);
    liveClusters.delete(this);
  }

  /** Synchronous last resort for process exit and signals. */
  destroySync(): void {
    for (const child of this.children) child.kill('SIGKILL');
    for (const name of Object.values(this.ns)) spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    liveClusters.delete(this);
  }

  private async build(): Promise<void> {
    for (const name of Object.values(this.ns)) await runTool('ip', ['netns', 'add', name]);
    for (const place of Object.keys(this.ns) as Place[]) await this.exec(place, 'ip', ['link', 'set', 'lo', 'up']);
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
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  for (const tool of ['ip', 'iptables-restore', 'conntrack']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) return `needs ${tool}`;
  }
  return undefined;
}

let exitCleanupInstalled = false;

function installExitCleanup(): void {
  if (exitCleanupInstalled) return;
  exitCleanupInstalled = true;
  const cleanAll = () => {
    for (const lab of [...liveClusters]) lab.destroySync();
  };
  process.once('exit', cleanAll);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      cleanAll();
      process.exit(code);
    });
  }
}
