// Applies an NftProgram. Every apply is ONE `nft -f` transaction covering both families, so the kernel
// holds either the old ruleset or the new one. The executor remembers what it committed and, on a
// partial sync, sends only the elements, rules and chains of the service ports that changed: it never
// lists the ruleset to do so. Periodic full syncs first check the kernel (chains, rule counts, sets, one
// element of each set); when intact they are diffs too, when damaged they log, count and rewrite everything.

import type { ApplyResult, Executor, SyncInput } from '../types.js';
import type { IPFamily } from '../../model/types.js';
import type { Logger } from '../../observability/logger.js';
import type { Counter } from '../../observability/prometheus.js';
import { naming, RepairReporter, type RuleDamage } from '../rule-repairs.js';
import { resolveScheduler, schedulerWarning } from '../../schedulers/scheduler-table.js';
import { CommittedFamily } from './committed-state.js';
import { NftCommand, type NftRunner } from './nft-runner.js';
import { fullFamilyChunks, TABLE_NAME, type FamilyProgram, type NftProgram } from './program.js';

export interface NftExecutorMetrics {
  readonly nftablesSyncFailuresTotal?: Counter;
  readonly nftablesCleanupFailuresTotal?: Counter;
  /** kproxy-only: full syncs that found the table damaged and rewrote it, by what was found. */
  readonly syncRepairsTotal?: Counter<'mode' | 'reason'>;
  /** kproxy-only: service ports whose scheduler fell back (scheduler table), by requested scheduler. */
  readonly schedulerFallbacksTotal?: Counter<'scheduler'>;
}

export interface NftExecutorOptions {
  readonly netns?: string;
  readonly runner?: NftRunner;
  readonly logger?: Logger;
  readonly metrics?: NftExecutorMetrics;
}

export class NftSyncError extends Error {
  readonly code = 'KPROXY_NFT_SYNC';
  constructor(message: string, readonly script: string) {
    super(message);
    this.name = 'NftSyncError';
  }
}

export class NftExecutor implements Executor<NftProgram> {
  private readonly runner: NftRunner;
  private readonly committed = new Map<IPFamily, CommittedFamily>();
  private readonly warned = new Set<string>();
  private readonly repairs: RepairReporter;
  private sent: string[] = [];
  /** The last rewrite was refused: the next one recreates the table. */
  private recreateNext = false;
  lastWasFull = false;

  constructor(private readonly opts: NftExecutorOptions = {}) {
    this.runner = opts.runner ?? new NftCommand(opts.netns ? { netns: opts.netns } : {});
    this.repairs = new RepairReporter('nftables', opts.logger, opts.metrics?.syncRepairsTotal);
  }

  async apply(program: NftProgram, _input: SyncInput): Promise<ApplyResult> {
    const rewrite = await this.mustRewrite(program);
    // Per family: undefined = a delta, else the stale chains a full rewrite deletes (read from the kernel).
    const stale = new Map<FamilyProgram, string[]>();
    for (const fp of program.families) {
      const c = this.committed.get(fp.family);
      if (rewrite || !c || c.needsFull(fp)) {
        const inKernel = await this.runner.chains(fp.nftFamily, TABLE_NAME);
        const wanted = new Set(fp.chains.map((ch) => ch.name));
        stale.set(fp, [...inKernel].filter((n) => !wanted.has(n)));
      }
    }
    this.sent = [];
    this.lastWasFull = rewrite;
    const recreate = stale.size > 0 && this.recreateNext;
    try {
      if (stale.size > 0 && this.runner.applyChunks) {
        await this.runner.applyChunks(this.recorded(this.transaction(program, stale, recreate)));
      } else {
        const script = [...this.recorded(this.transaction(program, stale, recreate))].join('');
        if (script !== '') await this.runner.apply(script);
      }
    } catch (err) {
      this.opts.metrics?.nftablesSyncFailuresTotal?.inc();
      // The kernel kept the old ruleset; forget ours so the retry rewrites everything. A refused rewrite
      // may mean the table holds sets of another shape (an older kproxy): `add map` cannot change a
      // map's type, so the retry deletes and recreates the table (losing only affinity entries).
      this.committed.clear();
      if (stale.size > 0) this.recreateNext = true;
      throw new NftSyncError(`nft transaction failed: ${(err as Error).message}`, this.lastScript);
    }
    if (stale.size > 0) this.recreateNext = false;
    this.adopt(program, rewrite);
    return { warnings: this.schedulerWarnings(program) };
  }

  /** The last transaction sent (for tests and `explain`). */
  get lastScript(): string {
    return this.sent.join('');
  }

  /** One transaction for every family: full scripts where `stale` says so, deltas elsewhere. */
  private *transaction(program: NftProgram, stale: ReadonlyMap<FamilyProgram, readonly string[]>, recreate: boolean): Generator<string> {
    for (const fp of program.families) {
      const staleChains = stale.get(fp);
      if (staleChains && recreate) {
        // `add` first so the delete cannot fail on a missing table.
        yield `add table ${fp.nftFamily} ${TABLE_NAME}\ndelete table ${fp.nftFamily} ${TABLE_NAME}\n`;
        yield* fullFamilyChunks(fp, []);
        continue;
      }
      if (staleChains) {
        yield* fullFamilyChunks(fp, staleChains);
        continue;
      }
      const c = this.committed.get(fp.family)!;
      const out: string[] = [];
      c.delta(fp, program.full ? new Set([...c.contributions.keys(), ...fp.services.keys()]) : program.changed, out);
      if (out.length > 0) yield out.join('\n') + '\n';
    }
  }

  private *recorded(chunks: Iterable<string>): Generator<string> {
    for (const chunk of chunks) {
      this.sent.push(chunk);
      yield chunk;
    }
  }

  async cleanup(): Promise<void> {
    for (const family of ['ip', 'ip6'] as const) {
      try {
        const exists = (await this.runner.chains(family, TABLE_NAME)).size > 0 || (await this.runner.listSet(family, TABLE_NAME, 'canary')) !== undefined;
        if (exists) await this.runner.apply(`delete table ${family} ${TABLE_NAME}\n`);
      } catch (err) {
        this.opts.metrics?.nftablesCleanupFailuresTotal?.inc();
        this.opts.logger?.error('Error cleaning up nftables rules', { err: (err as Error).message, family });
      }
    }
    this.committed.clear();
  }

  async close(): Promise<void> {
    this.runner.close?.();
  }

  /** Rewrite when nothing is committed, or on a full sync that finds the kernel damaged. */
  private async mustRewrite(program: NftProgram): Promise<boolean> {
    if (program.families.some((f) => !this.committed.has(f.family))) return true;
    if (!program.full) return false;
    let damaged = false;
    for (const fp of program.families) {
      const damage = await this.damage(fp);
      this.repairs.report(damage, { family: fp.nftFamily });
      damaged ||= damage.length > 0;
    }
    return damaged;
  }

  /**
   * How the kernel differs from what we committed: chains and sets by name, rules by count per chain (one
   * terse listing, no elements), and one committed element per set (a batch of `get element`). Catches a
   * flushed table, chain or map; see README.md "Syncs" for what it cannot see.
   */
  private async damage(fp: FamilyProgram): Promise<RuleDamage[]> {
    const committed = this.committed.get(fp.family)!;
    const listing = await this.runner.listTable(fp.nftFamily, TABLE_NAME);
    if (!listing) return [{ reason: 'missing-table', detail: `table ${fp.nftFamily} ${TABLE_NAME} is gone` }];
    const out: RuleDamage[] = [];
    const rules = committed.ruleCounts();
    const missingChains = [...rules.keys()].filter((n) => !listing.chains.has(n));
    if (missingChains.length > 0) out.push({ reason: 'missing-chains', detail: naming('missing chains', missingChains) });
    const fewer: string[] = [];
    const more: string[] = [];
    for (const [name, want] of rules) {
      const have = listing.chains.get(name);
      if (have === undefined || have === want) continue;
      (have < want ? fewer : more).push(`${name} (${have} of ${want})`);
    }
    if (fewer.length > 0) out.push({ reason: 'missing-rules', detail: naming('chains missing rules', fewer) });
    if (more.length > 0) out.push({ reason: 'extra-rules', detail: naming('chains with rules kproxy did not write', more) });
    const missingSets = committed.setNames().filter((n) => !listing.sets.has(n));
    if (missingSets.length > 0) out.push({ reason: 'missing-sets', detail: naming('missing sets', missingSets) });
    const probes = committed.probeElements().filter((p) => listing.sets.has(p.set));
    const lost = probes.length === 0 ? [] : await this.runner.missingElements(fp.nftFamily, TABLE_NAME, probes);
    if (lost.length > 0) out.push({ reason: 'missing-elements', detail: naming('sets missing elements', lost.map((p) => `${p.set} { ${p.key} }`)) });
    return out;
  }

  private adopt(program: NftProgram, rewrite: boolean): void {
    for (const fp of program.families) {
      const c = this.committed.get(fp.family);
      if (!c || rewrite) this.committed.set(fp.family, new CommittedFamily(fp));
      else if (program.full) c.adopt(fp, fp.services.keys());
      else c.adopt(fp, program.changed, false);
    }
  }

  private schedulerWarnings(program: NftProgram): string[] {
    const out: string[] = [];
    for (const fp of program.families) {
      const keys = program.full ? fp.services.keys() : program.changed;
      for (const key of keys) {
        const asked = fp.services.get(key)?.fallbackScheduler;
        const id = `${key}|${asked}`;
        if (!asked || this.warned.has(id)) continue;
        this.warned.add(id);
        this.opts.metrics?.schedulerFallbacksTotal?.labels({ scheduler: asked }).inc();
        const warning = schedulerWarning('nftables', key, resolveScheduler('nftables', asked));
        if (warning) out.push(warning);
      }
    }
    return out;
  }
}
