// The part of the table that does not grow with the cluster: base chains (as a data table), the
// dispatch and check chains, and the declarations of every set and map. Services only ever add elements
// to these maps; see README.md for the rule graph and why each hook and priority.

import type { IPFamily } from '../../model/types.js';
import type { BaseHook, ChainDecl, NftFamily, SetDecl } from './program.js';
import { nftFamilyOf } from './program.js';

export const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;

// Rules that end a packet's way or rewrite its source carry a `counter` (constant text, so syncs never
// rewrite them): `kproxy explain --live` shows how many packets each one took. See README.md "Counters".
const TCP_RESET = 'meta l4proto tcp counter reject with tcp reset';

// Numeric priorities: nft only accepts the names "dstnat"/"srcnat" in some hooks (not forward/input).
const DSTNAT = -100;
const SRCNAT = 100;

interface BaseChainRow {
  readonly name: string;
  readonly hook: BaseHook;
  readonly jumps: readonly string[];
}

/**
 * Filter chains run 10 before DNAT, so they see the Service address a client used (firewall, no
 * endpoints); filter-output-post-dnat runs 10 after, so a ClusterIP still unchanged there had no
 * matching port. The nat chains sit at the standard dstnat/srcnat priorities.
 */
export const BASE_CHAINS: readonly BaseChainRow[] = [
  { name: 'filter-prerouting', hook: { type: 'filter', hook: 'prerouting', priority: `${DSTNAT - 10}` }, jumps: ['ct state new jump firewall-check'] },
  {
    name: 'filter-input',
    hook: { type: 'filter', hook: 'input', priority: `${DSTNAT - 10}` },
    jumps: ['ct state new jump nodeport-endpoints-check', 'ct state new jump service-endpoints-check'],
  },
  {
    name: 'filter-forward',
    hook: { type: 'filter', hook: 'forward', priority: `${DSTNAT - 10}` },
    jumps: ['ct state new jump service-endpoints-check', 'ct state new jump cluster-ips-check'],
  },
  {
    name: 'filter-output',
    hook: { type: 'filter', hook: 'output', priority: `${DSTNAT - 10}` },
    jumps: ['ct state new jump service-endpoints-check', 'ct state new jump firewall-check'],
  },
  { name: 'filter-output-post-dnat', hook: { type: 'filter', hook: 'output', priority: `${DSTNAT + 10}` }, jumps: ['ct state new jump cluster-ips-check'] },
  { name: 'nat-prerouting', hook: { type: 'nat', hook: 'prerouting', priority: `${DSTNAT}` }, jumps: ['jump services'] },
  { name: 'nat-output', hook: { type: 'nat', hook: 'output', priority: `${DSTNAT}` }, jumps: ['jump services'] },
  { name: 'nat-postrouting', hook: { type: 'nat', hook: 'postrouting', priority: `${SRCNAT}` }, jumps: ['jump masquerading'] },
];

/** "Is this packet from a pod of this node/cluster?" as nft matches (from --detect-local-mode). */
export interface LocalMatch {
  readonly ifLocal: string;
  readonly ifNotLocal: string;
}

export interface FixedOptions {
  readonly family: IPFamily;
  /** The masquerade mark, e.g. 0x00004000. */
  readonly mark: string;
  readonly masqueradeAll: boolean;
  readonly local: LocalMatch | undefined;
  /** NodePorts only on these addresses (--nodeport-addresses); undefined = every local address. */
  readonly nodePortIPs: readonly string[] | undefined;
}

/** Per family: the address keyword and the key expressions every map is looked up with. */
export function familyWords(family: IPFamily) {
  const x: NftFamily = nftFamilyOf(family);
  return {
    x,
    addr: family === 'IPv4' ? 'ipv4_addr' : 'ipv6_addr',
    ipKey: `${x} daddr . meta l4proto . th dport`,
    npKey: 'meta l4proto . th dport',
    /** Endpoint map keys (per protocol, so without it); the slot is appended. */
    ipEndpointKey: `${x} daddr . th dport`,
    npEndpointKey: 'th dport',
    noLocalhost: family === 'IPv4' ? 'ip daddr != 127.0.0.0/8' : 'ip6 daddr != ::1',
  };
}

export function fixedSets(o: FixedOptions): SetDecl[] {
  const { x, addr } = familyWords(o.family);
  const ipKeyType = `${addr} . inet_proto . inet_service`;
  const sets: SetDecl[] = [
    { kind: 'set', name: 'canary', spec: 'type mark;' },
    { kind: 'set', name: 'cluster-ips', spec: `type ${addr};` },
    { kind: 'map', name: 'service-ips', spec: `type ${ipKeyType} : verdict;` },
    { kind: 'map', name: 'service-nodeports', spec: 'type inet_proto . inet_service : verdict;' },
    { kind: 'map', name: 'no-endpoint-services', spec: `type ${ipKeyType} : verdict;` },
    { kind: 'map', name: 'no-endpoint-nodeports', spec: 'type inet_proto . inet_service : verdict;' },
    { kind: 'set', name: 'firewall-ips', spec: `type ${ipKeyType};` },
    { kind: 'set', name: 'firewall-allow', spec: `typeof ${x} daddr . meta l4proto . udp dport . ${x} saddr; flags interval;` },
    // Group chains for externalTrafficPolicy Local only; every other entry points straight at its group.
    { kind: 'map', name: 'pick-ip', spec: `type ${ipKeyType} : verdict;` },
    { kind: 'map', name: 'pick-ip-bypass', spec: `type ${ipKeyType} : verdict;` },
    { kind: 'map', name: 'pick-np', spec: 'type inet_proto . inet_service : verdict;' },
    { kind: 'map', name: 'pick-np-bypass', spec: 'type inet_proto . inet_service : verdict;' },
    // Endpoint maps: typeof, not type, so the slot is typed like numgen's result and `numgen ... mod n`
    // can be concatenated into the key. nft 1.0.6 quirks, measured: a typeof mixing `ip` with `th`
    // cannot be re-read from the kernel ("conflicting protocols"), so keys say `udp dport` (same data
    // type); and DNAT through a map only works for the protocol its value's typeof names, hence one
    // map per protocol, which also makes the protocol redundant in the key (fewer bytes per element:
    // nft's cost grows with the fields of the 150,000 endpoint elements of a large cluster).
    ...PROTOCOLS.flatMap((proto): SetDecl[] => [
      { kind: 'map', name: `endpoints-ip-${proto}`, spec: `typeof ${x} daddr . udp dport . numgen random mod 1 : ${x} daddr . ${proto} dport;` },
      { kind: 'map', name: `endpoints-np-${proto}`, spec: `typeof udp dport . numgen random mod 1 : ${x} daddr . ${proto} dport;` },
    ]),
    { kind: 'set', name: 'hairpin', spec: `type ${addr} . ${addr};` },
    {
      kind: 'set',
      name: 'affinity',
      spec: `typeof ${x} saddr . ${x} daddr . meta l4proto . udp dport . numgen random mod 1; size 1048576; flags dynamic,timeout; timeout 3h;`,
      dynamic: true,
    },
  ];
  if (o.nodePortIPs) sets.push({ kind: 'set', name: 'nodeport-ips', spec: `type ${addr};` });
  return sets;
}

/**
 * The masquerade decision a group chain makes before DNAT, by how the packet reached it: ClusterIPs mark
 * off-cluster sources (or everything with masqueradeAll), external entries under policy Cluster mark
 * everything; the Local-policy chains decide before their pick maps.
 */
export function masqueradeRules(o: Pick<FixedOptions, 'masqueradeAll' | 'local'>, entry: 'cluster' | 'external' | 'picked'): string[] {
  if (entry === 'external' || (entry === 'cluster' && o.masqueradeAll)) return ['jump mark-for-masquerade'];
  if (entry === 'cluster' && o.local) return [`${o.local.ifNotLocal} jump mark-for-masquerade`];
  return [];
}

export function fixedChains(o: FixedOptions): ChainDecl[] {
  const { x, ipKey, npKey, noLocalhost } = familyWords(o.family);
  const nodePortMatch = o.nodePortIPs ? `${x} daddr @nodeport-ips` : `fib daddr type local ${noLocalhost}`;
  const localPolicy = (bypass: string, key: string, pick: string): string[] => [
    // Pods and the node itself are not "external": they use every endpoint (upstream's short-circuit).
    ...(o.local ? [`${o.local.ifLocal} goto ${bypass}`] : []),
    'fib saddr type local jump mark-for-masquerade',
    `fib saddr type local goto ${bypass}`,
    `${key} vmap @${pick}`,
  ];
  const regular: ChainDecl[] = [
    { name: 'firewall-check', rules: [`${ipKey} @firewall-ips ${ipKey} . ${x} saddr != @firewall-allow counter drop`] },
    { name: 'service-endpoints-check', rules: [`${ipKey} vmap @no-endpoint-services`] },
    { name: 'nodeport-endpoints-check', rules: [`${nodePortMatch} ${npKey} vmap @no-endpoint-nodeports`] },
    // TCP gets a reset, other protocols ICMP port unreachable: ICMP errors are rate limited per
    // destination, so a SYN refused by ICMP may go unanswered (see noEndpointsTarget in the iptables mode).
    { name: 'cluster-ips-check', rules: [`${x} daddr @cluster-ips ${TCP_RESET}`, `${x} daddr @cluster-ips counter reject`] },
    { name: 'reject-chain', rules: [TCP_RESET, 'counter reject'] },
    { name: 'mark-for-masquerade', rules: [`counter meta mark set meta mark | ${o.mark}`] },
    {
      name: 'masquerading',
      rules: [
        // A pod that reached itself through a Service must be masqueraded or its reply skips the node.
        `ct status dnat ${x} saddr . ${x} daddr @hairpin counter masquerade fully-random`,
        `meta mark & ${o.mark} == 0 return`,
        `meta mark set meta mark ^ ${o.mark}`,
        'counter masquerade fully-random',
      ],
    },
    { name: 'external-ip-local', rules: localPolicy('external-ip-bypass', ipKey, 'pick-ip') },
    { name: 'external-ip-bypass', rules: [`${ipKey} vmap @pick-ip-bypass`] },
    { name: 'nodeport-local', rules: localPolicy('nodeport-bypass', npKey, 'pick-np') },
    { name: 'nodeport-bypass', rules: [`${npKey} vmap @pick-np-bypass`] },
    { name: 'services', rules: [`${ipKey} vmap @service-ips`, `${nodePortMatch} ${npKey} vmap @service-nodeports`] },
  ];
  // Regular chains first: base chains jump to them, so they must exist when the jump rules are added.
  const base = BASE_CHAINS.map((b) => ({ name: b.name, base: b.hook, rules: b.jumps }));
  return [...regular, ...base];
}
