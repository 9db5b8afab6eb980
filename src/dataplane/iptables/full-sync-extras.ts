// What a full sync adds to the rendered restore input after looking at the kernel (iptables-save):
// - jump rules missing from built-in chains (first start, or someone flushed them), inserted at the top
//   as upstream's EnsureRule(Prepend) does, with their target chain created if it does not exist;
// - per-service chains nobody uses any more (left by a failed partial sync, a restart, or kube-proxy),
//   declared and deleted.

import { isServiceChainName } from './chain-names.js';
import { jumpRuleSpec, type JumpRule } from '../../netfilter/jump-rules.js';
import type { TableName } from '../../netfilter/restore-writer.js';
import type { FamilyProgram } from './program.js';
import { jumpTarget } from './save-parser.js';
import { JUMP_RULES } from './static-structure.js';

/** What a full sync knows of a table: its chains and the rules of the built-in chains holding our jumps. */
export interface TableState {
  readonly chains: ReadonlySet<string>;
  readonly rules: ReadonlyMap<string, readonly string[]>;
}

export interface TableExtras {
  chains: string[];
  rules: string[];
  deleted: string[];
}

export function hasJump(saved: TableState | undefined, j: JumpRule): boolean {
  const specs = saved?.rules.get(j.from) ?? [];
  return specs.some((s) => jumpTarget(s) === j.to && (j.comment === '' ? s.trim() === `-j ${j.to}` : s.includes(j.comment)));
}

export function fullSyncExtras(program: FamilyProgram, table: TableName, saved: TableState | undefined): TableExtras {
  const declared = new Set(table === 'nat' ? program.nat.chains : program.filter.chains);
  const extras: TableExtras = { chains: [], rules: [], deleted: [] };
  for (const j of JUMP_RULES) {
    if (j.table !== table || hasJump(saved, j)) continue;
    if (!declared.has(j.to) && !saved?.chains.has(j.to)) {
      extras.chains.push(j.to);
      declared.add(j.to);
    }
    // Each insert goes to position 1, so the last missing jump in the table ends up first, as upstream.
    extras.rules.push(`-I ${j.from} 1 ${jumpRuleSpec(j)}`);
  }
  if (table === 'nat' && saved) {
    const alreadyDeleted = new Set(program.nat.deleted);
    for (const c of saved.chains) {
      if (isServiceChainName(c) && !program.activeServiceChains.has(c) && !alreadyDeleted.has(c)) extras.deleted.push(c);
    }
    extras.deleted.sort();
  }
  return extras;
}
