// The IPVS mode as the flow suite drives it: the real CLI in the lab's node namespace. It only runs where
// the kernel has IPVS, which on this project's machines means inside user-mode Linux (ipvs.flow.test.ts
// boots it); iptables there is the legacy back end (the UML kernel has no nf_tables for ip).

import { spawnSync } from 'node:child_process';
import { kproxyCliAdapter } from '../flow/mode-adapter.js';

/** Why IPVS cannot be programmed here, or undefined. */
export function ipvsRequirement(): string | undefined {
  const r = spawnSync('ipvsadm', ['-Ln'], { encoding: 'utf8' });
  if (r.error) return 'needs ipvsadm';
  if (r.status !== 0) return `needs IPVS in the kernel (runs inside user-mode Linux: test/ipvs/ipvs.flow.test.ts): ${r.stderr.trim()}`;
  return undefined;
}

export const ipvsAdapter = kproxyCliAdapter({
  mode: 'ipvs',
  flags: ['--iptables-backend=legacy', '--v=2'],
  tools: ['ipvsadm', 'ipset', 'iptables-legacy'],
  stateCommands: [['ipvsadm', '-Ln'], ['ipset', 'save'], ['ip', '-o', 'addr', 'show'], ['iptables-legacy-save'], ['ip6tables-legacy-save']],
  extraRequirement: ipvsRequirement,
});
