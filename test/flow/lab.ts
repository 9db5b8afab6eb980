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
// SIGINT/SIGTERM removes whatever a test left behind.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { runTool, type ToolResult } from '../../src/exec/run-tool.js';
import * as A from './lab-addresses.js';

export * from './lab-addresses.js';

export type LabPlace = 'client' | 'node' | 'pods' | 'clientpods';

export interface LabPods {
  /** Endpoint addresses: on p0, answered by the backend. */
  podIPs: readonly string[];
  /** Addresses of pods that only send: on q0. */
  clientPodIPs: readonly string[];
}

const liveLabs = new Set<Lab>();

export class Lab {
  private readonly children = new Set<ChildProcess>();
  private destroyed = false;

  private constructor(
    readonly ns: Readonly<Record<LabPlace, string>>,
    private readonly pods: LabPods,
  ) {}

  /** The namespace a pod flow from `podIP` runs in. */
  placeOfPod(podIP: string): LabPlace {
    if (this.pods.podIPs.includes(podIP)) return 'pods';
    if (this.pods.clientPodIPs.includes(podIP)) return 'clientpods';
    throw new Error(`no pod in the lab has address ${podIP}; pod flows must start from a planned pod IP`);
  }

  /** Build the topology with these pod addresses. */
  static async create(pods: LabPods): Promise<Lab> {
    const id = `kpt-${randomBytes(4).toString('hex')}`;
    const lab = new Lab({ client: `${id}-client`, node: `${id}-node`, pods: `${id}-pods`, clientpods: `${id}-cpods` }, pods);
    liveLabs.add(lab);
    installExitCleanup();
    try {
      await lab.build();
    } catch (err) {
      await lab.destroy();
      throw err;
    }
    return lab;
  }

  /** Run a tool to completion inside one namespace. */
  exec(place: LabPlace, cmd: string, args: readonly string[], timeoutMs = 30_000): Promise<ToolResult> {
    return runTool(cmd, args, { netns: this.ns[place], timeoutMs });
  }

  /** Start a long-running process inside one namespace; destroy() kills it if it is still running. */
  spawn(place: LabPlace, cmd: string, args: readonly string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.ns[place], cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** Start the pods' server answering on every `addresses` (podIP:port); resolves once it listens. */
  async startBackend(addresses: readonly string[]): Promise<void> {
    const script = fileURLToPath(new URL('./backend-server.js', import.meta.url));
    const child = this.spawn('pods', process.execPath, [script, ...addresses]);
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
      child.once('close', (code) => reject(new Error(`backend-server exited (${code}) before it was ready: ${stderr.trim()}`)));
    });
  }

  /** Forget what the previous proxy left: its rules and its conntrack entries. */
  async resetNode(): Promise<void> {
    for (const [cmd, args] of [['nft', ['flush', 'ruleset']], ['conntrack', ['-F']]] as const) {
      await this.exec('node', cmd, args).catch(() => undefined); // a missing tool has nothing to reset
    }
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await Promise.all([...this.children].map((c) => stopChild(c)));
    for (const name of Object.values(this.ns)) await runTool('ip', ['netns', 'del', name]).catch(() => undefined);
    liveLabs.delete(this);
  }

  /** Synchronous last resort for process exit and signals. */
  destroySync(): void {
    for (const child of this.children) child.kill('SIGKILL');
    for (const name of Object.values(this.ns)) spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    liveLabs.delete(this);
  }

  private async build(): Promise<void> {
    const { client, node, pods, clientpods } = this.ns;
    for (const name of Object.values(this.ns)) await runTool('ip', ['netns', 'add', name]);
    await runTool('ip', ['-n', client, 'link', 'add', 'c0', 'type', 'veth', 'peer', 'name', 'n0', 'netns', node]);
    await runTool('ip', ['-n', pods, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'n1', 'netns', node]);
    await runTool('ip', ['-n', clientpods, 'link', 'add', 'q0', 'type', 'veth', 'peer', 'name', 'n2', 'netns', node]);
    await this.sysctls();
    const addr = (place: LabPlace, dev: string, ip: string, prefix?: number) =>
      this.exec(place, 'ip', ['addr', 'add', `${ip}/${prefix ?? (isIP(ip) === 6 ? 128 : 32)}`, 'dev', dev, ...(isIP(ip) === 6 ? ['nodad'] : [])]);
    for (const ip of [A.CLIENT_IP, A.CLIENT_IP_2]) await addr('client', 'c0', ip, 24);
    for (const ip of [A.CLIENT_IP6, A.CLIENT_IP6_2]) await addr('client', 'c0', ip, 64);
    await addr('node', 'n0', A.NODE_IP, 24);
    await addr('node', 'n0', A.NODE_IP6, 64);
    // The pod gateway on both pod-facing links, as one bridge address would serve every pod.
    for (const dev of ['n1', 'n2']) for (const ip of [A.NODE_POD_GATEWAY, A.NODE_POD_GATEWAY6]) await addr('node', dev, ip);
    for (const ip of this.pods.podIPs) await addr('pods', 'p0', ip);
    for (const ip of this.pods.clientPodIPs) await addr('clientpods', 'q0', ip);
    const links = [['client', 'c0'], ['node', 'n0'], ['node', 'n1'], ['node', 'n2'], ['pods', 'p0'], ['clientpods', 'q0']] as const;
    for (const [place, dev] of links) await this.exec(place, 'ip', ['link', 'set', dev, 'up']);
    for (const place of Object.keys(this.ns) as LabPlace[]) await this.exec(place, 'ip', ['link', 'set', 'lo', 'up']);
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
  }

  private async routes(): Promise<void> {
    const route = (place: LabPlace, ...args: string[]) => this.exec(place, 'ip', ['route', 'add', ...args]);
    const route6 = (place: LabPlace, ...args: string[]) => this.exec(place, 'ip', ['-6', 'route', 'add', ...args]);
    for (const cidr of A.CLIENT_ROUTES4) await route('client', cidr, 'via', A.NODE_IP);
    for (const cidr of A.CLIENT_ROUTES6) await route6('client', cidr, 'via', A.NODE_IP6);
    await route('node', A.POD_CIDR, 'dev', 'n1');
    await route6('node', A.POD_CIDR6, 'dev', 'n1');
    for (const ip of this.pods.clientPodIPs) await (isIP(ip) === 6 ? route6 : route)('node', ip, 'dev', 'n2');
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
export function labRequirements(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  if (spawnSync('ip', ['-V'], { stdio: 'ignore' }).status !== 0) return 'needs iproute2 (ip)';
  return undefined;
}

/** SIGTERM, then SIGKILL if the process has not exited within `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

let exitCleanupInstalled = false;

function installExitCleanup(): void {
  if (exitCleanupInstalled) return;
  exitCleanupInstalled = true;
  const cleanAll = () => {
    for (const lab of [...liveLabs]) lab.destroySync();
  };
  process.once('exit', cleanAll);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      cleanAll();
      process.exit(code);
    });
  }
}
