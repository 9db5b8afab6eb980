// Which iptables binaries the IPVS mode drives. `auto` follows the iptables mode's detection, but first
// checks that the nf_tables back end works at all: kernels without nf_tables for ip (user-mode Linux, old
// hosts) only have the legacy one.

import { runTool, type RunToolOptions } from '../../exec/run-tool.js';
import type { IPFamily } from '../../model/types.js';
import { detectBackend, toolsFor, type BackendChoice, type IptablesBackend, type IptablesTools } from '../../netfilter/backend.js';

export async function resolveIptablesBackend(choice: BackendChoice, tool: RunToolOptions): Promise<IptablesBackend> {
  if (choice !== 'auto') return detectBackend(choice, tool);
  try {
    await runTool(toolsFor('nft', 'IPv4').iptables, ['-w', '5', '-t', 'nat', '-S', 'POSTROUTING'], { ...tool, timeoutMs: 10_000 });
  } catch {
    return 'legacy';
  }
  return detectBackend('auto', tool);
}

export function iptablesTools(backend: IptablesBackend, family: IPFamily): IptablesTools {
  return toolsFor(backend, family);
}
