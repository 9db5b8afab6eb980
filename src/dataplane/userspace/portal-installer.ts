// Applies portal rules (portals.ts) with iptables-restore / ip6tables-restore through runTool: one
// --noflush transaction per family that rewrites our chains whole, so a failed restore changes nothing.

import { isToolMissing, runTool } from '../../exec/run-tool.js';
import type { IPFamily } from '../../model/types.js';
import {
  JUMPS,
  presentJumps,
  renderPortalCleanup,
  renderPortalRestore,
  restoreCommand,
  saveCommand,
  type PortalRule,
} from './portals.js';

const FAMILIES: readonly IPFamily[] = ['IPv4', 'IPv6'];

interface FamilyState {
  /** The rules in force (what a rollback restores). */
  rules: readonly PortalRule[];
  /** Our jump rules are known to be in the built-in chains. */
  jumpsInstalled: boolean;
}

export class PortalInstaller {
  private readonly state: Record<IPFamily, FamilyState> = {
    IPv4: { rules: [], jumpsInstalled: false },
    IPv6: { rules: [], jumpsInstalled: false },
  };

  constructor(private readonly netns?: string) {}

  /**
   * Make the portal chains hold exactly `rules`. `verify` re-reads the built-in chains for our jumps
   * (full syncs: something may have flushed them). Throws, with the previous rules in force, on failure.
   */
  async apply(rules: readonly PortalRule[], verify: boolean): Promise<void> {
    const done: IPFamily[] = [];
    const before = { IPv4: this.state.IPv4.rules, IPv6: this.state.IPv6.rules };
    for (const family of FAMILIES) {
      const next = rules.filter((r) => r.family === family);
      const st = this.state[family];
      // A family that never had portals is left alone: no ip6tables calls on an IPv4-only node.
      if (next.length === 0 && !st.jumpsInstalled) continue;
      if (!verify && st.jumpsInstalled && sameRules(st.rules, next)) continue;
      try {
        await this.write(family, next, verify);
        done.push(family);
      } catch (err) {
        // Put back what the families already rewritten had, so the whole apply has no effect.
        for (const f of done) await this.write(f, before[f], false).catch(() => undefined);
        throw err;
      }
    }
  }

  /** Some family has our jumps and chains in the kernel. */
  get installed(): boolean {
    return FAMILIES.some((f) => this.state[f].jumpsInstalled);
  }

  /** Remove the jumps and chains of both families, whatever put them there. Safe when nothing is installed. */
  async cleanup(): Promise<void> {
    for (const family of FAMILIES) {
      let save: string;
      try {
        save = (await runTool(saveCommand(family), [], this.opts())).stdout;
      } catch (err) {
        if (isToolMissing(err)) continue; // no tool, so nothing of ours can be installed either
        throw err;
      }
      const text = renderPortalCleanup(save);
      if (text) await runTool(restoreCommand(family), ['--noflush', '-w'], { ...this.opts(), stdin: text });
      this.state[family] = { rules: [], jumpsInstalled: false };
    }
  }

  private async write(family: IPFamily, rules: readonly PortalRule[], verify: boolean): Promise<void> {
    const st = this.state[family];
    let missing: (typeof JUMPS)[number][] = [];
    if (verify || !st.jumpsInstalled) {
      const save = (await runTool(saveCommand(family), [], this.opts())).stdout;
      const present = presentJumps(save);
      missing = JUMPS.filter((j) => !present.includes(j));
    }
    const text = renderPortalRestore(family, rules, missing);
    await runTool(restoreCommand(family), ['--noflush', '-w'], { ...this.opts(), stdin: text });
    this.state[family] = { rules, jumpsInstalled: true };
  }

  private opts(): { netns?: string } {
    return this.netns ? { netns: this.netns } : {};
  }
}

function sameRules(a: readonly PortalRule[], b: readonly PortalRule[]): boolean {
  if (a.length !== b.length) return false;
  const key = (r: PortalRule): string => `${r.protocol} ${r.address} ${r.port} ${r.servicePort} ${r.target}`;
  const set = new Set(a.map(key));
  return b.every((r) => set.has(key(r)));
}
