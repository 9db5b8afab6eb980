// What the kernel's IPVS table holds, read from `ipvsadm -Sn` (services and real servers, exactly the
// restore format we write) and `ipvsadm -Ln` (connection counts, for graceful termination).

import type { Protocol } from '../../model/types.js';
import { canonicalIP, realServerKey, virtualServerKey, type VirtualServer } from './program.js';

export interface KernelRealServer {
  readonly address: string;
  readonly port: number;
  weight: number;
}

export interface KernelVirtualServer {
  readonly protocol: Protocol;
  readonly address: string;
  readonly port: number;
  scheduler: string;
  persistence: number;
  schedulerFlags: string[];
  /** By realServerKey. */
  readonly realServers: Map<string, KernelRealServer>;
}

/** Kernel IPVS state by virtualServerKey. Fwmark services (-f) are not kproxy's and are left out. */
export type IpvsTable = Map<string, KernelVirtualServer>;

const PROTOCOLS: Record<string, Protocol> = { '-t': 'TCP', '--tcp-service': 'TCP', '-u': 'UDP', '--udp-service': 'UDP', '--sctp-service': 'SCTP' };

/** "10.0.0.1:80" or "[fd00::1]:80" → [address, port]. */
export function splitHostPort(s: string): [string, number] {
  const m = /^\[(.+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  if (!m || m[1] === undefined || m[2] === undefined) throw new Error(`ipvsadm output: cannot parse address ${JSON.stringify(s)}`);
  return [canonicalIP(m[1]), Number(m[2])];
}

export function parseIpvsadmSave(text: string): IpvsTable {
  const table: IpvsTable = new Map();
  for (const line of text.split('\n')) {
    const t = line.trim().split(/\s+/);
    const protocol = PROTOCOLS[t[1] ?? ''];
    if (!protocol || t[2] === undefined) continue;
    const [address, port] = splitHostPort(t[2]);
    const key = virtualServerKey({ protocol, address, port });
    const opt = (flag: string) => {
      const i = t.indexOf(flag);
      return i >= 0 ? t[i + 1] : undefined;
    };
    if (t[0] === '-A') {
      table.set(key, {
        protocol, address, port,
        scheduler: opt('-s') ?? 'wlc',
        persistence: Number(opt('-p') ?? 0),
        schedulerFlags: (opt('-b') ?? '').split(',').filter(Boolean),
        realServers: new Map(),
      });
    } else if (t[0] === '-a') {
      const r = opt('-r');
      const vs = table.get(key);
      if (!r || !vs) continue;
      const [rAddress, rPort] = splitHostPort(r);
      vs.realServers.set(realServerKey({ address: rAddress, port: rPort }), { address: rAddress, port: rPort, weight: Number(opt('-w') ?? 1) });
    }
  }
  return table;
}

/** Active + inactive connections per "vsKey rsKey", from `ipvsadm -Ln`. */
export function parseConnectionCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  let service: string | undefined;
  for (const line of text.split('\n')) {
    const svc = /^(TCP|UDP|SCTP)\s+(\S+)/.exec(line);
    if (svc?.[1] && svc[2]) {
      const [address, port] = splitHostPort(svc[2]);
      service = virtualServerKey({ protocol: svc[1] as Protocol, address, port });
      continue;
    }
    const rs = /^\s+->\s+(\S+)\s+\S+\s+(\d+)\s+(\d+)\s+(\d+)/.exec(line);
    if (rs?.[1] && service && /\d/.test(rs[1])) {
      const [address, port] = splitHostPort(rs[1]);
      counts.set(`${service} ${realServerKey({ address, port })}`, Number(rs[3]) + Number(rs[4]));
    }
  }
  return counts;
}

/** The table a program's virtual servers would leave (for remembering what was committed). */
export function tableOf(servers: readonly VirtualServer[]): IpvsTable {
  const table: IpvsTable = new Map();
  for (const vs of servers) {
    const realServers = new Map<string, KernelRealServer>();
    for (const rs of vs.realServers) realServers.set(realServerKey(rs), { ...rs });
    table.set(virtualServerKey(vs), {
      protocol: vs.protocol, address: vs.address, port: vs.port, scheduler: vs.scheduler,
      persistence: vs.persistence, schedulerFlags: [...vs.schedulerFlags], realServers,
    });
  }
  return table;
}
