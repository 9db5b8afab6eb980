// What a full sync reports as repaired: the kernel read it does anyway (kernel-view.ts) against what the
// last apply committed. Virtual and real servers kproxy wanted, ipset members, kube-ipvs0 addresses, the
// jump rules from built-in chains and the rule count of each chain of its iptables input. The full sync
// rewrites all of it either way; this only makes the repair visible (log line and metric).

import { naming, type RuleDamage } from '../rule-repairs.js';
import type { IPFamily } from '../../model/types.js';
import { jumpRuleSpec } from '../../netfilter/jump-rules.js';
import type { IpvsTable } from './ipvsadm-state.js';
import type { KernelView } from './kernel-view.js';
import type { FamilyIpvsProgram } from './program.js';

export interface CommittedIpvs {
  /** The virtual servers and (active) real servers the last apply wanted. */
  readonly servers: IpvsTable;
  readonly sets: ReadonlyMap<string, ReadonlySet<string>>;
  readonly bound: ReadonlySet<string>;
  /** Per family, the program whose iptables input was last restored. */
  readonly rules: ReadonlyMap<IPFamily, FamilyIpvsProgram>;
}

export function ipvsDamage(committed: CommittedIpvs, seen: KernelView): RuleDamage[] {
  const out: RuleDamage[] = [];
  const servers: string[] = [];
  for (const [key, vs] of committed.servers) {
    const there = seen.table.get(key);
    if (!there) servers.push(key);
    else for (const rs of vs.realServers.keys()) if (!there.realServers.has(rs)) servers.push(`${key} -> ${rs}`);
  }
  if (servers.length > 0) out.push({ reason: 'missing-servers', detail: naming('missing IPVS servers', servers) });
  const members: string[] = [];
  for (const [name, want] of committed.sets) {
    const there = seen.sets.get(name);
    for (const m of want) if (!there?.has(m)) members.push(`${name} ${m}`);
  }
  const addresses = [...committed.bound].filter((a) => !seen.bound.has(a)).map((a) => `kube-ipvs0 ${a}`);
  if (members.length + addresses.length > 0) out.push({ reason: 'missing-elements', detail: naming('missing set members or addresses', [...members, ...addresses]) });
  for (const [family, fp] of committed.rules) {
    const saved = seen.saved.get(family);
    if (!saved) continue;
    const jumps = fp.jumps.filter((j) => !saved[j.table].includes(`-A ${j.from} ${jumpRuleSpec(j)}`)).map((j) => `${j.table} ${j.from} -> ${j.to}`);
    if (jumps.length > 0) out.push({ reason: 'missing-jump', detail: naming(`${family} missing jumps`, jumps) });
    const short: string[] = [];
    for (const table of ['nat', 'filter'] as const) {
      const have = ruleCounts(saved[table]);
      for (const [chain, want] of ruleCounts(fp[table])) if ((have.get(chain) ?? 0) < want) short.push(`${table} ${chain} (${have.get(chain) ?? 0} of ${want})`);
    }
    if (short.length > 0) out.push({ reason: 'missing-rules', detail: naming(`${family} chains missing rules`, short) });
  }
  return out;
}

/** `-A CHAIN` lines per chain of an iptables-restore or iptables-save text. */
function ruleCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('-A ')) continue;
    const end = line.indexOf(' ', 3);
    const chain = line.slice(3, end < 0 ? line.length : end);
    counts.set(chain, (counts.get(chain) ?? 0) + 1);
  }
  return counts;
}
