// The iptables rules that go with IPVS (upstream's writeIptablesRules): IPVS does the load balancing, but
// masquerading, NodePort marking, the LB source-range firewall and the VIP filters are netfilter's job.
// Rules that match an ipset are only written when that set has members, as upstream does. The static part
// (chains, jumps) is data; see README.md for the graph.

import type { LocalTrafficMatch } from '../../netfilter/local-match.js';
import { IPSET, ipsetName, type IpsetId } from './ipset-table.js';
import type { FamilyPlan } from './service-plan.js';
import type { JumpRule } from './program.js';

export const NAT_CHAINS = ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODE-PORT', 'KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ'];
export const FILTER_CHAINS = [
  'KUBE-FORWARD', 'KUBE-NODE-PORT', 'KUBE-PROXY-FIREWALL', 'KUBE-SOURCE-RANGES-FIREWALL', 'KUBE-IPVS-FILTER', 'KUBE-IPVS-OUT-FILTER',
];

export const JUMPS: readonly JumpRule[] = [
  { table: 'nat', from: 'OUTPUT', to: 'KUBE-SERVICES', comment: 'kubernetes service portals' },
  { table: 'nat', from: 'PREROUTING', to: 'KUBE-SERVICES', comment: 'kubernetes service portals' },
  { table: 'nat', from: 'POSTROUTING', to: 'KUBE-POSTROUTING', comment: 'kubernetes postrouting rules' },
  { table: 'filter', from: 'FORWARD', to: 'KUBE-FORWARD', comment: 'kubernetes forwarding rules' },
  { table: 'filter', from: 'INPUT', to: 'KUBE-NODE-PORT', comment: 'kubernetes health check rules' },
  { table: 'filter', from: 'INPUT', to: 'KUBE-PROXY-FIREWALL', comment: 'kube-proxy firewall rules' },
  { table: 'filter', from: 'FORWARD', to: 'KUBE-PROXY-FIREWALL', comment: 'kube-proxy firewall rules' },
  { table: 'filter', from: 'INPUT', to: 'KUBE-IPVS-FILTER', comment: 'kubernetes ipvs access filter' },
  { table: 'filter', from: 'OUTPUT', to: 'KUBE-IPVS-OUT-FILTER', comment: 'kubernetes ipvs access filter' },
];

/** Sets whose members send traffic somewhere: [set, table, chain, match, target, protocol]. Order matters. */
const SET_RULES: readonly (readonly [IpsetId, 'nat' | 'filter', string, string, string, string?])[] = [
  ['loopBack', 'nat', 'KUBE-POSTROUTING', 'dst,dst,src', 'MASQUERADE'],
  ['loadBalancer', 'nat', 'KUBE-SERVICES', 'dst,dst', 'KUBE-LOAD-BALANCER'],
  ['loadBalancerLocal', 'nat', 'KUBE-LOAD-BALANCER', 'dst,dst', 'RETURN'],
  // The Local set must come first: a NodePort with policy Local keeps its source.
  ['nodePortLocalTCP', 'nat', 'KUBE-NODE-PORT', 'dst', 'RETURN', 'tcp'],
  ['nodePortTCP', 'nat', 'KUBE-NODE-PORT', 'dst', 'KUBE-MARK-MASQ', 'tcp'],
  ['nodePortLocalUDP', 'nat', 'KUBE-NODE-PORT', 'dst', 'RETURN', 'udp'],
  ['nodePortUDP', 'nat', 'KUBE-NODE-PORT', 'dst', 'KUBE-MARK-MASQ', 'udp'],
  ['nodePortLocalSCTP', 'nat', 'KUBE-NODE-PORT', 'dst,dst', 'RETURN', 'sctp'],
  ['nodePortSCTP', 'nat', 'KUBE-NODE-PORT', 'dst,dst', 'KUBE-MARK-MASQ', 'sctp'],
  ['loadBalancerFW', 'filter', 'KUBE-PROXY-FIREWALL', 'dst,dst', 'KUBE-SOURCE-RANGES-FIREWALL'],
  ['loadBalancerSourceCIDR', 'filter', 'KUBE-SOURCE-RANGES-FIREWALL', 'dst,dst,src', 'RETURN'],
  ['loadBalancerSourceIP', 'filter', 'KUBE-SOURCE-RANGES-FIREWALL', 'dst,dst,src', 'RETURN'],
];

export interface RuleOptions {
  /** e.g. 0x00004000 */
  readonly masqueradeMark: string;
  readonly masqueradeAll: boolean;
  readonly local: LocalTrafficMatch | undefined;
  readonly randomFully: boolean;
}

const q = (s: string) => `"${s}"`;

export function renderRules(plan: FamilyPlan, o: RuleOptions): { nat: string; filter: string } {
  const family = plan.ctx.family;
  const name = (id: IpsetId) => ipsetName(id, family);
  const has = (id: IpsetId) => (plan.members.get(id)?.size ?? 0) > 0;
  const setMatch = (id: IpsetId, match: string) => ['-m', 'comment', '--comment', q(IPSET[id].comment), '-m', 'set', '--match-set', name(id), match];
  const nat: string[][] = [];
  const filter: string[][] = [];

  nat.push(['-A', 'KUBE-SERVICES', '-s', family === 'IPv6' ? '::1/128' : '127.0.0.0/8', '-j', 'RETURN']);
  for (const [id, table, chain, match, target, proto] of SET_RULES) {
    if (!has(id)) continue;
    (table === 'nat' ? nat : filter).push(['-A', chain, ...(proto ? ['-p', proto] : []), ...setMatch(id, match), '-j', target]);
  }
  if (has('clusterIP')) {
    const base = ['-A', 'KUBE-SERVICES', ...setMatch('clusterIP', '')].slice(0, -1);
    if (o.masqueradeAll) nat.push([...base, 'dst,dst', '-j', 'KUBE-MARK-MASQ']);
    else if (o.local) nat.push([...base, 'dst,dst', ...o.local.ifNotLocal, '-j', 'KUBE-MARK-MASQ']);
    // Without a way to tell pods apart, masquerade what the node itself sends from a VIP (kube-ipvs0 makes
    // the VIP the preferred source for a VIP destination).
    else nat.push([...base, 'src,dst', '-j', 'KUBE-MARK-MASQ']);
  }
  for (const id of ['externalIP', 'externalIPLocal'] as const) {
    if (!has(id)) continue;
    const base = ['-A', 'KUBE-SERVICES', ...setMatch(id, 'dst,dst')];
    if (id === 'externalIP') nat.push([...base, '-j', 'KUBE-MARK-MASQ']);
    // Off-machine traffic (not bridged from a pod, not from a local process) and traffic to a local
    // address are accepted here so nothing later in the chain rewrites it; IPVS takes it in INPUT.
    nat.push([...base, '-m', 'physdev', '!', '--physdev-is-in', '-m', 'addrtype', '!', '--src-type', 'LOCAL', '-j', 'ACCEPT']);
    nat.push([...base, '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'ACCEPT']);
  }
  nat.push(['-A', 'KUBE-SERVICES', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'KUBE-NODE-PORT']);
  nat.push(['-A', 'KUBE-LOAD-BALANCER', '-j', 'KUBE-MARK-MASQ']);
  filter.push(['-A', 'KUBE-SOURCE-RANGES-FIREWALL', '-j', 'DROP']);
  for (const e of plan.lbNoNodeAccess) {
    filter.push(['-A', 'KUBE-IPVS-OUT-FILTER', '-s', e.ip, '-m', 'ipvs', '--vaddr', e.ip, '--vproto', e.protocol, '--vport', String(e.port), '-j', 'DROP']);
  }
  for (const id of ['clusterIP', 'loadBalancer'] as const) {
    if (has(id)) nat.push(['-A', 'KUBE-SERVICES', '-m', 'set', '--match-set', name(id), 'dst,dst', '-j', 'ACCEPT']);
  }
  const mark = `${o.masqueradeMark}/${o.masqueradeMark}`;
  filter.push(['-A', 'KUBE-FORWARD', '-m', 'comment', '--comment', q('kubernetes forwarding rules'), '-m', 'mark', '--mark', mark, '-j', 'ACCEPT']);
  filter.push(['-A', 'KUBE-FORWARD', '-m', 'comment', '--comment', q('kubernetes forwarding conntrack rule'), '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']);
  filter.push(['-A', 'KUBE-NODE-PORT', ...setMatch('healthCheckNodePort', 'dst'), '-j', 'ACCEPT']);
  filter.push(...ipvsFilterRules(name));
  nat.push(['-A', 'KUBE-POSTROUTING', '-m', 'mark', '!', '--mark', mark, '-j', 'RETURN']);
  // Clear the mark so a packet that crosses the stack again is not masqueraded twice.
  nat.push(['-A', 'KUBE-POSTROUTING', '-j', 'MARK', '--xor-mark', o.masqueradeMark]);
  nat.push(['-A', 'KUBE-POSTROUTING', '-m', 'comment', '--comment', q('kubernetes service traffic requiring SNAT'), '-j', 'MASQUERADE', ...(o.randomFully ? ['--random-fully'] : [])]);
  nat.push(['-A', 'KUBE-MARK-MASQ', '-j', 'MARK', '--or-mark', o.masqueradeMark]);
  return { nat: tableText('nat', NAT_CHAINS, nat), filter: tableText('filter', FILTER_CHAINS, filter) };
}

/**
 * Upstream issue 72236: every VIP is a local address on kube-ipvs0, so without this a host port (sshd,
 * kubelet) answers on any ClusterIP. Service ports are let through; any other new connection to an
 * address on kube-ipvs0 is rejected.
 */
function ipvsFilterRules(name: (id: IpsetId) => string): string[][] {
  const ret = (id: IpsetId, match: string) => ['-A', 'KUBE-IPVS-FILTER', '-m', 'set', '--match-set', name(id), match, '-j', 'RETURN'];
  return [
    ret('loadBalancer', 'dst,dst'),
    ret('clusterIP', 'dst,dst'),
    ret('externalIP', 'dst,dst'),
    ret('externalIPLocal', 'dst,dst'),
    ret('healthCheckNodePort', 'dst'),
    ['-A', 'KUBE-IPVS-FILTER', '-m', 'conntrack', '--ctstate', 'NEW', '-m', 'set', '--match-set', name('ipvsIPs'), 'dst', '-j', 'REJECT'],
  ];
}

function tableText(table: string, chains: readonly string[], rules: readonly string[][]): string {
  return [`*${table}`, ...chains.map((c) => `:${c} - [0:0]`), ...rules.map((r) => r.join(' ')), 'COMMIT', ''].join('\n');
}

/** The rule text of a jump, as iptables-save prints it (without -A CHAIN). */
export function jumpRuleSpec(j: JumpRule): string {
  return `-m comment --comment ${q(j.comment)} -j ${j.to}`;
}
