// How the executor talks to nft: one transaction per call (`nft -f -`, atomic: all or nothing), and two
// small reads for the periodic damage check. An interface so unit tests can run against a fake.

import { runTool, ToolError, type RunToolOptions } from '../../exec/run-tool.js';

export interface NftRunner {
  /** Apply one script as one transaction; throw (leaving the kernel unchanged) if nft refuses it. */
  apply(script: string): Promise<void>;
  /** Names of the chains in table `table` of `family` (empty when the table does not exist). */
  chains(family: 'ip' | 'ip6', table: string): Promise<Set<string>>;
  /** The text of `nft list set FAMILY TABLE NAME`, or undefined when it does not exist. */
  listSet(family: 'ip' | 'ip6', table: string, name: string): Promise<string | undefined>;
}

export class NftCommand implements NftRunner {
  constructor(private readonly opts: Pick<RunToolOptions, 'netns'> & { timeoutMs?: number } = {}) {}

  async apply(script: string): Promise<void> {
    await runTool('nft', ['-f', '-'], { ...this.tool(), stdin: script });
  }

  async chains(family: 'ip' | 'ip6', table: string): Promise<Set<string>> {
    const { stdout } = await runTool('nft', ['-j', 'list', 'chains', family], this.tool());
    const out = new Set<string>();
    const parsed = JSON.parse(stdout || '{"nftables":[]}') as { nftables?: { chain?: { table: string; name: string } }[] };
    for (const item of parsed.nftables ?? []) if (item.chain && item.chain.table === table) out.add(item.chain.name);
    return out;
  }

  async listSet(family: 'ip' | 'ip6', table: string, name: string): Promise<string | undefined> {
    try {
      return (await runTool('nft', ['list', 'set', family, table, name], this.tool())).stdout;
    } catch (err) {
      if (err instanceof ToolError && err.exitCode !== null) return undefined;
      throw err;
    }
  }

  private tool(): RunToolOptions {
    return { ...(this.opts.netns ? { netns: this.opts.netns } : {}), timeoutMs: this.opts.timeoutMs ?? 120_000 };
  }
}
