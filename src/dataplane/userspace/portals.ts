// Portals: listener addresses the machine does not own (ClusterIPs, most external and LB IPs) cannot be
// bound, so, like the legacy upstream userspace proxier, kproxy binds an ephemeral port on the wildcard
// address and redirects the service address there with nat rules. Reject/drop listeners on such addresses
// become filter rules. This file is the pure part: which addresses are local, and the iptables-restore
// text for a set of portals. portal-installer.ts applies it.
//
// Rule graph (per family, iptables / ip6tables):
//   nat    PREROUTING -> KPROXY-PORTALS-CONTAINER  traffic arriving from pods and other hosts; nat
//                                                   PREROUTING sees it before routing, so REDIRECT turns
//                                                   it local.
//   nat    OUTPUT     -> KPROXY-PORTALS-HOST       traffic from processes on the node itself, which never
//                                                   passes PREROUTING; the kernel re-routes after REDIRECT.
//   filter INPUT      -> KPROXY-PORTALS-FILTER     an address that became local after the sync (an
//                                                   external IP added to an interface) is delivered here.
//   filter FORWARD    -> KPROXY-PORTALS-FILTER     pods' and other hosts' packets to an address the node
//                                                   does not own are routed, so they pass FORWARD, not INPUT.
//   filter OUTPUT     -> KPROXY-PORTALS-FILTER     the node's own processes.

import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { IPFamily, ServicePortKey } from '../../model/types.js';
import { quoteComment } from '../../netfilter/restore-writer.js';
import { WILDCARD, type ListenerProtocol } from './listener-table.js';

export const CONTAINER_CHAIN = 'KPROXY-PORTALS-CONTAINER';
export const HOST_CHAIN = 'KPROXY-PORTALS-HOST';
export const FILTER_CHAIN = 'KPROXY-PORTALS-FILTER';

/** Every built-in chain that jumps to one of ours, by table. */
export const JUMPS: readonly { readonly table: 'nat' | 'filter'; readonly from: string; readonly to: string }[] = [
  { table: 'nat', from: 'PREROUTING', to: CONTAINER_CHAIN },
  { table: 'nat', from: 'OUTPUT', to: HOST_CHAIN },
  { table: 'filter', from: 'INPUT', to: FILTER_CHAIN },
  { table: 'filter', from: 'FORWARD', to: FILTER_CHAIN },
  { table: 'filter', from: 'OUTPUT', to: FILTER_CHAIN },
];

export interface PortalRule {
  readonly family: IPFamily;
  readonly protocol: ListenerProtocol;
  readonly address: string;
  readonly port: number;
  readonly servicePort: ServicePortKey;
  /** A port number: REDIRECT there (the proxy's ephemeral port); otherwise the filter verdict. */
  readonly target: number | 'REJECT' | 'DROP';
}

type Interfaces = ReturnType<typeof networkInterfaces>;

/** Whether this machine can bind `ip`: an interface address, the wildcard, or loopback (all of 127/8). */
export function isLocalAddress(ip: string, interfaces: Interfaces = networkInterfaces()): boolean {
  if (ip === WILDCARD.IPv4 || ip === WILDCARD.IPv6 || ip === '::1') return true;
  if (isIP(ip) === 4 && ip.startsWith('127.')) return true;
  const wanted = ip.toLowerCase();
  for (const addrs of Object.values(interfaces)) {
    for (const a of addrs ?? []) if (a.address.toLowerCase() === wanted) return true;
  }
  return false;
}

export function restoreCommand(family: IPFamily): string {
  return family === 'IPv4' ? 'iptables-restore' : 'ip6tables-restore';
}

export function saveCommand(family: IPFamily): string {
  return family === 'IPv4' ? 'iptables-save' : 'ip6tables-save';
}

/**
 * iptables-restore --noflush input replacing our three chains whole with `rules` (only those of `family`).
 * Declaring a chain under --noflush flushes it, so rules gone from `rules` disappear in the same
 * transaction. `missingJumps` adds jump rules the built-in chains lack (first sync, or after damage).
 */
export function renderPortalRestore(
  family: IPFamily,
  rules: readonly PortalRule[],
  missingJumps: readonly (typeof JUMPS)[number][] = [],
): string {
  const mine = rules.filter((r) => r.family === family).sort(comparePortalRules);
  const redirects = mine.filter((r) => typeof r.target === 'number');
  const verdicts = mine.filter((r) => typeof r.target !== 'number');
  const lines = ['*nat', `:${CONTAINER_CHAIN} - [0:0]`, `:${HOST_CHAIN} - [0:0]`];
  for (const chain of [CONTAINER_CHAIN, HOST_CHAIN]) {
    for (const r of redirects) lines.push(`-A ${chain} ${match(r)} -m comment --comment ${quoteComment(r.servicePort, true)} -j REDIRECT --to-ports ${r.target}`);
  }
  lines.push(...jumpLines('nat', missingJumps), 'COMMIT', '*filter', `:${FILTER_CHAIN} - [0:0]`);
  for (const r of verdicts) {
    const why = r.target === 'REJECT' ? 'has no endpoints' : 'has no local endpoints';
    lines.push(`-A ${FILTER_CHAIN} ${match(r)} -m comment --comment ${quoteComment(`${r.servicePort} ${why}`, true)} -j ${r.target}`);
  }
  lines.push(...jumpLines('filter', missingJumps), 'COMMIT');
  return lines.join('\n') + '\n';
}

function match(r: PortalRule): string {
  const proto = r.protocol.toLowerCase();
  return `-d ${r.address}/${r.family === 'IPv4' ? 32 : 128} -p ${proto} -m ${proto} --dport ${r.port}`;
}

function jumpLines(table: 'nat' | 'filter', jumps: readonly (typeof JUMPS)[number][]): string[] {
  // Inserted first so a host firewall's ACCEPT earlier in the chain cannot bypass the portals.
  return jumps.filter((j) => j.table === table).map((j) => `-I ${j.from} 1 -j ${j.to}`);
}

function comparePortalRules(a: PortalRule, b: PortalRule): number {
  return a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port || (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0);
}

/** Our jumps already present in an iptables-save dump (all tables). */
export function presentJumps(save: string): (typeof JUMPS)[number][] {
  const present: (typeof JUMPS)[number][] = [];
  for (const j of JUMPS) {
    const lines = tableLines(save, j.table);
    if (lines.some((l) => l.startsWith(`-A ${j.from} `) && l.endsWith(`-j ${j.to}`))) present.push(j);
  }
  return present;
}

/**
 * iptables-restore --noflush input removing every trace of the portals found in `save` (an iptables-save
 * dump): each jump to our chains is deleted by its exact saved spec, then the chains are flushed and
 * deleted. Undefined when nothing of ours is there, so cleanup on a clean machine runs no restore.
 */
export function renderPortalCleanup(save: string): string | undefined {
  const out: string[] = [];
  for (const table of ['nat', 'filter'] as const) {
    const lines = tableLines(save, table);
    const ours = [CONTAINER_CHAIN, HOST_CHAIN, FILTER_CHAIN].filter((c) => lines.includes(`:${c}`) || lines.some((l) => l.startsWith(`:${c} `)));
    const jumps = lines.filter((l) => l.startsWith('-A ') && ours.some((c) => l.endsWith(`-j ${c}`)) && !ours.some((c) => l.startsWith(`-A ${c} `)));
    if (ours.length === 0) continue;
    out.push(`*${table}`, ...jumps.map((l) => `-D${l.slice(2)}`));
    for (const c of ours) out.push(`:${c} - [0:0]`);
    for (const c of ours) out.push(`-X ${c}`);
    out.push('COMMIT');
  }
  return out.length > 0 ? out.join('\n') + '\n' : undefined;
}

function tableLines(save: string, table: string): string[] {
  const lines = save.split('\n').map((l) => l.trim());
  const start = lines.indexOf(`*${table}`);
  if (start < 0) return [];
  const end = lines.indexOf('COMMIT', start);
  return lines.slice(start + 1, end < 0 ? undefined : end);
}
