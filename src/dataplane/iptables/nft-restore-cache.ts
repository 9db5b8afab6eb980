// Why a large iptables-nft restore input starts with a chain-less `-S`.
//
// With --noflush, iptables-nft (1.8.5 and later, 1.8.9 here) records every chain name each command of a
// table names (the chain, and the chain it jumps to) in a list kept sorted by linear insertion, to fetch
// only those chains from the kernel before the commit. Every `:CHAIN` line and every `-A ... -j CHAIN` rule
// walks that list: the cost is (chain names referenced) x (distinct chains), all of it strcmp in user space.
// For upstream's layout (one chain per service and per endpoint) that is quadratic in the Services:
// measured on this machine (2 cores), a kproxy full nat restore of 1,000 Services x 5 endpoints took 1.2 s
// instead of 0.3 s, and 28 s instead of 1.3 s at 4,000 (27 s of it user time; perf: 57% in strcmp).
// Without --noflush the same input is fast only because its implicit table flush is a command naming no
// chain, which switches the bookkeeping to "the whole table". Any chain-less command does so for the
// commands after it; the only one that changes nothing is a listing (`-S`). It costs a listing of the
// whole table (rules fetched and printed: 0.45 s for a 4,000-Service table), so it pays only when the
// input names many chains: always for a full sync, rarely for a partial one.
//
// What the restore does to the rules is unchanged: `-S` only prints the table as it was before the
// commit, and the same chains and rules are declared and written in the same per-chain order.

import type { IptablesBackend } from '../../netfilter/backend.js';
import type { TableExtras } from './full-sync-extras.js';
import { tableRestoreText, type TableName } from '../../netfilter/restore-writer.js';
import type { FamilyProgram } from './program.js';

/** Measured here: the quadratic cost per (chain names)^2 over the listing cost per chain in the table. */
const LISTING_BREAK_EVEN = 500;

/**
 * True when starting an iptables-nft restore with a chain-less `-S` is cheaper than letting iptables-nft
 * track the names one by one: `declaredChains` is how many chains the input declares, `tableChains` about
 * how many the table holds (the listing walks them all).
 */
export function wholeTableCachePays(declaredChains: number, tableChains: number): boolean {
  return declaredChains * declaredChains >= LISTING_BREAK_EVEN * Math.max(tableChains, declaredChains);
}

/** A table's restore input for `backend`; large iptables-nft inputs start with the listing. */
export function restoreTextFor(backend: IptablesBackend, fp: FamilyProgram, table: TableName, extras: TableExtras = NO_EXTRAS): string {
  const t = fp[table];
  const declared = t.chains.length + t.deleted.length + extras.chains.length + extras.deleted.length;
  // nat holds the service chains that stay plus those deleted now; filter only its few fixed chains.
  const tableChains = table === 'nat' ? fp.activeServiceChains.size + t.deleted.length + extras.deleted.length : 0;
  const wholeTableCache = backend === 'nft' && wholeTableCachePays(declared, tableChains);
  return tableRestoreText(t, extras, { wholeTableCache });
}

const NO_EXTRAS: TableExtras = { chains: [], rules: [], deleted: [] };
