// How a full sync learns what a table holds before rewriting it: which of our jump rules are missing from
// the built-in chains, which service chains exist (to delete the stale ones), and the rules of the
// top-level chains (to notice one someone flushed: rule-damage.ts).
//
// `iptables-save` answers both, but costs as much as a third of the restore itself with the nft back end
// (it loads the whole ruleset, even for `-t filter`). When every earlier restore of this process
// succeeded and the canary shows nobody flushed the tables, the service chains in the kernel are exactly
// those of the last committed program, so listing the few built-in chains (`iptables -S CHAIN`) suffices.
// Anything unexpected there (a jump rule gone) falls back to the full read. The legacy back end gets the
// whole table from the kernel for any listing, so there one iptables-save (scanned, not parsed) is cheapest.

import { runTool, type RunToolOptions } from '../../exec/run-tool.js';
import type { IptablesTools } from '../../netfilter/backend.js';
import { hasJump, type TableState } from './full-sync-extras.js';
import type { TableName } from '../../netfilter/restore-writer.js';
import { parseSavedChains } from './save-parser.js';
import { JUMP_RULES, TOP_LEVEL_CHAINS } from './static-structure.js';

/** Built-in chains holding our jump rules, and our top-level chains: the only rules a full sync reads back. */
const READ_BACK: ReadonlySet<string> = new Set([...JUMP_RULES.map((j) => j.from), ...TOP_LEVEL_CHAINS.filter, ...TOP_LEVEL_CHAINS.nat]);

export interface TableRead {
  readonly state: TableState;
  /** How it was learnt: `iptables -S` of the built-in chains, or a full `iptables-save`. */
  readonly via: 'builtin-chains' | 'iptables-save';
}

export interface TableReadRequest {
  readonly tools: IptablesTools;
  readonly table: TableName;
  readonly toolOpts: RunToolOptions;
  readonly lockWaitSeconds: number;
  /** The service chains the table holds, when the last committed program is known to be in force. */
  readonly knownChains: ReadonlySet<string> | undefined;
  /** Listing one chain is cheaper than saving the table (nft back end). */
  readonly chainListingIsCheap: boolean;
}

export async function readTableState(req: TableReadRequest): Promise<TableRead> {
  if (req.knownChains && req.chainListingIsCheap) {
    const rules = await listJumpSources(req).catch(() => undefined);
    const jumps = JUMP_RULES.filter((j) => j.table === req.table);
    if (rules && jumps.every((j) => hasJump({ chains: new Set(), rules }, j))) {
      return { state: { chains: req.knownChains, rules }, via: 'builtin-chains' };
    }
  }
  const saved = await runTool(req.tools.save, ['-t', req.table], req.toolOpts);
  return { state: parseSavedChains(saved.stdout, READ_BACK), via: 'iptables-save' };
}

/** The rules of the table's built-in chains that hold our jumps and of its top-level chains, listed concurrently. */
async function listJumpSources(req: TableReadRequest): Promise<ReadonlyMap<string, readonly string[]>> {
  const chains = [...new Set(JUMP_RULES.filter((j) => j.table === req.table).map((j) => j.from)), ...TOP_LEVEL_CHAINS[req.table]];
  const wait = ['-w', String(req.lockWaitSeconds)];
  const outputs = await Promise.all(
    chains.map((c) => runTool(req.tools.iptables, [...wait, '-t', req.table, '-S', c], req.toolOpts)),
  );
  return parseSavedChains(outputs.map((o) => o.stdout).join('\n'), READ_BACK).rules;
}
