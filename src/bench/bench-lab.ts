// The benchmark node: three network namespaces, built with run-tool, the same shape as the flow suite's lab
//
//   client (c0 10.77.0.2) --veth-- (n0 10.77.0.1) node (n1 10.244.0.1) --veth-- (p0) pods
//
// The node forwards and runs kproxy; every pod IP is a /32 on p0, so one nginx (and one delayed server)
// in the pods namespace answers for all of them. The client routes the Service, pod and external ranges to
// the node. Names carry a random suffix; destroy(), process exit and Ctrl-C remove everything.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '../exec/run-tool.js';
import { NamespaceSet, namespaceCommands, namespaceRequirements } from '../lab/namespace-set.js';
import { NamespaceTopology } from '../lab/namespace-topology.js';

export type BenchPlace = 'client' | 'node' | 'pods';
const PLACES: readonly BenchPlace[] = ['client', 'node', 'pods'];

export const CLIENT_IP = '10.77.0.2';
export const NODE_IP = '10.77.0.1';
export const POD_GATEWAY = '10.244.0.1';
export const POD_CIDR = '10.244.0.0/16';
export const SERVICE_CIDR = '10.96.0.0/12';

/** The i-th pod address (0-based): 10.244.1.1 upwards, skipping .0 and .255. */
export function podIP(i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= 254 * 200) throw new RangeError(`pod index must be 0..${254 * 200 - 1}, got ${i}`);
  return `10.244.${1 + Math.floor(i / 254)}.${(i % 254) + 1}`;
}

/** The commands that build the topology, in order: the namespace set's own, then the wiring. */
export function buildCommands(ns: Readonly<Record<BenchPlace, string>>): string[][] {
  return [...namespaceCommands(PLACES.map((p) => ns[p])), ...wiringCommands(ns)];
}

/** What create() runs once the namespaces exist. */
function wiringCommands(ns: Readonly<Record<BenchPlace, string>>): string[][] {
  const { client, node, pods } = ns;
  const inNs = (n: string, ...args: string[]) => ['ip', 'netns', 'exec', n, ...args];
  return [
    ['ip', '-n', client, 'link', 'add', 'c0', 'type', 'veth', 'peer', 'name', 'n0', 'netns', node],
    ['ip', '-n', pods, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'n1', 'netns', node],
    inNs(node, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0'),
    // Userspace mode's portal listeners each take an ephemeral port: 30,000 Services need more than the
    // default range's 28,232, and its relays to the pods need ports of their own besides.
    inNs(node, 'sysctl', '-qw', 'net.ipv4.ip_local_port_range=16384 65000'),
    // Thousands of short connections from one address: reuse TIME_WAIT ports, widen the port range.
    inNs(client, 'sysctl', '-qw', 'net.ipv4.ip_local_port_range=1024 65000', 'net.ipv4.tcp_tw_reuse=1'),
    inNs(pods, 'sysctl', '-qw', 'net.core.somaxconn=8192', 'net.ipv4.tcp_max_syn_backlog=8192'),
    ['ip', '-n', client, 'addr', 'add', `${CLIENT_IP}/24`, 'dev', 'c0'],
    ['ip', '-n', node, 'addr', 'add', `${NODE_IP}/24`, 'dev', 'n0'],
    ['ip', '-n', node, 'addr', 'add', `${POD_GATEWAY}/32`, 'dev', 'n1'],
    ...([[client, 'c0'], [node, 'n0'], [node, 'n1'], [pods, 'p0']] as const).map(
      ([n, dev]) => ['ip', '-n', n, 'link', 'set', dev, 'up'],
    ),
    ...[SERVICE_CIDR, POD_CIDR].map((cidr) => ['ip', '-n', client, 'route', 'add', cidr, 'via', NODE_IP]),
    ['ip', '-n', node, 'route', 'add', POD_CIDR, 'dev', 'n1'],
    ['ip', '-n', pods, 'route', 'add', POD_GATEWAY, 'dev', 'p0'],
    ['ip', '-n', pods, 'route', 'add', 'default', 'via', POD_GATEWAY, 'dev', 'p0'],
  ];
}

/** `ip -batch` input that puts every pod address on p0. */
export function podAddressBatch(podIPs: readonly string[]): string {
  return podIPs.map((ip) => `addr add ${ip}/32 dev p0\n`).join('');
}

export class BenchLab extends NamespaceTopology<BenchPlace> {
  protected override readonly execTimeoutMs = 60_000;
  /** Own process groups: nginx and HAProxy start workers, and stopping one must end them all. */
  protected override readonly spawnOptions = { ownGroup: true };

  static async create(podIPs: readonly string[]): Promise<BenchLab> {
    // A bench node holds nothing beyond its set, so the one that wires and the one returned may differ.
    return new BenchLab(await NamespaceSet.create(PLACES, 'kpt-b', (wiring) => new BenchLab(wiring).wire(podIPs)));
  }

  /** A scratch directory (configs, manifests) removed with the lab. */
  tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'kpt-bench-'));
    this.set.onDestroy(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  private async wire(podIPs: readonly string[]): Promise<void> {
    for (const [cmd, ...args] of wiringCommands(this.ns)) await runTool(cmd!, args);
    // One ip process for every pod address: a hundred separate runs take seconds inside user-mode Linux.
    await runTool('ip', ['-n', this.ns.pods, '-batch', '-'], { stdin: podAddressBatch(podIPs) });
  }
}

export { stopChild as stopProcess } from '../lab/namespace-set.js';

/** Why the lab cannot be built here, or undefined. */
export const benchLabRequirements = namespaceRequirements;
