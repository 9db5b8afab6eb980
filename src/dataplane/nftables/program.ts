// The nftables program: a plain value the renderer returns and the executor applies. It is typed
// operations, not text: the executor diffs it against what it committed and sends only the changes;
// format() prints the exact `nft -f` script a full sync sends (what `kproxy render` shows).

import type { IPFamily, ServicePortKey } from '../../model/types.js';

export type NftFamily = 'ip' | 'ip6';
export const TABLE_NAME = 'kproxy';

export interface BaseHook {
  readonly type: 'filter' | 'nat';
  readonly hook: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
  /** As nft spells it: "dstnat - 10", "srcnat". */
  readonly priority: string;
}

export interface ChainDecl {
  readonly name: string;
  readonly base?: BaseHook;
  readonly rules: readonly string[];
}

export interface SetDecl {
  readonly kind: 'set' | 'map';
  readonly name: string;
  /** The body between the braces, e.g. "typeof ip daddr; flags interval;". */
  readonly spec: string;
  /** Elements are written by the packet path (affinity): never flushed, never diffed. */
  readonly dynamic?: boolean;
}

/** One element of a named set or map. `value` is set for maps ("goto chain", "drop", "ip . port"). */
export interface NftElement {
  readonly set: string;
  readonly key: string;
  readonly value?: string;
}

/** What one service port adds to one family's table: its elements and the shared chains it needs. */
export interface ServiceContribution {
  readonly elements: readonly NftElement[];
  /** Names of the per-group chains (pick-*, slot-*) its elements point at. */
  readonly chains: readonly string[];
  /** A scheduler this port asked for that nft cannot express, or an unknown name (see the scheduler table). */
  readonly fallbackScheduler?: string;
}

export interface FamilyProgram {
  readonly family: IPFamily;
  readonly nftFamily: NftFamily;
  readonly sets: readonly SetDecl[];
  /** Fixed chains and the group chains some service needs, in creation order. */
  readonly chains: readonly ChainDecl[];
  /** Elements that belong to no service (canary, nodeport-ips, hairpin of no one...). */
  readonly staticElements: readonly NftElement[];
  readonly services: ReadonlyMap<ServicePortKey, ServiceContribution>;
}

export interface NftProgram {
  readonly families: readonly FamilyProgram[];
  /** Rewrite everything, or only what `changed` names. */
  readonly full: boolean;
  /** Service ports whose contribution may differ from the previous program (partial syncs). */
  readonly changed: ReadonlySet<ServicePortKey>;
}

export function nftFamilyOf(family: IPFamily): NftFamily {
  return family === 'IPv4' ? 'ip' : 'ip6';
}

export function elementText(e: NftElement): string {
  return e.value === undefined ? e.key : `${e.key} : ${e.value}`;
}

/** Elements batched per set so a large sync is a few long statements rather than 100,000 short ones. */
export function elementStatements(verb: 'add' | 'delete', prefix: string, elements: Iterable<NftElement>, out: string[]): void {
  const bySet = new Map<string, string[]>();
  for (const e of elements) {
    let list = bySet.get(e.set);
    if (!list) bySet.set(e.set, (list = []));
    // Deletion names only the key; nft refuses a value there for maps of verdicts.
    list.push(verb === 'delete' || e.value === undefined ? e.key : `${e.key} : ${e.value}`);
  }
  for (const [set, list] of bySet) batchedStatements(`${verb} element ${prefix} ${set}`, list, out);
}

const BATCH = 2000;

function batchedStatements(head: string, list: readonly string[], out: string[]): void {
  for (let i = 0; i < list.length; i += BATCH) {
    out.push(`${head} { ${(list.length <= BATCH ? list : list.slice(i, i + BATCH)).join(', ')} }`);
  }
}

export function chainStatements(prefix: string, c: ChainDecl, out: string[]): void {
  const hook = c.base ? ` { type ${c.base.type} hook ${c.base.hook} priority ${c.base.priority}; }` : '';
  out.push(`add chain ${prefix} ${c.name}${hook}`);
  for (const r of c.rules) out.push(`add rule ${prefix} ${c.name} ${r}`);
}

export function setStatement(prefix: string, s: SetDecl): string {
  return `add ${s.kind} ${prefix} ${s.name} { ${s.spec} }`;
}

/**
 * The full-sync script of one family: create what is missing, empty our chains and (non-dynamic) sets,
 * then write every rule and element. Chains no longer wanted are deleted by the executor, which knows
 * them; this text is what `kproxy render` prints.
 */
export function fullFamilyScript(p: FamilyProgram, staleChains: readonly string[] = []): string {
  return [...fullFamilyChunks(p, staleChains)].join('');
}

/**
 * The same script in pieces of about one element batch, produced as they are asked for: the executor
 * streams them to nft, which parses one piece while the next is being written.
 */
export function* fullFamilyChunks(p: FamilyProgram, staleChains: readonly string[] = []): Generator<string> {
  const prefix = `${p.nftFamily} ${TABLE_NAME}`;
  const out: string[] = [`add table ${prefix} { comment "rules for kproxy"; }`];
  for (const s of p.sets) out.push(setStatement(prefix, s));
  for (const c of p.chains) out.push(`add chain ${prefix} ${c.name}${c.base ? ` { type ${c.base.type} hook ${c.base.hook} priority ${c.base.priority}; }` : ''}`);
  // Flush rules before sets: rules and map elements hold references to chains and sets.
  for (const c of [...p.chains, ...staleChains.map((name) => ({ name }))]) out.push(`flush chain ${prefix} ${c.name}`);
  for (const s of p.sets) if (!s.dynamic) out.push(`flush ${s.kind} ${prefix} ${s.name}`);
  for (const name of staleChains) out.push(`delete chain ${prefix} ${name}`);
  for (const c of p.chains) for (const r of c.rules) out.push(`add rule ${prefix} ${c.name} ${r}`);
  yield out.join('\n') + '\n';
  yield* elementChunks(p, prefix);
}

/**
 * Every element once, as `add element` statements of up to BATCH elements. Only set elements (no value)
 * can be shared by several ports (a ClusterIP, a hairpin pair); map keys belong to one port, so only the
 * former are checked for repeats.
 */
function* elementChunks(p: FamilyProgram, prefix: string): Generator<string> {
  const pending = new Map<string, string[]>();
  const seen = new Map<string, Set<string>>();
  const statement = (set: string, list: readonly string[]): string => `add element ${prefix} ${set} { ${list.join(', ')} }\n`;
  /** Queues one element; returns a full batch's statement when this element completed one. */
  const put = (e: NftElement): string | undefined => {
    if (e.value === undefined) {
      let keys = seen.get(e.set);
      if (!keys) seen.set(e.set, (keys = new Set()));
      if (keys.has(e.key)) return undefined;
      keys.add(e.key);
    }
    let list = pending.get(e.set);
    if (!list) pending.set(e.set, (list = []));
    list.push(e.value === undefined ? e.key : `${e.key} : ${e.value}`);
    if (list.length < BATCH) return undefined;
    pending.delete(e.set);
    return statement(e.set, list);
  };
  for (const e of p.staticElements) {
    const full = put(e);
    if (full) yield full;
  }
  for (const c of p.services.values()) {
    for (const e of c.elements) {
      const full = put(e);
      if (full) yield full;
    }
  }
  for (const [set, list] of pending) yield statement(set, list);
}

export function formatProgram(program: NftProgram): string {
  return program.families.map((f) => fullFamilyScript(f)).join('');
}
