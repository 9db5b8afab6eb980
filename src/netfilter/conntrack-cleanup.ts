// UDP has no connection teardown, so conntrack keeps steering a client's datagrams to where the first one
// went. After a sync, for the UDP ports in snapshot.staleUDP, delete (with the conntrack tool, as
// upstream's exec-based cleanup did):
// - entries NATed to an endpoint that went away (per service IP, and per NodePort);
// - entries to the service IPs / NodePort of a port that gained its first endpoint (they were created
//   while the port rejected traffic and would keep blackholing it).
// Every kernel mode NATs through conntrack, so this is not any mode's job: each kernel mode's DataPlane
// offers a StaleUDPConntrack (its families, its namespace) and the Proxier runs it after each successful
// apply (dataplane/types.ts, DataPlane.conntrack).

import type { FamilySnapshot, IPFamily, ServicePort, Snapshot } from '../model/types.js';
import { runTool, type RunToolOptions } from '../exec/run-tool.js';

function serviceIPs(sp: ServicePort): string[] {
  return [sp.clusterIP, ...sp.externalIPs, ...sp.loadBalancerIPs.filter((lb) => lb.ipMode === 'VIP').map((lb) => lb.ip)];
}

/** The `conntrack` argument lists to run for one family. */
export function staleConntrackCommands(
  staleKeys: Iterable<string>,
  previous: FamilySnapshot | undefined,
  current: FamilySnapshot,
): string[][] {
  const out: string[][] = [];
  const family = current.family === 'IPv6' ? ['-f', 'ipv6'] : [];
  for (const key of staleKeys) {
    const cur = current.servicePorts.get(key);
    const prev = previous?.servicePorts.get(key);
    const curEps = cur?.selection.allReachable ?? [];
    const prevEps = prev?.selection.allReachable ?? [];
    if (cur?.protocol === 'UDP' && curEps.length > 0 && prevEps.length === 0) {
      for (const ip of serviceIPs(cur)) out.push(['-D', '-p', 'udp', '--orig-dst', ip, ...family]);
      if (cur.nodePort) out.push(['-D', '-p', 'udp', '--dport', String(cur.nodePort), ...family]);
    }
    if (prev?.protocol !== 'UDP') continue;
    const kept = new Set(curEps.map((e) => `${e.ip}|${e.port}`));
    const gone = new Set(prevEps.filter((e) => !kept.has(`${e.ip}|${e.port}`)).map((e) => e.ip));
    for (const epIP of gone) {
      for (const ip of serviceIPs(prev)) out.push(['-D', '-p', 'udp', '--orig-dst', ip, '--dst-nat', epIP, ...family]);
      if (prev.nodePort) out.push(['-D', '-p', 'udp', '--dport', String(prev.nodePort), '--dst-nat', epIP, ...family]);
    }
  }
  return out;
}

/** Runs the commands; "0 flow entries" is success. Returns the failures' messages. */
export async function runConntrackCommands(commands: readonly string[][], opts: RunToolOptions, run: typeof runTool = runTool): Promise<string[]> {
  const failures: string[] = [];
  for (const args of commands) {
    try {
      await run('conntrack', args, opts);
    } catch (err) {
      const msg = (err as Error).message;
      if (!/0 flow entries have been deleted/.test(msg)) failures.push(msg);
    }
  }
  return failures;
}

/** A kernel mode's choice: delete stale UDP entries after syncs (default true; needs the conntrack tool). */
export interface ConntrackCleanupOption {
  readonly conntrackCleanup?: boolean;
}

export interface StaleUDPConntrackOptions {
  /** The families the mode proxies: entries of the others are none of its business. */
  readonly families: readonly IPFamily[];
  /** The network namespace the mode programs (tests, benchmarks); default this process's. */
  readonly netns?: string;
  /** Runs the conntrack tool (default runTool); tests pass a recorder. */
  readonly runTool?: typeof runTool;
}

/** The cleanup a kernel mode's DataPlane offers the Proxier. */
export class StaleUDPConntrack {
  constructor(private readonly o: StaleUDPConntrackOptions) {}

  /** Deletes what `snapshot.staleUDP` made stale since `previous` (the last successful sync); returns the failures. */
  async clearStaleUDP(snapshot: Snapshot, previous: Snapshot | undefined): Promise<string[]> {
    if (snapshot.staleUDP.size === 0) return [];
    const commands = this.o.families.flatMap((f) => staleConntrackCommands(snapshot.staleUDP, previous?.families[f], snapshot.families[f]));
    return runConntrackCommands(commands, this.o.netns ? { netns: this.o.netns } : {}, this.o.runTool);
  }
}

/** The DataPlane's cleanup for a kernel mode's options, or undefined when they turn it off. */
export function staleUDPConntrackFor(o: ConntrackCleanupOption & StaleUDPConntrackOptions): StaleUDPConntrack | undefined {
  if (o.conntrackCleanup === false) return undefined;
  return new StaleUDPConntrack({ families: o.families, netns: o.netns, runTool: o.runTool });
}
