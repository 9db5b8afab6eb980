// What the executor last committed for one family, and the transaction text that moves the kernel from
// there to a new FamilyProgram. Elements of sets (no value) may be shared by several service ports (a
// ClusterIP with two ports, an endpoint of two Services in the hairpin set), so they are reference
// counted: added on the first reference, deleted with the last.

import type { ServicePortKey } from '../../model/types.js';
import {
  elementStatements,
  setStatement,
  TABLE_NAME,
  type ChainDecl,
  type FamilyProgram,
  type NftElement,
  type ServiceContribution,
  type SetDecl,
} from './program.js';

interface RefCounts {
  get(id: string): number | undefined;
  set(id: string, n: number): unknown;
  delete(id: string): unknown;
}

/** Changes to the committed counts, kept aside until the transaction is known to have succeeded. */
class RefOverlay implements RefCounts {
  private readonly changes = new Map<string, number>();
  constructor(private readonly base: ReadonlyMap<string, number>) {}
  get(id: string): number | undefined {
    return this.changes.has(id) ? this.changes.get(id) || undefined : this.base.get(id);
  }
  set(id: string, n: number): void {
    this.changes.set(id, n);
  }
  delete(id: string): void {
    this.changes.set(id, 0);
  }
}

export class CommittedFamily {
  readonly contributions = new Map<ServicePortKey, ServiceContribution>();
  private readonly setRefs = new Map<string, number>();
  private chains = new Map<string, string>();
  private sets = new Map<string, SetDecl>();
  private statics: readonly NftElement[] = [];

  constructor(program: FamilyProgram) {
    this.adopt(program, program.services.keys());
  }

  /** Rules per committed chain (the damage check compares them with the kernel's). */
  ruleCounts(): Map<string, number> {
    return new Map([...this.chains].map(([name, rules]) => [name, rules === '' ? 0 : rules.split('\n').length]));
  }

  setNames(): string[] {
    return [...this.sets.keys()];
  }

  /**
   * One committed element of each set that holds any, to ask the kernel for: a flushed set or map misses
   * it. Dynamic sets are filled by packets, and interval sets cannot be asked by key, so neither is probed.
   */
  probeElements(): NftElement[] {
    const wanted = new Set([...this.sets.values()].filter((s) => !s.dynamic && !s.spec.includes('interval')).map((s) => s.name));
    const probes: NftElement[] = [];
    const take = (elements: readonly NftElement[]): boolean => {
      for (const e of elements) {
        if (!wanted.delete(e.set)) continue;
        probes.push({ set: e.set, key: e.key });
        if (wanted.size === 0) return true;
      }
      return false;
    };
    if (take(this.statics)) return probes;
    for (const c of this.contributions.values()) if (take(c.elements)) break;
    return probes;
  }

  /** True when declarations differ in a way a delta cannot express (a set's type changed). */
  needsFull(p: FamilyProgram): boolean {
    return p.sets.some((s) => this.sets.has(s.name) && this.sets.get(s.name)!.spec !== s.spec);
  }

  /** The delta statements, in the order the kernel accepts them (see README: "partial syncs"). */
  delta(p: FamilyProgram, keys: Iterable<ServicePortKey>, out: string[]): void {
    const prefix = `${p.nftFamily} ${TABLE_NAME}`;
    const wantChains = new Map(p.chains.map((c) => [c.name, c]));
    const added: ChainDecl[] = p.chains.filter((c) => !this.chains.has(c.name));
    const changed = p.chains.filter((c) => this.chains.has(c.name) && this.chains.get(c.name) !== c.rules.join('\n'));
    const removed = [...this.chains.keys()].filter((n) => !wantChains.has(n));
    for (const s of p.sets) if (!this.sets.has(s.name)) out.push(setStatement(prefix, s));
    for (const c of added) out.push(`add chain ${prefix} ${c.name}${c.base ? ` { type ${c.base.type} hook ${c.base.hook} priority ${c.base.priority}; }` : ''}`);
    for (const c of added) for (const r of c.rules) out.push(`add rule ${prefix} ${c.name} ${r}`);
    for (const c of changed) {
      out.push(`flush chain ${prefix} ${c.name}`);
      for (const r of c.rules) out.push(`add rule ${prefix} ${c.name} ${r}`);
    }
    const dels: NftElement[] = [];
    const adds: NftElement[] = [];
    const refs = new RefOverlay(this.setRefs);
    this.diffElements(this.statics, p.staticElements, refs, dels, adds);
    for (const key of keys) {
      this.diffElements(this.contributions.get(key)?.elements ?? [], p.services.get(key)?.elements ?? [], refs, dels, adds);
    }
    elementStatements('delete', prefix, dels, out);
    elementStatements('add', prefix, adds, out);
    for (const name of removed) out.push(`flush chain ${prefix} ${name}`);
    for (const name of removed) out.push(`delete chain ${prefix} ${name}`);
    const wantSets = new Set(p.sets.map((s) => s.name));
    for (const [name, decl] of this.sets) if (!wantSets.has(name)) out.push(`delete ${decl.kind} ${prefix} ${name}`);
  }

  /** Record `p` as committed, for the service ports in `keys` (all of them after a full sync). */
  adopt(p: FamilyProgram, keys: Iterable<ServicePortKey>, full = true): void {
    if (full) {
      this.contributions.clear();
      this.setRefs.clear();
      this.statics = [];
    }
    this.diffElements(this.statics, p.staticElements, this.setRefs, [], []);
    this.statics = p.staticElements;
    for (const key of keys) {
      const before = this.contributions.get(key);
      const after = p.services.get(key);
      this.diffElements(before?.elements ?? [], after?.elements ?? [], this.setRefs, [], []);
      if (after) this.contributions.set(key, after);
      else this.contributions.delete(key);
    }
    this.chains = new Map(p.chains.map((c) => [c.name, c.rules.join('\n')]));
    this.sets = new Map(p.sets.map((s) => [s.name, s]));
  }

  private diffElements(before: readonly NftElement[], after: readonly NftElement[], refs: RefCounts, dels: NftElement[], adds: NftElement[]): void {
    if (before === after) return;
    if (before.length === 0) return this.addAll(after, refs, adds);
    const old = new Map(before.map((e) => [`${e.set}|${e.key}`, e]));
    const now = new Map(after.map((e) => [`${e.set}|${e.key}`, e]));
    for (const [id, e] of old) {
      const next = now.get(id);
      if (next && next.value === e.value) continue;
      if (e.value === undefined) {
        const left = (refs.get(id) ?? 1) - 1;
        if (left > 0) refs.set(id, left);
        else {
          refs.delete(id);
          dels.push(e);
        }
      } else dels.push(e);
    }
    for (const [id, e] of now) {
      const prev = old.get(id);
      if (prev && prev.value === e.value) continue;
      if (e.value === undefined) {
        const count = refs.get(id) ?? 0;
        refs.set(id, count + 1);
        if (count === 0) adds.push(e);
      } else adds.push(e);
    }
  }

  /** The common case of a full sync: nothing before, so no maps of ids to compare. */
  private addAll(after: readonly NftElement[], refs: RefCounts, adds: NftElement[]): void {
    for (const e of after) {
      if (e.value !== undefined) {
        adds.push(e);
        continue;
      }
      const id = `${e.set}|${e.key}`;
      const count = refs.get(id) ?? 0;
      refs.set(id, count + 1);
      if (count === 0) adds.push(e);
    }
  }
}
