// Removing everything the iptables mode installs (kproxy's or a previous kube-proxy's: the names are the
// same): the jump rules from built-in chains, then the KUBE-* chains themselves, one atomic restore per
// table. KUBE-FIREWALL and KUBE-MARK-MASQ are kubelet's too; they stay when kubelet's marker chains show
// kubelet manages this node's iptables (removing them would open the localhost hole until it resyncs).

import { runTool, isToolMissing, type RunToolOptions } from '../../exec/run-tool.js';
import type { IPFamily } from '../../model/types.js';
import { toolsFor, type IptablesBackend } from '../../netfilter/backend.js';
import { KUBELET_CANARIES } from '../../netfilter/chain-names.js';
import { isServiceChainName } from './chain-names.js';
import { jumpTarget, parseIptablesSave, type SavedTables } from './save-parser.js';
import { OWNED_FIXED_CHAINS, SHARED_WITH_KUBELET } from './static-structure.js';

const TABLES = ['nat', 'filter', 'mangle'] as const;

/** The restore input removing our chains from each table, or nothing when there is nothing of ours. */
export function cleanupInputs(saved: SavedTables): Map<string, string> {
  const kubelet = [...saved.values()].some((t) => KUBELET_CANARIES.some((c) => t.chains.has(c)));
  const out = new Map<string, string>();
  for (const table of TABLES) {
    const t = saved.get(table);
    if (!t) continue;
    const shared: readonly string[] = table === 'mangle' ? [] : SHARED_WITH_KUBELET[table];
    const fixed = OWNED_FIXED_CHAINS[table].filter((c) => !kubelet || !shared.includes(c));
    if (!kubelet) fixed.push(...shared);
    const ours = [...t.chains].filter((c) => isServiceChainName(c) || fixed.includes(c)).sort();
    const mine = new Set(ours);
    const jumps: string[] = [];
    for (const [chain, specs] of t.rules) {
      if (mine.has(chain)) continue;
      for (const spec of specs) {
        const target = jumpTarget(spec);
        if (target && mine.has(target)) jumps.push(`-D ${chain} ${spec}`);
      }
    }
    if (ours.length === 0 && jumps.length === 0) continue;
    const lines = [`*${table}`, ...ours.map((c) => `:${c} - [0:0]`), ...jumps, ...ours.map((c) => `-X ${c}`), 'COMMIT', ''];
    out.set(table, lines.join('\n'));
  }
  return out;
}

/** Cleans one back end and family; a back end that is not installed (or not usable) is skipped. */
export async function cleanupBackend(
  backend: IptablesBackend,
  family: IPFamily,
  opts: RunToolOptions,
  waitArgs: readonly string[],
): Promise<string[]> {
  const tools = toolsFor(backend, family);
  let saved: SavedTables;
  try {
    saved = parseIptablesSave((await runTool(tools.save, [], opts)).stdout);
  } catch (err) {
    return isToolMissing(err) ? [] : [`${tools.save}: ${(err as Error).message}`];
  }
  const errors: string[] = [];
  for (const [table, input] of cleanupInputs(saved)) {
    try {
      await runTool(tools.restore, [...waitArgs, '--noflush'], { ...opts, stdin: input });
    } catch (err) {
      errors.push(`${tools.restore} (table ${table}): ${(err as Error).message}`);
    }
  }
  return errors;
}
