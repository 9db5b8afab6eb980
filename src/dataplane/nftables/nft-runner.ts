// How the executor talks to nft: one transaction per call (atomic: all or nothing), and two small reads
// for the periodic damage check. An interface so unit tests can run against a fake. Small transactions
// go to a long-running `nft -i` (nft-session.ts); large ones, and any transaction whose session died
// before answering, go to a one-shot `nft -f -`.

import { runTool, startTool, ToolError, type RunToolOptions } from '../../exec/run-tool.js';
import { NftSession, NftSessionError } from './nft-session.js';

export interface NftRunner {
  /** Apply one script as one transaction; throw (leaving the kernel unchanged) if nft refuses it. */
  apply(script: string): Promise<void>;
  /** The same for a large script produced piece by piece: nft parses while the rest is produced. */
  applyChunks?(chunks: Iterable<string>): Promise<void>;
  /** Names of the chains in table `table` of `family` (empty when the table does not exist). */
  chains(family: 'ip' | 'ip6', table: string): Promise<Set<string>>;
  /** The text of `nft list set FAMILY TABLE NAME`, or undefined when it does not exist. */
  listSet(family: 'ip' | 'ip6', table: string, name: string): Promise<string | undefined>;
  /** Chains with their rule counts and the set names of one table, elements left out; undefined if absent. */
  listTable(family: 'ip' | 'ip6', table: string): Promise<TableListing | undefined>;
  /** Which of `probes` (set elements, by key) the kernel does not hold. */
  missingElements(family: 'ip' | 'ip6', table: string, probes: readonly ElementProbe[]): Promise<ElementProbe[]>;
  /** Stop any long-running helper process (the kernel state stays). */
  close?(): void;
}

export interface TableListing {
  /** Rules per chain. */
  readonly chains: ReadonlyMap<string, number>;
  readonly sets: ReadonlySet<string>;
}

export interface ElementProbe {
  readonly set: string;
  readonly key: string;
}

/** Scripts up to this size go through the session; a full sync is parsed faster by `nft -f`. */
const SESSION_MAX_BYTES = 64 * 1024;
/** Sessions that die this many times in a row without answering are not started again. */
const SESSION_MAX_FAILURES = 3;

export interface NftCommandOptions extends Pick<RunToolOptions, 'netns'> {
  timeoutMs?: number;
  /** Use a long-running `nft -i` for small transactions (default true). */
  session?: boolean;
  /** Stand-in for `nft -i` (tests). */
  sessionCommand?: readonly [string, ...string[]];
}

export class NftCommand implements NftRunner {
  private session: NftSession | undefined;
  private sessionFailures = 0;
  /** How the last transaction was sent (for tests and benchmarks). */
  lastPath: 'session' | 'one-shot' | undefined;

  constructor(private readonly opts: NftCommandOptions = {}) {
    if (opts.session !== false) {
      this.session = new NftSession({ ...(opts.netns ? { netns: opts.netns } : {}), ...(opts.sessionCommand ? { command: opts.sessionCommand } : {}) });
    }
  }

  async apply(script: string): Promise<void> {
    if (this.session && script.length <= SESSION_MAX_BYTES) {
      try {
        this.lastPath = 'session';
        await this.session.apply(script);
        this.sessionFailures = 0;
        return;
      } catch (err) {
        if (!(err instanceof NftSessionError) || err.refused) throw err;
        // The session died or hung: we do not know whether nft committed, so the same transaction goes to
        // a one-shot nft. Had it committed, re-applying is harmless (adding what exists) or refused
        // (deleting what is gone), after which the executor rewrites everything: both ends are correct.
        if (++this.sessionFailures >= SESSION_MAX_FAILURES) this.close();
      }
    }
    this.lastPath = 'one-shot';
    try {
      await runTool('nft', ['-f', '-'], { ...this.tool(), stdin: script });
    } finally {
      this.warmUpSession();
    }
  }

  async applyChunks(chunks: Iterable<string>): Promise<void> {
    this.lastPath = 'one-shot';
    let stderr = '';
    let exit: { code: number | null; why: string } | undefined;
    let exited!: () => void;
    const done = new Promise<void>((resolve) => (exited = resolve));
    const proc = startTool(
      'nft',
      ['-f', '-'],
      {
        stderr: (chunk) => void (stderr += chunk),
        exit: (code, why) => {
          exit = { code, why };
          exited();
        },
      },
      this.opts.netns ? { netns: this.opts.netns } : {},
    );
    const timeoutMs = this.opts.timeoutMs ?? 120_000;
    const timer = setTimeout(() => proc.kill(), timeoutMs);
    try {
      // Paced by the pipe: each piece is produced while nft parses the previous ones.
      for (const chunk of chunks) {
        if (exit) break;
        await proc.write(chunk);
      }
      proc.end();
      await done;
    } finally {
      clearTimeout(timer);
      this.warmUpSession();
    }
    if (exit!.code !== 0) throw new ToolError('nft -f -', exit!.code, stderr, '', exit!.why);
  }

  /**
   * Start the session after a one-shot transaction (a full sync is followed by small ones), not during
   * it: nft -i's start takes CPU the full sync's nft needs on a small machine. It does not touch the kernel.
   */
  private warmUpSession(): void {
    this.session?.warmUp();
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
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

  async listTable(family: 'ip' | 'ip6', table: string): Promise<TableListing | undefined> {
    let stdout: string;
    try {
      // -t (terse) leaves set elements out: the listing stays small however many Services there are.
      stdout = (await runTool('nft', ['-j', '-t', 'list', 'table', family, table], this.tool())).stdout;
    } catch (err) {
      if (err instanceof ToolError && err.exitCode !== null) return undefined;
      throw err;
    }
    type Item = { chain?: { name: string }; rule?: { chain: string }; set?: { name: string }; map?: { name: string } };
    const parsed = JSON.parse(stdout || '{"nftables":[]}') as { nftables?: Item[] };
    const chains = new Map<string, number>();
    const sets = new Set<string>();
    for (const item of parsed.nftables ?? []) {
      if (item.chain) chains.set(item.chain.name, chains.get(item.chain.name) ?? 0);
      else if (item.rule) chains.set(item.rule.chain, (chains.get(item.rule.chain) ?? 0) + 1);
      else if (item.set ?? item.map) sets.add((item.set ?? item.map)!.name);
    }
    return { chains, sets };
  }

  async missingElements(family: 'ip' | 'ip6', table: string, probes: readonly ElementProbe[]): Promise<ElementProbe[]> {
    // One `nft -f` of `get element` lines stops at the first element it cannot find and names its line:
    // that probe is missing, and the rest are asked again (one call when nothing is missing).
    const missing: ElementProbe[] = [];
    let left = [...probes];
    while (left.length > 0) {
      const script = left.map((p) => `get element ${family} ${table} ${p.set} { ${p.key} }\n`).join('');
      try {
        await runTool('nft', ['-f', '-'], { ...this.tool(), stdin: script });
        break;
      } catch (err) {
        if (!(err instanceof ToolError) || err.exitCode === null) throw err;
        const line = Number(/:(\d+):\d+(?:-\d+)?: Error/.exec(err.message)?.[1]);
        if (!Number.isInteger(line) || line < 1 || line > left.length) throw err;
        missing.push(left[line - 1]!);
        left = left.slice(line);
      }
    }
    return missing;
  }

  private tool(): RunToolOptions {
    return { ...(this.opts.netns ? { netns: this.opts.netns } : {}), timeoutMs: this.opts.timeoutMs ?? 120_000 };
  }
}
