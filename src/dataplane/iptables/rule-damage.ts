// What a full sync checks before rewriting, when the last program is known to be in force: does the
// kernel still hold it? Our jump rules in the built-in chains, and the rule count of every top-level chain
// (KUBE-SERVICES, KUBE-NODEPORTS, ... in nat and filter) against what the last restore declaring it wrote.
// A flushed chain or table shows up here; the full sync rewrites it anyway, this is what gets it logged and
// counted (RepairReporter). Per-service chains are rewritten by every full sync without being read.

import { naming, type RuleDamage } from '../rule-repairs.js';
import type { TableExtras, TableState } from './full-sync-extras.js';
import type { TableProgram } from '../../netfilter/restore-writer.js';
import { TOP_LEVEL_CHAINS } from './static-structure.js';

/** Rules per top-level chain this restore declares (and so rewrites); chains it does not declare stay as they were. */
export function topLevelRuleCounts(t: TableProgram, into: Map<string, number>): void {
  const top = new Set(TOP_LEVEL_CHAINS[t.table]);
  const declared = t.chains.filter((c) => top.has(c));
  if (declared.length === 0) return;
  for (const c of declared) into.set(c, 0);
  for (const line of t.rules) {
    const end = line.indexOf(' ', 3);
    const chain = line.slice(3, end < 0 ? line.length : end);
    const n = into.get(chain);
    if (n !== undefined && top.has(chain)) into.set(chain, n + 1);
  }
}

/** Damage found in one table: jumps the full sync must re-insert, top-level chains holding fewer rules. */
export function tableDamage(table: string, expected: ReadonlyMap<string, number>, state: TableState, extras: TableExtras): RuleDamage[] {
  const out: RuleDamage[] = [];
  if (extras.rules.length > 0) {
    const jumps = extras.rules.map((r) => r.replace(/^-I (\S+) 1 .*-j (\S+)$/, '$1 -> $2'));
    out.push({ reason: 'missing-jump', detail: naming(`${table} missing jumps`, jumps) });
  }
  const short: string[] = [];
  for (const [chain, want] of expected) {
    const have = state.rules.get(chain)?.length ?? 0;
    if (have < want) short.push(`${chain} (${have} of ${want})`);
  }
  if (short.length > 0) out.push({ reason: 'missing-rules', detail: naming(`${table} chains missing rules`, short) });
  return out;
}
