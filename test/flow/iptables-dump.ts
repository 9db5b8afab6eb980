// The node's iptables state in a form two proxies can be compared in: the filter and nat tables of both
// families, counters dropped, chain declarations and chains sorted (rule order inside a chain kept: it is
// behaviour), and what the API server chose rather than the proxy (health-check node ports) replaced by a
// placeholder. One line per rule, prefixed with its family and table so a diff says where it is.

import { normalizeRestore } from '../iptables/normalize.js';
import type { Lab } from './lab.js';

const TABLES = ['filter', 'nat'] as const;
const SAVERS = [['ipv4', 'iptables-save'], ['ipv6', 'ip6tables-save']] as const;

/** One table's iptables-save text, normalised, as prefixed lines. */
export function normaliseTable(family: string, table: string, saved: string): string[] {
  const text = saved
    .replace(/\[\d+:\d+\]/g, '[0:0]')
    // The apiserver allocates healthCheckNodePort at random each time a Service is created.
    .replace(/^(-A .*health check node port.*--dport )\d+/gm, '$1HCNP');
  return normalizeRestore(text)
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('*') && l !== 'COMMIT')
    .map((l) => `${family} ${table} ${l}`);
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
