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
  /** A scheduler this port asked for that nft cannot express (fell back to random). */
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
    list.push(verb === 'delete' ? e.key : elementText(e));
  }
  const BATCH = 2000;
  for (const [set, list] of bySet) {
    for (let i = 0; i < list.length; i += BATCH) {
      out.push(`${verb} element ${prefix} ${set} { ${list.slice(i, i + BATCH).join(', ')} }`);
    }
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
  const prefix = `${p.nftFamily} ${TABLE_NAME}`;
  const out: string[] = [`add table ${prefix} { comment "rules for kproxy"; }`];
  for (const s of p.sets) out.push(setStatement(prefix, s));
  for (const c of p.chains) out.push(`add chain ${prefix} ${c.name}${c.base ? ` { type ${c.base.type} hook ${c.base.hook} priority ${c.base.priority}; }` : ''}`);
  // Flush rules before sets: rules and map elements hold references to chains and sets.
  for (const c of [...p.chains, ...staleChains.map((name) => ({ name }))]) out.push(`flush chain ${prefix} ${c.name}`);
  for (const s of p.sets) if (!s.dynamic) out.push(`flush ${s.kind} ${prefix} ${s.name}`);
  for (const name of staleChains) out.push(`delete chain ${prefix} ${name}`);
  for (const c of p.chains) for (const r of c.rules) out.push(`add rule ${prefix} ${c.name} ${r}`);
  elementStatements('add', prefix, allElements(p), out);
  return out.join('\n') + '\n';
}

/** Every element once: ports of several Services may share one (a ClusterIP, a hairpin pair). */
export function* allElements(p: FamilyProgram): Iterable<NftElement> {
  const seen = new Set<string>();
  const fresh = (e: NftElement): boolean => {
    const id = `${e.set}|${e.key}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  };
  for (const e of p.staticElements) if (fresh(e)) yield e;
  for (const c of p.services.values()) for (const e of c.elements) if (fresh(e)) yield e;
}

export function formatProgram(program: NftProgram): string {
  return program.families.map((f) => fullFamilyScript(f)).join('');
}
