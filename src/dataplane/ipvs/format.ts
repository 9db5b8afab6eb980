// The program as the tools print it: `ipvsadm -Sn` (also what `ipvsadm --restore` reads), `ipset save`
// and `iptables-save`. `kproxy render --proxy-mode=ipvs` prints this.

import { jumpRuleSpec } from '../../netfilter/jump-rules.js';
import { ipsetCreateOptions } from './ipset-table.js';
import { hostPort } from '../../model/host-port.js';
import type { IpsetContent, IpvsProgram, RealServer, VirtualServer } from './program.js';

const PROTOCOL_FLAG = { TCP: '-t', UDP: '-u', SCTP: '--sctp-service' } as const;

/** `-t 10.96.0.1:80`: how ipvsadm names a virtual server. */
export function serviceArgs(vs: Pick<VirtualServer, 'protocol' | 'address' | 'port'>): string[] {
  return [PROTOCOL_FLAG[vs.protocol], hostPort(vs.address, vs.port)];
}

/** The -A line's options after the address: scheduler, persistence, scheduler flags. */
export function serviceOptions(vs: VirtualServer): string[] {
  return [
    '-s', vs.scheduler,
    ...(vs.persistence > 0 ? ['-p', String(vs.persistence)] : []),
    ...(vs.schedulerFlags.length > 0 ? ['-b', vs.schedulerFlags.join(',')] : []),
  ];
}

export function realServerArgs(vs: VirtualServer, rs: RealServer): string[] {
  return [...serviceArgs(vs), '-r', hostPort(rs.address, rs.port), '-m', '-w', String(rs.weight)];
}

export function ipvsadmSaveText(servers: readonly VirtualServer[]): string {
  const lines: string[] = [];
  for (const vs of servers) {
    lines.push(['-A', ...serviceArgs(vs), ...serviceOptions(vs)].join(' '));
    for (const rs of vs.realServers) lines.push(['-a', ...realServerArgs(vs, rs)].join(' '));
  }
  return lines.map((l) => `${l}\n`).join('');
}

export function ipsetSaveText(sets: readonly IpsetContent[]): string {
  const lines: string[] = [];
  for (const s of sets) {
    lines.push(`create ${s.name} ${s.type} ${ipsetCreateOptions(s.type, s.family)}`);
    for (const m of s.members) lines.push(`add ${s.name} ${m}`);
  }
  return lines.map((l) => `${l}\n`).join('');
}

export function formatIpvsProgram(program: IpvsProgram): string {
  const out: string[] = [];
  for (const fp of program.families) {
    out.push(`# ${fp.family}: IPVS virtual and real servers (ipvsadm -Sn)`, ipvsadmSaveText(fp.virtualServers));
    out.push(`# ${fp.family}: addresses on kube-ipvs0`, fp.boundAddresses.map((a) => `${a}\n`).join(''));
    out.push(`# ${fp.family}: ipsets (ipset save)`, ipsetSaveText(fp.ipsets));
    const jumps = fp.jumps.map((j) => `# -t ${j.table} -I ${j.from} ${jumpRuleSpec(j)}\n`).join('');
    out.push(`# ${fp.family}: iptables (iptables-save); jumps from built-in chains:`, jumps + fp.nat + fp.filter);
  }
  for (const w of program.warnings) out.push(`# warning: ${w}`);
  return out.join('\n');
}
