// What a full sync reads before it diffs: the IPVS table, the ipsets, kube-ipvs0's addresses and (to find
// jumps someone removed) each family's nat and filter tables. The reads are independent, so they run at
// once: with thousands of Services each one takes seconds in a slow kernel.

import type { ToolResult } from '../../exec/run-tool.js';
import type { IPFamily } from '../../model/types.js';
import type { IptablesBackend } from '../../netfilter/backend.js';
import { jumpRuleSpec } from '../../netfilter/jump-rules.js';
import { iptablesTools } from './iptables-tools.js';
import { parseIpvsadmSave, type IpvsTable } from './ipvsadm-state.js';
import { parseDeviceAddresses, parseIpsetSave } from './kernel-sets.js';
import type { FamilyIpvsProgram, IpvsProgram } from './program.js';
import { DUMMY_DEVICE } from './renderer.js';

export interface SavedRules {
  readonly nat: string;
  readonly filter: string;
}

export interface KernelView {
  readonly table: IpvsTable;
  /** Members of the sets the program names (other sets are not read). */
  readonly sets: Map<string, Set<string>>;
  /** Addresses on kube-ipvs0. */
  readonly bound: Set<string>;
  /** iptables-save output per family; empty on partial syncs, which trust the last commit. */
  readonly saved: ReadonlyMap<IPFamily, SavedRules>;
}

export type ToolRunner = (cmd: string, args: readonly string[]) => Promise<ToolResult>;

export async function readKernel(program: IpvsProgram, backend: IptablesBackend, run: ToolRunner): Promise<KernelView> {
  const save = (fp: FamilyIpvsProgram, table: 'nat' | 'filter') => run(iptablesTools(backend, fp.family).save, ['-t', table]).then((r) => r.stdout);
  const rules = Promise.all(
    program.families.map(async (fp): Promise<[IPFamily, SavedRules]> => {
      const [nat, filter] = await Promise.all([save(fp, 'nat'), save(fp, 'filter')]);
      return [fp.family, { nat, filter }];
    }),
  );
  const [ipvs, ipsets, addresses, saved] = await Promise.all([
    run('ipvsadm', ['-Sn']),
    run('ipset', ['save']),
    run('ip', ['-o', 'addr', 'show', 'dev', DUMMY_DEVICE]),
    rules,
  ]);
  const names = new Set(program.families.flatMap((f) => f.ipsets.map((s) => s.name)));
  return {
    table: parseIpvsadmSave(ipvs.stdout),
    sets: parseIpsetSave(ipsets.stdout, names),
    bound: new Set(parseDeviceAddresses(addresses.stdout)),
    saved: new Map(saved),
  };
}

/**
 * One family's `iptables-restore --noflush` input: the nat and filter text, plus (when the tables were
 * read) an insert for each jump from a built-in chain that is missing, so the jumps come first as upstream
 * puts them without being duplicated.
 */
export function iptablesRestoreInput(fp: FamilyIpvsProgram, saved: SavedRules | undefined): string {
  let text = '';
  for (const table of ['nat', 'filter'] as const) {
    let body = fp[table];
    if (saved) {
      const missing = fp.jumps.filter((j) => j.table === table && !saved[table].includes(`-A ${j.from} ${jumpRuleSpec(j)}`));
      const inserts = missing.map((j) => `-I ${j.from} 1 ${jumpRuleSpec(j)}\n`).join('');
      body = body.replace(/COMMIT\n$/, `${inserts}COMMIT\n`);
    }
    text += body;
  }
  return text;
}
