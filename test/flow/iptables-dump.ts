// The node's iptables state in a form two proxies can be compared in: the filter and nat tables of both
// families, counters dropped, chain declarations and chains sorted (rule order inside a chain kept: it is
// behaviour, except between Services in the chains all Services share, where upstream's order is a Go map's
// and so random), and what the API server chose rather than the proxy (health-check node ports) replaced by a
// placeholder. One line per rule, prefixed with its family and table so a diff says where it is.

import { normalizeRestore } from '../iptables/normalize.js';
import type { Lab } from '../../src/lab/node-lab.js';

const TABLES = ['filter', 'nat'] as const;
const SAVERS = [['ipv4', 'iptables-save'], ['ipv6', 'ip6tables-save']] as const;

/** One table's iptables-save text, normalised, as prefixed lines. */
export function normaliseTable(family: string, table: string, saved: string): string[] {
  const text = saved
    .replace(/\[\d+:\d+\]/g, '[0:0]')
    // The apiserver allocates healthCheckNodePort at random each time a Service is created.
    .replace(/^(-A .*health check node port.*--dport )\d+/gm, '$1HCNP');
  const lines = normalizeRestore(text)
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('*') && l !== 'COMMIT');
  return servicesInKeyOrder(lines).map((l) => `${family} ${table} ${l}`);
}

/** The chains every Service writes into; upstream fills them walking a Go map, so in no fixed Service order. */
const SHARED_CHAINS = new Set(['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-EXTERNAL-SERVICES', 'KUBE-PROXY-FIREWALL']);
/** The Service port a rule is for: its comment starts with "namespace/name" or "namespace/name:port". */
const SERVICE_COMMENT = /--comment "?([\w.-]+\/[\w.-]+(?::[\w.-]+)?)/;

/**
 * In the shared chains, the rules of different Service ports sorted by Service port, each port's own rules
 * in their order, into the slots Service rules had: rules for no Service (the NodePorts jump that must come
 * last) stay where they are, so a misplaced one still shows.
 */
function servicesInKeyOrder(lines: readonly string[]): string[] {
  const out = [...lines];
  const byChain = new Map<string, number[]>();
  lines.forEach((l, i) => {
    const chain = l.startsWith('-A ') ? l.split(' ')[1] : undefined;
    if (chain && SHARED_CHAINS.has(chain) && SERVICE_COMMENT.test(l)) byChain.set(chain, [...(byChain.get(chain) ?? []), i]);
  });
  for (const slots of byChain.values()) {
    const key = (i: number) => SERVICE_COMMENT.exec(lines[i]!)?.[1] ?? '';
    const sorted = [...slots].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a - b));
    slots.forEach((slot, k) => (out[slot] = lines[sorted[k]!]!));
  }
  return out;
}

/** The node's filter and nat tables of both families, normalised. */
export async function dumpIptables(lab: Lab): Promise<string[]> {
  const lines: string[] = [];
  for (const [family, saver] of SAVERS) {
    for (const table of TABLES) {
      const { stdout } = await lab.exec('node', saver, ['-t', table]);
      lines.push(...normaliseTable(family, table, stdout));
    }
  }
  return lines;
}
