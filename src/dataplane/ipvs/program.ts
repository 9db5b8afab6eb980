// The IPVS mode's program: everything one sync wants the kernel to hold, as plain data. The renderer builds
// it from a Snapshot without touching the system; the executor diffs it against the kernel and applies the
// difference; `kproxy render` prints it (ipvsadm -Sn, ipset save and iptables-save formats).

import { hostPort } from '../../model/host-port.js';
import { canonicalIP } from '../../model/service-filter.js';
import type { IPFamily, Protocol } from '../../model/types.js';
import type { JumpRule } from '../../netfilter/jump-rules.js';

export interface RealServer {
  readonly address: string;
  readonly port: number;
  /** 1 for an endpoint in use; the executor sets 0 while a removed one drains (never the renderer). */
  readonly weight: number;
}

export interface VirtualServer {
  readonly protocol: Protocol;
  readonly address: string;
  readonly port: number;
  readonly scheduler: string;
  /** ClientIP affinity: persistence timeout in seconds; 0 = not persistent. */
  readonly persistence: number;
  /** Scheduler flags as ipvsadm spells them (-b), e.g. mh-port for the mh scheduler, as upstream sets. */
  readonly schedulerFlags: readonly string[];
  readonly realServers: readonly RealServer[];
  /** The service port this virtual server serves ("ns/name:port"), for logs. */
  readonly service: string;
}

export type IpsetType = 'hash:ip' | 'hash:ip,port' | 'hash:ip,port,ip' | 'hash:ip,port,net' | 'bitmap:port';

export interface IpsetContent {
  /** The kernel name (KUBE-6-... for IPv6). */
  readonly name: string;
  readonly type: IpsetType;
  readonly family: IPFamily;
  /** Members in `ipset save` spelling (10.96.0.1,tcp:80), sorted. */
  readonly members: readonly string[];
}

export interface FamilyIpvsProgram {
  readonly family: IPFamily;
  readonly virtualServers: readonly VirtualServer[];
  readonly ipsets: readonly IpsetContent[];
  /** Addresses to hold on kube-ipvs0: ClusterIPs, and External/LB IPs that are not node addresses. */
  readonly boundAddresses: readonly string[];
  /** iptables-restore --noflush input for the nat and filter tables (kproxy's chains only). */
  readonly nat: string;
  readonly filter: string;
  /** Jumps from built-in chains into kproxy's, inserted first when missing, as upstream. */
  readonly jumps: readonly JumpRule[];
}

export interface IpvsProgram {
  readonly families: readonly FamilyIpvsProgram[];
  readonly full: boolean;
  /** Things rendered differently from what was asked (an unknown scheduler, ...). */
  readonly warnings: readonly string[];
}

/** One spelling per address (IPv6 compressed, lower case) so kernel listings and the program compare. */
export { canonicalIP };


/** Identity of a virtual server in the kernel: protocol, address, port. */
export function virtualServerKey(vs: Pick<VirtualServer, 'protocol' | 'address' | 'port'>): string {
  return `${vs.protocol}/${hostPort(canonicalIP(vs.address), vs.port)}`;
}

export function realServerKey(rs: Pick<RealServer, 'address' | 'port'>): string {
  return hostPort(canonicalIP(rs.address), rs.port);
}
