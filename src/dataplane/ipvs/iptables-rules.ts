// The iptables rules that go with IPVS (upstream's writeIptablesRules): IPVS does the load balancing, but
// masquerading, NodePort marking, the LB source-range firewall and the VIP filters are netfilter's job.
// Rules that match an ipset are only written when that set has members, as upstream does. The static part
// (chains, jumps) is data; see README.md for the graph. Masquerade and forward rules, the restore writer
// and the chain names are the netfilter toolkit's (src/netfilter), shared with the iptables mode.

import {
  KUBE_FORWARD,
  KUBE_IPVS_FILTER,
  KUBE_IPVS_OUT_FILTER,
  KUBE_LOAD_BALANCER,
  KUBE_MARK_MASQ,
  KUBE_NODE_PORT,
  KUBE_POSTROUTING,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
  KUBE_SOURCE_RANGES_FIREWALL,
} from '../../netfilter/chain-names.js';
import type { JumpRule } from '../../netfilter/jump-rules.js';
import type { LocalTrafficMatch } from '../../netfilter/local-match.js';
import { writeForwardRules, writeMasqueradeRules } from '../../netfilter/masquerade.js';
import { comment, tableRestoreText, TableWriter } from '../../netfilter/restore-writer.js';
import { IPSET, ipsetName, type IpsetId } from './ipset-table.js';
import type { FamilyPlan } from './service-plan.js';

export const NAT_CHAINS = [KUBE_SERVICES, KUBE_POSTROUTING, KUBE_NODE_PORT, KUBE_LOAD_BALANCER, KUBE_MARK_MASQ];
export const FILTER_CHAINS = [
  KUBE_FORWARD, KUBE_NODE_PORT, KUBE_PROXY_FIREWALL, KUBE_SOURCE_RANGES_FIREWALL, KUBE_IPVS_FILTER, KUBE_IPVS_OUT_FILTER,
];

export const JUMPS: readonly JumpRule[] = [
  { table: 'nat', from: 'OUTPUT', to: KUBE_SERVICES, comment: 'kubernetes service portals' },
  { table: 'nat', from: 'PREROUTING', to: KUBE_SERVICES, comment: 'kubernetes service portals' },
  { table: 'nat', from: 'POSTROUTING', to: KUBE_POSTROUTING, comment: 'kubernetes postrouting rules' },
  { table: 'filter', from: 'FORWARD', to: KUBE_FORWARD, comment: 'kubernetes forwarding rules' },
  { table: 'filter', from: 'INPUT', to: KUBE_NODE_PORT, comment: 'kubernetes health check rules' },
  { table: 'filter', from: 'INPUT', to: KUBE_PROXY_FIREWALL, comment: 'kube-proxy firewall rules' },
  { table: 'filter', from: 'FORWARD', to: KUBE_PROXY_FIREWALL, comment: 'kube-proxy firewall rules' },
  { table: 'filter', from: 'INPUT', to: KUBE_IPVS_FILTER, comment: 'kubernetes ipvs access filter' },
  { table: 'filter', from: 'OUTPUT', to: KUBE_IPVS_OUT_FILTER, comment: 'kubernetes ipvs access filter' },
];

/** Sets whose members send traffic somewhere: [set, table, chain, match, target, protocol]. Order matters. */
const SET_RULES: readonly (readonly [IpsetId, 'nat' | 'filter', string, string, string, string?])[] = [
  ['loopBack', 'nat', KUBE_POSTROUTING, 'dst,dst,src', 'MASQUERADE'],
  ['loadBalancer', 'nat', KUBE_SERVICES, 'dst,dst', KUBE_LOAD_BALANCER],
  ['loadBalancerLocal', 'nat', KUBE_LOAD_BALANCER, 'dst,dst', 'RETURN'],
  // The Local set must come first: a NodePort with policy Local keeps its source.
  ['nodePortLocalTCP', 'nat', KUBE_NODE_PORT, 'dst', 'RETURN', 'tcp'],
  ['nodePortTCP', 'nat', KUBE_NODE_PORT, 'dst', KUBE_MARK_MASQ, 'tcp'],
  ['nodePortLocalUDP', 'nat', KUBE_NODE_PORT, 'dst', 'RETURN', 'udp'],
  ['nodePortUDP', 'nat', KUBE_NODE_PORT, 'dst', KUBE_MARK_MASQ, 'udp'],
  ['nodePortLocalSCTP', 'nat', KUBE_NODE_PORT, 'dst,dst', 'RETURN', 'sctp'],
  ['nodePortSCTP', 'nat', KUBE_NODE_PORT, 'dst,dst', KUBE_MARK_MASQ, 'sctp'],
  ['loadBalancerFW', 'filter', KUBE_PROXY_FIREWALL, 'dst,dst', KUBE_SOURCE_RANGES_FIREWALL],
  ['loadBalancerSourceCIDR', 'filter', KUBE_SOURCE_RANGES_FIREWALL, 'dst,dst,src', 'RETURN'],
  ['loadBalancerSourceIP', 'filter', KUBE_SOURCE_RANGES_FIREWALL, 'dst,dst,src', 'RETURN'],
];

export interface RuleOptions {
  /** e.g. 0x00004000 */
  readonly masqueradeMark: string;
  readonly masqueradeAll: boolean;
  readonly local: LocalTrafficMatch | undefined;
  readonly randomFully: boolean;
}

export function renderRules(plan: FamilyPlan, o: RuleOptions): { nat: string; filter: string } {
  const family = plan.ctx.family;
  const name = (id: IpsetId) => ipsetName(id, family);
  const has = (id: IpsetId) => (plan.members.get(id)?.size ?? 0) > 0;
  const setMatch = (id: IpsetId, match: string) => [...comment(IPSET[id].comment), '-m', 'set', '--match-set', name(id), match];
  const nat = new TableWriter('nat');
  const filter = new TableWriter('filter');
  for (const c of NAT_CHAINS) nat.declare(c);
  for (const c of FILTER_CHAINS) filter.declare(c);

  nat.append(KUBE_SERVICES, '-s', family === 'IPv6' ? '::1/128' : '127.0.0.0/8', '-j', 'RETURN');
  for (const [id, table, chain, match, target, proto] of SET_RULES) {
    if (!has(id)) continue;
    (table === 'nat' ? nat : filter).append(chain, proto ? ['-p', proto] : [], setMatch(id, match), '-j', target);
  }
  if (has('clusterIP')) {
    if (o.masqueradeAll) nat.append(KUBE_SERVICES, setMatch('clusterIP', 'dst,dst'), '-j', KUBE_MARK_MASQ);
    else if (o.local) nat.append(KUBE_SERVICES, setMatch('clusterIP', 'dst,dst'), o.local.ifNotLocal, '-j', KUBE_MARK_MASQ);
    // Without a way to tell pods apart, masquerade what the node itself sends from a VIP (kube-ipvs0 makes
    // the VIP the preferred source for a VIP destination).
    else nat.append(KUBE_SERVICES, setMatch('clusterIP', 'src,dst'), '-j', KUBE_MARK_MASQ);
  }
  for (const id of ['externalIP', 'externalIPLocal'] as const) {
    if (!has(id)) continue;
    const match = setMatch(id, 'dst,dst');
    if (id === 'externalIP') nat.append(KUBE_SERVICES, match, '-j', KUBE_MARK_MASQ);
    // Off-machine traffic (not bridged from a pod, not from a local process) and traffic to a local
    // address are accepted here so nothing later in the chain rewrites it; IPVS takes it in INPUT.
    nat.append(KUBE_SERVICES, match, '-m', 'physdev', '!', '--physdev-is-in', '-m', 'addrtype', '!', '--src-type', 'LOCAL', '-j', 'ACCEPT');
    nat.append(KUBE_SERVICES, match, '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'ACCEPT');
  }
  nat.append(KUBE_SERVICES, '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', KUBE_NODE_PORT);
  nat.append(KUBE_LOAD_BALANCER, '-j', KUBE_MARK_MASQ);
  filter.append(KUBE_SOURCE_RANGES_FIREWALL, '-j', 'DROP');
  for (const e of plan.lbNoNodeAccess) {
    filter.append(KUBE_IPVS_OUT_FILTER, '-s', e.ip, '-m', 'ipvs', '--vaddr', e.ip, '--vproto', e.protocol, '--vport', String(e.port), '-j', 'DROP');
  }
  for (const id of ['clusterIP', 'loadBalancer'] as const) {
    if (has(id)) nat.append(KUBE_SERVICES, '-m', 'set', '--match-set', name(id), 'dst,dst', '-j', 'ACCEPT');
  }
  // Upstream's IPVS mode writes no INVALID drop in KUBE-FORWARD (its iptables mode does).
  writeForwardRules(filter, { mark: o.masqueradeMark, dropInvalid: false });
  filter.append(KUBE_NODE_PORT, setMatch('healthCheckNodePort', 'dst'), '-j', 'ACCEPT');
  writeIpvsFilterRules(filter, name);
  writeMasqueradeRules(nat, { mark: o.masqueradeMark, randomFully: o.randomFully });
  return { nat: tableRestoreText(nat.finish()), filter: tableRestoreText(filter.finish()) };
}

/**
 * Upstream issue 72236: every VIP is a local address on kube-ipvs0, so without this a host port (sshd,
 * kubelet) answers on any ClusterIP. Service ports are let through; any other new connection to an
 * address on kube-ipvs0 is rejected.
 */
function writeIpvsFilterRules(filter: TableWriter, name: (id: IpsetId) => string): void {
  for (const [id, match] of [['loadBalancer', 'dst,dst'], ['clusterIP', 'dst,dst'], ['externalIP', 'dst,dst'], ['externalIPLocal', 'dst,dst'], ['healthCheckNodePort', 'dst']] as const) {
    filter.append(KUBE_IPVS_FILTER, '-m', 'set', '--match-set', name(id), match, '-j', 'RETURN');
  }
  filter.append(KUBE_IPVS_FILTER, '-m', 'conntrack', '--ctstate', 'NEW', '-m', 'set', '--match-set', name('ipvsIPs'), 'dst', '-j', 'REJECT');
}
