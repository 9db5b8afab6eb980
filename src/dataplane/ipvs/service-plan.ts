// One service port → its virtual servers, ipset members and kube-ipvs0 addresses, per upstream's IPVS
// proxier: a virtual server on the ClusterIP, on each ExternalIP and VIP-mode LB IP, and on every NodePort
// address; real servers from the endpoints the traffic policy allows.

import type { Endpoint, IPFamily, ServicePort } from '../../model/types.js';
import { resolveScheduler, schedulerWarning } from '../../schedulers/scheduler-table.js';
import type { IpsetId } from './ipset-table.js';
import { canonicalIP, type RealServer, type VirtualServer } from './program.js';
import { cidrContains } from '../../model/cidr-contains.js';

export interface FamilyPlanContext {
  readonly family: IPFamily;
  /** Addresses NodePort virtual servers are created on. */
  readonly nodePortIPs: readonly string[];
  /** Every local address except those on kube-ipvs0: an External/LB IP among them is not bound to kube-ipvs0. */
  readonly nodeAddresses: ReadonlySet<string>;
  /** This family's node IP: an LB source range containing it also admits the node itself. */
  readonly nodeIP: string | undefined;
  readonly warn: (message: string) => void;
}

/** What the service ports of one family add up to. */
export class FamilyPlan {
  readonly virtualServers: VirtualServer[] = [];
  readonly members = new Map<IpsetId, Set<string>>();
  readonly bound = new Set<string>();
  /** LB IP, protocol, port of LBs whose source ranges exclude the node: KUBE-IPVS-OUT-FILTER drops them. */
  readonly lbNoNodeAccess: { ip: string; protocol: string; port: number }[] = [];

  constructor(readonly ctx: FamilyPlanContext) {}

  member(id: IpsetId, entry: string): void {
    let set = this.members.get(id);
    if (!set) this.members.set(id, (set = new Set()));
    set.add(entry);
  }

  add(sp: ServicePort): void {
    const proto = sp.protocol.toLowerCase();
    const ipPort = (ip: string, port = sp.port) => `${canonicalIP(ip)},${proto}:${port}`;
    for (const ep of sp.endpoints) if (ep.isLocal) this.member('loopBack', `${ipPort(ep.ip, ep.port)},${canonicalIP(ep.ip)}`);

    this.member('clusterIP', ipPort(sp.clusterIP));
    this.virtual(sp, sp.clusterIP, sp.port, endpointsFor(sp, sp.internalPolicyLocal));
    this.bound.add(canonicalIP(sp.clusterIP));

    const external = endpointsFor(sp, sp.externalPolicyLocal);
    for (const ip of sp.externalIPs) {
      this.member(sp.externalPolicyLocal ? 'externalIPLocal' : 'externalIP', ipPort(ip));
      this.virtual(sp, ip, sp.port, external);
      this.bindUnlessNodeAddress(ip);
    }
    for (const lb of sp.loadBalancerIPs) {
      if (lb.ipMode === 'Proxy') continue; // the load balancer delivers to the node itself
      this.member('loadBalancer', ipPort(lb.ip));
      if (sp.externalPolicyLocal) this.member('loadBalancerLocal', ipPort(lb.ip));
      if (sp.loadBalancerSourceRanges.length > 0) this.sourceRanges(sp, lb.ip, ipPort(lb.ip));
      this.virtual(sp, lb.ip, sp.port, external);
      this.bindUnlessNodeAddress(lb.ip);
    }
    if (sp.nodePort !== 0 && this.ctx.nodePortIPs.length > 0) this.nodePort(sp, external);
    if (sp.healthCheckNodePort !== 0) this.member('healthCheckNodePort', String(sp.healthCheckNodePort));
  }

  private nodePort(sp: ServicePort, endpoints: readonly Endpoint[]): void {
    // bitmap:port sets hold ports only; SCTP has no bitmap match upstream and uses ip,port pairs instead.
    const entries =
      sp.protocol === 'SCTP' ? this.ctx.nodePortIPs.map((ip) => `${canonicalIP(ip)},sctp:${sp.nodePort}`) : [String(sp.nodePort)];
    const [all, local] = ({ TCP: ['nodePortTCP', 'nodePortLocalTCP'], UDP: ['nodePortUDP', 'nodePortLocalUDP'], SCTP: ['nodePortSCTP', 'nodePortLocalSCTP'] } as const)[sp.protocol];
    for (const e of entries) {
      this.member(all, e);
      if (sp.externalPolicyLocal) this.member(local, e);
    }
    for (const ip of this.ctx.nodePortIPs) this.virtual(sp, ip, sp.nodePort, endpoints);
  }

  private sourceRanges(sp: ServicePort, lbIP: string, entry: string): void {
    this.member('loadBalancerFW', entry);
    const nodeIP = this.ctx.nodeIP;
    let allowFromNode = false;
    for (const cidr of sp.loadBalancerSourceRanges) {
      this.member('loadBalancerSourceCIDR', `${entry},${cidr}`);
      if (nodeIP && cidrContains(cidr, nodeIP)) allowFromNode = true;
    }
    // The node reaches an LB IP with the LB IP as source (it is local on kube-ipvs0): admit that when a
    // range covers the node, otherwise the node must not get in through the back door.
    if (allowFromNode) this.member('loadBalancerSourceIP', `${entry},${canonicalIP(lbIP)}`);
    else this.lbNoNodeAccess.push({ ip: canonicalIP(lbIP), protocol: sp.protocol.toLowerCase(), port: sp.port });
  }

  private bindUnlessNodeAddress(ip: string): void {
    const c = canonicalIP(ip);
    if (!this.ctx.nodeAddresses.has(c)) this.bound.add(c);
  }

  private virtual(sp: ServicePort, address: string, port: number, endpoints: readonly Endpoint[]): void {
    // The kernel scheduler and its flags are the scheduler table's IPVS column.
    const choice = resolveScheduler('ipvs', sp.scheduler);
    const warning = schedulerWarning('ipvs', sp.key, choice);
    if (warning) this.ctx.warn(warning);
    const realServers: RealServer[] = dedupe(endpoints).map((e) => ({ address: canonicalIP(e.ip), port: e.port, weight: 1 }));
    this.virtualServers.push({
      protocol: sp.protocol,
      address: canonicalIP(address),
      port,
      scheduler: choice.meaning.runs,
      persistence: sp.sessionAffinity.type === 'ClientIP' ? sp.sessionAffinity.timeoutSeconds : 0,
      schedulerFlags: [...(choice.meaning.flags ?? [])],
      realServers,
      service: sp.key,
    });
  }
}

/**
 * Upstream's syncEndpoint: under a Local policy the local endpoints, or (none here) the cluster ones, so
 * pods on this node still reach the Service; otherwise the cluster endpoints, which are empty when no
 * traffic uses them (internal Local without a Cluster external policy).
 */
export function endpointsFor(sp: ServicePort, policyLocal: boolean): readonly Endpoint[] {
  const externallyAccessible = sp.nodePort !== 0 || sp.externalIPs.length > 0 || sp.loadBalancerIPs.length > 0;
  const usesCluster = !sp.internalPolicyLocal || (externallyAccessible && !sp.externalPolicyLocal);
  const cluster = usesCluster ? sp.selection.cluster : [];
  if (policyLocal && sp.selection.local.length > 0) return sp.selection.local;
  return cluster;
}

function dedupe(endpoints: readonly Endpoint[]): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const e of endpoints) seen.set(`${canonicalIP(e.ip)}|${e.port}`, e);
  return [...seen.values()];
}

