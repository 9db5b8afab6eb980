// `kproxy --cleanup` for the IPVS mode: what upstream's CleanupLeftovers removes. Virtual servers on
// kube-ipvs0 addresses and NodePort virtual servers (ports in the KUBE-NODE-PORT sets) go; other virtual
// servers on the machine stay. Then kube-ipvs0, the iptables jumps and chains in both back ends, and the
// ipsets (last: the kernel refuses to destroy a set an iptables rule still uses).

import { isIP } from 'node:net';
import { runTool, type RunToolOptions } from '../../exec/run-tool.js';
import type { Logger } from '../../observability/logger.js';
import { toolsFor } from '../../netfilter/backend.js';
import { serviceArgs } from './format.js';
import { jumpRuleSpec } from '../../netfilter/jump-rules.js';
import { FILTER_CHAINS, JUMPS, NAT_CHAINS } from './iptables-rules.js';
import { allIpsetNames, ipsetName } from './ipset-table.js';
import { parseIpvsadmSave } from './ipvsadm-state.js';
import { parseDeviceAddresses, parseIpsetSave } from './kernel-sets.js';
import { DUMMY_DEVICE } from './renderer.js';

const quiet = () => undefined;

export async function cleanupIpvs(tool: RunToolOptions, logger?: Logger): Promise<void> {
  const sets = parseIpsetSave(await runTool('ipset', ['save'], tool).then((r) => r.stdout, () => ''), new Set(allIpsetNames()));
  const bound = new Set(parseDeviceAddresses(await runTool('ip', ['-o', 'addr', 'show', 'dev', DUMMY_DEVICE], tool).then((r) => r.stdout, () => '')));
  const saved = await runTool('ipvsadm', ['-Sn'], tool).then((r) => r.stdout, () => undefined);
  if (saved !== undefined) {
    const lines: string[] = [];
    for (const vs of parseIpvsadmSave(saved).values()) {
      const fam = isIP(vs.address) === 6 ? 'IPv6' : 'IPv4';
      const id = ({ TCP: 'nodePortTCP', UDP: 'nodePortUDP', SCTP: 'nodePortSCTP' } as const)[vs.protocol];
      const member = vs.protocol === 'SCTP' ? `${vs.address},sctp:${vs.port}` : String(vs.port);
      if (bound.has(vs.address) || sets.get(ipsetName(id, fam))?.has(member)) lines.push(['-D', ...serviceArgs(vs)].join(' '));
    }
    if (lines.length > 0) await runTool('ipvsadm', ['--restore'], { ...tool, stdin: `${lines.join('\n')}\n` });
  }
  await runTool('ip', ['link', 'del', DUMMY_DEVICE], tool).catch(quiet);
  for (const backend of ['legacy', 'nft'] as const) {
    for (const family of ['IPv4', 'IPv6'] as const) await cleanupIptables(toolsFor(backend, family).iptables, tool);
  }
  const failed: string[] = [];
  for (const name of sets.keys()) {
    await runTool('ipset', ['destroy', name], tool).catch((err: Error) => failed.push(`${name}: ${err.message}`));
  }
  if (failed.length > 0) {
    logger?.error('Error removing ipset', { ipsets: failed });
    throw new Error(`ipvs cleanup: could not destroy ipsets:\n${failed.join('\n')}`);
  }
}

async function cleanupIptables(iptables: string, tool: RunToolOptions): Promise<void> {
  const run = (args: string[]) => runTool(iptables, ['-w', '5', ...args], { ...tool, timeoutMs: 10_000 });
  try {
    await run(['-t', 'filter', '-S', 'INPUT']);
  } catch {
    return; // this back end or family is not usable here: nothing of ours can be in it
  }
  for (const j of JUMPS) {
    const spec = jumpRuleSpec(j).replace(/"/g, '').split(' ');
    // Delete every copy: a crashed predecessor may have inserted the jump twice.
    for (let i = 0; i < 10; i++) {
      const ok = await run(['-t', j.table, '-D', j.from, ...commentAware(spec)]).then(() => true, () => false);
      if (!ok) break;
    }
  }
  for (const [table, chains] of [['nat', NAT_CHAINS], ['filter', FILTER_CHAINS]] as const) {
    for (const c of chains) await run(['-t', table, '-F', c]).catch(quiet);
    for (const c of chains) await run(['-t', table, '-X', c]).catch(quiet);
  }
}

/** jumpRuleSpec's words with the comment put back together as one argument. */
function commentAware(words: string[]): string[] {
  const i = words.indexOf('--comment');
  const j = words.indexOf('-j');
  return [...words.slice(0, i + 1), words.slice(i + 1, j).join(' '), ...words.slice(j)];
}
