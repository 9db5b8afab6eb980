// Which iptables back end to drive: the nf_tables one (iptables-nft) or the legacy x_tables one
// (iptables-legacy). Rules in the wrong one still load but do nothing useful next to the node's other
// rules, so "auto" picks the back end the node already uses, the way upstream's iptables-wrapper does:
// kubelet's marker chains in mangle first (nft, then legacy), then whichever holds more rules.

import type { IPFamily } from '../model/types.js';
import { runTool, type RunToolOptions } from '../exec/run-tool.js';

export type IptablesBackend = 'nft' | 'legacy';
export type BackendChoice = IptablesBackend | 'auto';

export interface IptablesTools {
  readonly backend: IptablesBackend;
  readonly family: IPFamily;
  readonly iptables: string;
  readonly save: string;
  readonly restore: string;
}

export function toolsFor(backend: IptablesBackend, family: IPFamily): IptablesTools {
  const base = family === 'IPv4' ? 'iptables' : 'ip6tables';
  return {
    backend,
    family,
    iptables: `${base}-${backend}`,
    save: `${base}-${backend}-save`,
    restore: `${base}-${backend}-restore`,
  };
}

const MARKERS = /^:(KUBE-IPTABLES-HINT|KUBE-KUBELET-CANARY|KUBE-PROXY-CANARY)\s/m;

async function saveOutput(backend: IptablesBackend, args: readonly string[], opts: RunToolOptions): Promise<string> {
  let out = '';
  for (const family of ['IPv4', 'IPv6'] as const) {
    try {
      out += (await runTool(toolsFor(backend, family).save, args, { ...opts, timeoutMs: 5000 })).stdout;
    } catch {
      // A missing tool or an unsupported family counts as "no rules there".
    }
  }
  return out;
}

function ruleCount(text: string): number {
  return text.split('\n').filter((l) => l.startsWith('-')).length;
}

/** Resolves `auto` by looking at the node's rules; `nft` / `legacy` are taken as given. */
export async function detectBackend(choice: BackendChoice, opts: RunToolOptions = {}): Promise<IptablesBackend> {
  if (choice === 'nft' || choice === 'legacy') return choice;
  if (choice !== 'auto') throw new Error(`iptables backend: got ${JSON.stringify(choice)}, allowed: auto, nft, legacy`);
  if (MARKERS.test(await saveOutput('nft', ['-t', 'mangle'], opts))) return 'nft';
  // No `-t mangle` for legacy: naming a table makes the legacy kernel code create it.
  const legacy = await saveOutput('legacy', [], opts);
  if (MARKERS.test(legacy)) return 'legacy';
  const nft = await saveOutput('nft', [], opts);
  return ruleCount(legacy) > ruleCount(nft) ? 'legacy' : 'nft';
}
