// The difference between the virtual servers a program wants and what the kernel holds, as `ipvsadm
// --restore` lines. Only kproxy's own virtual servers are ever edited or deleted. A real server that goes
// away drains (weight 0) over TCP, so established connections finish while new ones avoid it; over UDP and
// SCTP, or when it has no connections, it is deleted at once (with expire_nodest_conn the kernel then
// drops its flows), as upstream does.

import { realServerArgs, serviceArgs, serviceOptions } from './format.js';
import type { IpvsTable, KernelVirtualServer } from './ipvsadm-state.js';
import { realServerKey, virtualServerKey, type RealServer, type VirtualServer } from './program.js';

export interface DrainingRealServer {
  readonly vs: VirtualServer;
  readonly rs: RealServer;
}

export interface IpvsDiff {
  /** ipvsadm --restore input; empty when nothing changes. */
  readonly commands: readonly string[];
  /** Real servers now draining (weight 0), by "vsKey rsKey". */
  readonly draining: ReadonlyMap<string, DrainingRealServer>;
  /** Keys of real servers that were draining and are wanted again (weight restored). */
  readonly restored: readonly string[];
}

export interface DiffOptions {
  /** Is this kernel virtual server kproxy's to change or delete? */
  readonly owns: (vs: KernelVirtualServer, key: string) => boolean;
  /** Real servers already draining ("vsKey rsKey"): leave them alone. */
  readonly draining: ReadonlySet<string>;
  /**
   * TCP real servers ("vsKey rsKey") known to have no connections: when they go they are deleted at once
   * instead of draining, as upstream's graceful termination does for idle real servers.
   */
  readonly idle?: ReadonlySet<string>;
}

export function diffIpvs(want: readonly VirtualServer[], current: IpvsTable, o: DiffOptions): IpvsDiff {
  const adds: string[] = [];
  const edits: string[] = [];
  const deletes: string[] = [];
  const draining = new Map<string, DrainingRealServer>();
  const restored: string[] = [];
  const wanted = new Set<string>();
  for (const vs of want) {
    const key = virtualServerKey(vs);
    wanted.add(key);
    const have = current.get(key);
    if (!have) {
      adds.push(line('-A', serviceArgs(vs), serviceOptions(vs)));
      for (const rs of vs.realServers) adds.push(line('-a', realServerArgs(vs, rs)));
      continue;
    }
    if (!sameService(vs, have)) edits.push(line('-E', serviceArgs(vs), serviceOptions(vs)));
    const wantedRS = new Set<string>();
    for (const rs of vs.realServers) {
      const rk = realServerKey(rs);
      wantedRS.add(rk);
      const cur = have.realServers.get(rk);
      if (!cur) adds.push(line('-a', realServerArgs(vs, rs)));
      else if (cur.weight !== rs.weight) {
        edits.push(line('-e', realServerArgs(vs, rs)));
        if (o.draining.has(`${key} ${rk}`)) restored.push(`${key} ${rk}`);
      }
    }
    for (const [rk, cur] of have.realServers) {
      if (wantedRS.has(rk) || o.draining.has(`${key} ${rk}`)) continue;
      const rs: RealServer = { address: cur.address, port: cur.port, weight: 0 };
      if (vs.protocol === 'TCP' && !o.idle?.has(`${key} ${rk}`)) {
        if (cur.weight !== 0) edits.push(line('-e', realServerArgs(vs, rs)));
        draining.set(`${key} ${rk}`, { vs, rs });
      } else {
        deletes.push(line('-d', serviceArgs(vs), ['-r', rk]));
      }
    }
  }
  for (const [key, have] of current) {
    if (!wanted.has(key) && o.owns(have, key)) deletes.push(line('-D', serviceArgs(have)));
  }
  return { commands: [...adds, ...edits, ...deletes], draining, restored };
}

function sameService(vs: VirtualServer, have: KernelVirtualServer): boolean {
  return (
    vs.scheduler === have.scheduler &&
    vs.persistence === have.persistence &&
    [...vs.schedulerFlags].sort().join(',') === [...have.schedulerFlags].sort().join(',')
  );
}

function line(op: string, ...parts: readonly (readonly string[])[]): string {
  return [op, ...parts.flat()].join(' ');
}
