// The iptables program: a value holding, per IP family and table, the exact iptables-restore input this
// sync writes (run with --noflush, so chains not named here are left alone), plus what the executor needs
// to apply it: which chains the program owns and whether it is a full rewrite. The restore text itself is
// written by the netfilter toolkit (src/netfilter/restore-writer.ts).

import type { IPFamily } from '../../model/types.js';
import { tableRestoreText, type TableProgram } from '../../netfilter/restore-writer.js';

export interface FamilyProgram {
  readonly family: IPFamily;
  /** Everything is rewritten; otherwise only the chains of changed service ports are. */
  readonly full: boolean;
  readonly filter: TableProgram;
  readonly nat: TableProgram;
  /** Every per-service chain (KUBE-SVC/SVL/EXT/FW/SEP) that exists after this program, written or not. */
  readonly activeServiceChains: ReadonlySet<string>;
  /** IPv4 only: NodePorts answer on 127.0.0.1, which needs the route_localnet sysctl. */
  readonly localhostNodePorts: boolean;
  /** Rule counts for the sync_proxy_rules_iptables_{total,last} gauges: written by this sync, and in force. */
  readonly counts: {
    readonly filterRules: number;
    readonly filterRulesTotal: number;
    readonly natRules: number;
    readonly natRulesTotal: number;
  };
  readonly services: number;
  readonly endpoints: number;
  /** More than 1,000 endpoints: rule comments of endpoint rules are left out, as upstream does. */
  readonly largeClusterMode: boolean;
}

export interface IptablesProgram {
  /** One entry per IP family this node proxies. */
  readonly families: readonly FamilyProgram[];
  /** Configuration this node cannot honour (reported by the executor after applying). */
  readonly warnings: readonly string[];
}

export function formatIptablesProgram(p: IptablesProgram): string {
  const out: string[] = [];
  for (const f of p.families) {
    const tool = f.family === 'IPv4' ? 'iptables-restore' : 'ip6tables-restore';
    out.push(`# ${f.family}: ${tool} --noflush (${f.full ? 'full' : 'partial'} sync)\n`);
    out.push(tableRestoreText(f.filter), tableRestoreText(f.nat));
  }
  return out.join('');
}
