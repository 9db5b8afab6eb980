// Endpoint choice without a chain per Service. Service ports are grouped by what their choice needs: how
// the packet arrived (entry: a ClusterIP, an external entry under policy Cluster, or picked by a Local
// policy chain; this fixes the masquerade decision), the key shape (ip: daddr . port; np: nodePort),
// the endpoint list (main, or the "bypass" list that pods and the node use under policy Local), the
// scheduler, the number of endpoints n and, with ClientIP affinity, the timeout. Each group has ONE
// chain whose rule computes a slot in [0, n) and DNATs through `key . slot -> endpoint`, so the number of
// chains depends on the distinct combinations in use, never on the number of Services. `service-ips`
// points straight at these chains: one lookup and one element per entry fewer than a separate pick map.

import type { IPFamily } from '../../model/types.js';
import type { NftablesPick } from '../../schedulers/scheduler-table.js';
import type { ChainDecl } from './program.js';
import { familyWords, PROTOCOLS } from './fixed-structure.js';

export type KeyShape = 'ip' | 'np';
export type ListKind = 'main' | 'bypass';
/** How a packet reached the group chain; decides its masquerade rules (see masqueradeRules). */
export type Entry = 'cluster' | 'external' | 'picked';
/** The nft picks the scheduler table names (numgen random, a counter, a hash of an address). */
export type KernelScheduler = NftablesPick;

/** Bypass slots live above the main ones in the same endpoints map. */
export const BYPASS_OFFSET = 65536;

export interface PickSpec {
  readonly entry: Entry;
  readonly shape: KeyShape;
  readonly list: ListKind;
  readonly scheduler: KernelScheduler;
  readonly n: number;
  /** ClientIP affinity timeout in seconds; 0 = no affinity. */
  readonly affinitySeconds: number;
}

const ENTRY_PREFIX: Readonly<Record<Entry, Readonly<Record<KeyShape, string>>>> = {
  cluster: { ip: 'cluster-ip', np: 'cluster-ip' },
  external: { ip: 'external-ip', np: 'nodeport' },
  picked: { ip: 'pick-ip', np: 'pick-np' },
};

export function pickChainName(s: PickSpec): string {
  const aff = s.affinitySeconds > 0 ? `-a${s.affinitySeconds}` : '';
  return `${ENTRY_PREFIX[s.entry][s.shape]}${s.list === 'bypass' ? '-b' : ''}${aff}-${s.scheduler}-${s.n}`;
}

export function slotChainName(shape: KeyShape, affinitySeconds: number, slot: number): string {
  return `slot-${shape}-a${affinitySeconds}-${slot}`;
}

export function slotBase(list: ListKind): number {
  return list === 'bypass' ? BYPASS_OFFSET : 0;
}

/** The expression giving a slot in [base, base + n). */
function slotExpr(family: IPFamily, scheduler: KernelScheduler, n: number, base: number): string {
  const { x } = familyWords(family);
  const offset = base > 0 ? ` offset ${base}` : '';
  switch (scheduler) {
    case 'random':
      return `numgen random mod ${n}${offset}`;
    case 'rr':
      // One counter per group chain: a port that is the only busy one of its group sees strict turns.
      return `numgen inc mod ${n}${offset}`;
    case 'sh':
      return `jhash ${x} saddr mod ${n} seed 0x6b707278${offset}`;
    case 'dh':
      return `jhash ${x} daddr mod ${n} seed 0x6b707278${offset}`;
  }
}

/** A constant slot typed like numgen's result (a bare number has no type inside a concatenation). */
export function constSlot(slot: number): string {
  return `numgen inc mod 1 offset ${slot}`;
}

function endpointKeyOf(family: IPFamily, shape: KeyShape): string {
  const w = familyWords(family);
  return shape === 'ip' ? w.ipEndpointKey : w.npEndpointKey;
}

/** `masquerade`: the rules deciding masquerade for this entry, run before the DNAT. */
export function pickChain(family: IPFamily, s: PickSpec, masquerade: readonly string[]): ChainDecl {
  const { x } = familyWords(family);
  const key = endpointKeyOf(family, s.shape);
  const base = slotBase(s.list);
  const expr = slotExpr(family, s.scheduler, s.n, base);
  if (s.affinitySeconds === 0) {
    return { name: pickChainName(s), rules: [...masquerade, ...dnatRules(x, key, expr, s.shape)] };
  }
  // Affinity: a client seen recently on slot i of this Service goes there again; otherwise pick a slot
  // and remember it (the slot chain records and DNATs). n lookups, each O(1), only for sticky Services.
  const rules: string[] = [...masquerade];
  const slots = Array.from({ length: s.n }, (_, i) => base + i);
  for (const slot of slots) {
    rules.push(`${x} saddr . ${x} daddr . meta l4proto . th dport . ${constSlot(slot)} @affinity goto ${slotChainName(s.shape, s.affinitySeconds, slot)}`);
  }
  const vmap = slots.map((slot) => `${slot} : goto ${slotChainName(s.shape, s.affinitySeconds, slot)}`).join(', ');
  rules.push(`${expr} vmap { ${vmap} }`);
  return { name: pickChainName(s), rules };
}

export function slotChain(family: IPFamily, shape: KeyShape, affinitySeconds: number, slot: number): ChainDecl {
  const { x } = familyWords(family);
  const key = endpointKeyOf(family, shape);
  return {
    name: slotChainName(shape, affinitySeconds, slot),
    rules: [
      `update @affinity { ${x} saddr . ${x} daddr . meta l4proto . th dport . ${constSlot(slot)} timeout ${affinitySeconds}s }`,
      ...dnatRules(x, key, constSlot(slot), shape),
    ],
  };
}

/**
 * One DNAT per protocol: each protocol has its own endpoints map (see fixed-structure.ts). The counter
 * counts the connections this group (or slot) chain sent to an endpoint, per protocol: what `kproxy
 * explain --live` shows for the chain. It is constant text, so it never makes a sync rewrite a chain.
 */
function dnatRules(x: string, key: string, slot: string, shape: KeyShape): string[] {
  return PROTOCOLS.map((p) => `meta l4proto ${p} counter dnat ${x} to ${key} . ${slot} map @endpoints-${shape}-${p}`);
}

/** Every chain a group needs: its pick chain, and with affinity one slot chain per slot. */
export function groupChains(family: IPFamily, s: PickSpec, masquerade: readonly string[]): ChainDecl[] {
  const out = [pickChain(family, s, masquerade)];
  if (s.affinitySeconds > 0) {
    const base = slotBase(s.list);
    for (let i = 0; i < s.n; i++) out.push(slotChain(family, s.shape, s.affinitySeconds, base + i));
  }
  return out;
}
