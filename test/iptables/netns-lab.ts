// Network namespaces for the root-only tests: a lone "node" namespace for rule programming, and a small
// client -> node -> pods topology for real packets. Names carry a random suffix so tests can run in
// parallel; everything is deleted afterwards.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';

export function canUseNetns(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    execFileSync('iptables-restore', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'needs ip and iptables-restore';
  }
  return undefined;
}

export function toolExists(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function sh(args: string[]): string {
  return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function inNs(ns: string, args: string[]): string {
  return sh(['ip', 'netns', 'exec', ns, ...args]);
}

/** A fresh namespace deleted when the test ends. */
export function makeNetns(t: TestContext, role: string): string {
  const name = `kpt-ipt-${role}-${randomBytes(3).toString('hex')}`;
  sh(['ip', 'netns', 'add', name]);
  t.after(() => {
    try {
      sh(['ip', 'netns', 'del', name]);
    } catch {
      // already gone
    }
  });
  inNs(name, ['ip', 'link', 'set', 'lo', 'up']);
  return name;
}

export interface Topology {
  client: string;
  node: string;
  pods: string;
  /** The node's address as the client sees it. */
  nodeIP: string;
  podIPs: string[];
}

/** client (10.99.0.2) -- node (10.99.0.1 | 10.98.0.1) -- pods (10.98.0.10, 10.98.0.11). */
export function makeTopology(t: TestContext): Topology {
  const client = makeNetns(t, 'c');
  const node = makeNetns(t, 'n');
  const pods = makeNetns(t, 'p');
  const suffix = randomBytes(2).toString('hex');
  const link = (a: string, b: string, ifA: string, ifB: string): void => {
    sh(['ip', 'link', 'add', ifA, 'netns', a, 'type', 'veth', 'peer', 'name', ifB, 'netns', b]);
    inNs(a, ['ip', 'link', 'set', ifA, 'up']);
    inNs(b, ['ip', 'link', 'set', ifB, 'up']);
  };
  link(client, node, `kc${suffix}`, `kn${suffix}`);
  link(node, pods, `km${suffix}`, `kp${suffix}`);
  inNs(client, ['ip', 'addr', 'add', '10.99.0.2/24', 'dev', `kc${suffix}`]);
  inNs(client, ['ip', 'route', 'add', 'default', 'via', '10.99.0.1']);
  inNs(node, ['ip', 'addr', 'add', '10.99.0.1/24', 'dev', `kn${suffix}`]);
  inNs(node, ['ip', 'addr', 'add', '10.98.0.1/24', 'dev', `km${suffix}`]);
  inNs(node, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  // Like a real node, a default route (without one, unknown service IPs fail routing before any rule);
  // not back out to the client, which would answer with ICMP redirects that rate-limit the REJECT's.
  inNs(node, ['ip', 'route', 'add', 'default', 'via', '10.98.0.2']);
  const podIPs = ['10.98.0.10', '10.98.0.11'];
  for (const ip of podIPs) inNs(pods, ['ip', 'addr', 'add', `${ip}/24`, 'dev', `kp${suffix}`]);
  inNs(pods, ['ip', 'route', 'add', 'default', 'via', '10.98.0.1']);
  return { client, node, pods, nodeIP: '10.99.0.1', podIPs };
}

const SERVER = `
const net = require('node:net');
const s = net.createServer((c) => { c.end(c.localAddress + '\\n'); });
s.listen(Number(process.argv[1]), '0.0.0.0', () => console.log('ready'));
`;

/** A TCP server in `ns` answering every connection with the address it was reached on. */
export async function startEchoServer(t: TestContext, ns: string, port: number): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SERVER, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
  });
  return child;
}

const CLIENT = `
const net = require('node:net');
const c = net.connect({ host: process.argv[1], port: Number(process.argv[2]), timeout: 3000 });
let out = '';
c.on('data', (d) => (out += d));
c.on('end', () => { console.log('OK ' + out.trim()); });
c.on('timeout', () => { console.log('TIMEOUT'); c.destroy(); });
c.on('error', (e) => console.log('ERR ' + e.code));
`;

/** Connects from `ns`: "OK <server address>", "ERR ECONNREFUSED" or "TIMEOUT". */
export function connectFrom(ns: string, host: string, port: number): string {
  return inNs(ns, [process.execPath, '-e', CLIENT, host, String(port)]).trim();
}
