// Applies an IptablesProgram: per family and table one `iptables-restore --noflush` (atomic per table:
// on failure the kernel keeps the previous rules and apply throws). Full syncs first read the table with
// iptables-save to add missing jump rules and delete stale service chains. Afterwards: rule-count metrics
// (UDP conntrack cleanup is the Proxier's, for every kernel mode). A canary chain per table tells when
// someone flushed the rules; a full sync also counts the rules of our top-level chains, so damage is logged
// and counted as a repair (rule-damage.ts). Large iptables-nft inputs start with a listing that keeps
// iptables-nft from going quadratic (nft-restore-cache.ts).

import type { ApplyResult, Executor, SyncInput } from '../types.js';
import { runTool, type RunToolOptions } from '../../exec/run-tool.js';
import type { IPFamily } from '../../model/types.js';
import type { Logger } from '../../observability/logger.js';
import type { ProxyMetrics } from '../../observability/metrics.js';
import { detectBackend, toolsFor, type BackendChoice, type IptablesBackend, type IptablesTools } from '../../netfilter/backend.js';
import { KUBE_PROXY_CANARY } from '../../netfilter/chain-names.js';
import { cleanupBackend } from './cleanup.js';
import { fullSyncExtras } from './full-sync-extras.js';
import { restoreTextFor } from './nft-restore-cache.js';
import type { TableName } from '../../netfilter/restore-writer.js';
import type { FamilyProgram, IptablesProgram } from './program.js';
import { tableDamage, topLevelRuleCounts } from './rule-damage.js';
import { readTableState } from './table-reader.js';
import { RepairReporter, type RuleDamage } from '../rule-repairs.js';

export type IptablesMetrics = Pick<
  ProxyMetrics,
  'iptablesRestoreFailuresTotal' | 'iptablesPartialRestoreFailuresTotal' | 'iptablesRulesTotal' | 'iptablesRulesLastSync'
> &
  Partial<Pick<ProxyMetrics, 'syncRepairsTotal'>>;

export interface IptablesExecutorOptions {
  /** Back end: auto (detect as iptables-wrapper does), nft or legacy. Default auto. */
  readonly backend?: BackendChoice;
  /** Run every tool inside this network namespace (tests, benchmarks). */
  readonly netns?: string;
  readonly logger?: Logger;
  readonly metrics?: IptablesMetrics;
  /** Seconds iptables-restore waits for the xtables lock (-w). Default 5, as upstream. */
  readonly lockWaitSeconds?: number;
  /** Kill a restore after this long (default 10 min: 10k Services take minutes on a 2-core machine). */
  readonly restoreTimeoutMs?: number;
}

/** Where the last apply spent its wall time, in ms (benchmarks, debug logs). */
export interface ApplyTimings {
  /** Reading the tables before a full sync (iptables-save, or `iptables -S` of the built-in chains). */
  readonly readMs: number;
  /** Building the restore input text. */
  readonly textMs: number;
  /** iptables-restore processes, from spawn to exit. */
  readonly restoreMs: number;
}

const sinceMs = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

export class RestoreError extends Error {
  readonly code = 'KPROXY_IPTABLES_RESTORE';
  constructor(
    readonly family: IPFamily,
    readonly table: string,
    message: string,
  ) {
    super(message);
    this.name = 'RestoreError';
  }
}

export class IptablesExecutor implements Executor<IptablesProgram> {
  private backend: IptablesBackend | undefined;
  private readonly committed = new Map<IPFamily, FamilyProgram>();
  /** Families whose tables hold exactly their committed program: no failed restore, no flush seen since. */
  private readonly inForce = new Set<IPFamily>();
  private routeLocalnetSet = false;
  private readonly waitArgs: string[];
  private timings = { readMs: 0, textMs: 0, restoreMs: 0 };
  /** Per family and table: rules per top-level chain as the last restore declaring each chain wrote them. */
  private readonly topLevelCounts = new Map<IPFamily, Record<TableName, Map<string, number>>>();
  private readonly repairs: RepairReporter;

  constructor(private readonly opts: IptablesExecutorOptions = {}) {
    this.waitArgs = ['-w', String(opts.lockWaitSeconds ?? 5), '-W', '100000'];
    this.repairs = new RepairReporter('iptables', opts.logger, opts.metrics?.syncRepairsTotal);
  }

  private get toolOpts(): RunToolOptions {
    return this.opts.netns ? { netns: this.opts.netns } : {};
  }

  /** The back end in use (resolving `auto` on first use). */
  async resolveBackend(): Promise<IptablesBackend> {
    this.backend ??= await detectBackend(this.opts.backend ?? 'auto', this.toolOpts);
    return this.backend;
  }

  /** The last program applied successfully for `family`. */
  lastCommitted(family: IPFamily): FamilyProgram | undefined {
    return this.committed.get(family);
  }

  /** Time spent by the last apply (summed over families). */
  get lastTimings(): ApplyTimings {
    return { ...this.timings };
  }

  async apply(program: IptablesProgram, _input: SyncInput): Promise<ApplyResult> {
    const backend = await this.resolveBackend();
    this.timings = { readMs: 0, textMs: 0, restoreMs: 0 };
    for (const fp of program.families) await this.applyFamily(fp, toolsFor(backend, fp.family));
    return { warnings: [...program.warnings] };
  }

  private async applyFamily(fp: FamilyProgram, tools: IptablesTools): Promise<void> {
    if (fp.localhostNodePorts && !this.routeLocalnetSet) {
      this.opts.logger?.info(
        'Setting route_localnet=1 to allow node-ports on localhost; to change this either disable iptables.localhostNodePorts (--iptables-localhost-nodeports) or set nodePortAddresses (--nodeport-addresses) to filter loopback addresses',
      );
      await runTool('sysctl', ['-w', 'net.ipv4.conf.all.route_localnet=1'], this.toolOpts);
      this.routeLocalnetSet = true;
    }
    const inputs = new Map<TableName, string>();
    if (fp.full) {
      // Only a program known to be in force can be missing from the kernel: a repair, logged and counted.
      const damage: RuleDamage[] = this.inForce.has(fp.family) ? await this.missingCanaries(tools) : [];
      if (damage.length > 0) this.inForce.delete(fp.family);
      await this.restore(tools, fp, 'mangle', `*mangle\n:${KUBE_PROXY_CANARY} - [0:0]\nCOMMIT\n`);
      const last = this.inForce.has(fp.family) ? this.committed.get(fp.family) : undefined;
      for (const table of ['filter', 'nat'] as const) {
        let start = process.hrtime.bigint();
        const knownChains = last ? (table === 'nat' ? last.activeServiceChains : new Set<string>()) : undefined;
        const lockWaitSeconds = this.opts.lockWaitSeconds ?? 5;
        const chainListingIsCheap = this.backend === 'nft';
        const { state: saved, via } = await readTableState({ tools, table, toolOpts: this.toolOpts, lockWaitSeconds, knownChains, chainListingIsCheap });
        this.opts.logger?.v(4).info('Read iptables table before a full sync', { ipFamily: fp.family, table, via });
        this.timings.readMs += sinceMs(start);
        start = process.hrtime.bigint();
        const extras = fullSyncExtras(fp, table, saved);
        if (last) damage.push(...tableDamage(table, this.topLevelCounts.get(fp.family)?.[table] ?? new Map(), saved, extras));
        inputs.set(table, restoreTextFor(tools.backend, fp, table, extras));
        this.timings.textMs += sinceMs(start);
      }
      this.repairs.report(damage, { ipFamily: fp.family });
    } else {
      const start = process.hrtime.bigint();
      for (const table of ['filter', 'nat'] as const) inputs.set(table, restoreTextFor(tools.backend, fp, table));
      this.timings.textMs += sinceMs(start);
    }
    // A partial program only describes the whole table when the one before it was in force.
    const wasInForce = this.inForce.delete(fp.family);
    const counts = this.topLevelCounts.get(fp.family) ?? { filter: new Map<string, number>(), nat: new Map<string, number>() };
    this.topLevelCounts.set(fp.family, counts);
    for (const [table, text] of inputs) {
      await this.restore(tools, fp, table, text);
      topLevelRuleCounts(fp[table], counts[table]);
    }
    this.committed.set(fp.family, fp);
    if (fp.full || wasInForce) this.inForce.add(fp.family);
    this.recordRuleCounts();
  }

  /** The rule gauges, per table and IP family (upstream's labels since 1.33). */
  private recordRuleCounts(): void {
    const m = this.opts.metrics;
    if (!m) return;
    for (const fp of this.committed.values()) {
      const total = m.iptablesRulesTotal.forFamily(fp.family);
      const last = m.iptablesRulesLastSync.forFamily(fp.family);
      total.labels({ table: 'filter' }).set(fp.counts.filterRulesTotal);
      last.labels({ table: 'filter' }).set(fp.counts.filterRules);
      total.labels({ table: 'nat' }).set(fp.counts.natRulesTotal);
      last.labels({ table: 'nat' }).set(fp.counts.natRules);
    }
  }

  private async restore(tools: IptablesTools, fp: FamilyProgram, table: string, text: string): Promise<void> {
    const start = process.hrtime.bigint();
    try {
      const timeoutMs = this.opts.restoreTimeoutMs ?? 600_000;
      await runTool(tools.restore, [...this.waitArgs, '--noflush', '--counters'], { ...this.toolOpts, stdin: text, timeoutMs });
      this.timings.restoreMs += sinceMs(start);
    } catch (err) {
      const m = this.opts.metrics;
      m?.iptablesRestoreFailuresTotal.forFamily(fp.family).inc();
      if (!fp.full) m?.iptablesPartialRestoreFailuresTotal.forFamily(fp.family).inc();
      const msg = (err as Error).message;
      const context = failedLines(text, msg);
      this.opts.logger?.error('Failed to execute iptables-restore', { err: msg, ipFamily: fp.family, table, rules: context });
      throw new RestoreError(fp.family, table, `${tools.restore} (${fp.family} ${table}): ${msg}${context ? `\n${context}` : ''}`);
    }
  }

  /**
   * True when the rules need a full rewrite: nothing applied yet, or a canary chain is gone from one of the
   * tables kproxy programs (someone flushed or deleted them). A canary found missing is logged and counted
   * as a repair here; the full sync it forces rewrites everything without checking again.
   */
  async needsFullSync(): Promise<boolean> {
    if (this.committed.size === 0) return true;
    const backend = await this.resolveBackend();
    for (const family of this.committed.keys()) {
      const damage = await this.missingCanaries(toolsFor(backend, family));
      if (damage.length === 0) continue;
      if (this.inForce.delete(family)) this.repairs.report(damage, { ipFamily: family });
      return true;
    }
    return false;
  }

  /** The canary chain of every table kproxy programs (mangle, nat, filter), checked concurrently. */
  private async missingCanaries(tools: IptablesTools): Promise<RuleDamage[]> {
    const tables = ['mangle', 'nat', 'filter'] as const;
    const present = await Promise.all(
      tables.map((t) => runTool(tools.iptables, ['-w', '5', '-t', t, '-S', KUBE_PROXY_CANARY], this.toolOpts).then(() => true, () => false)),
    );
    const gone = tables.filter((_, i) => !present[i]);
    return gone.length === 0 ? [] : [{ reason: 'missing-table', detail: `canary chain ${KUBE_PROXY_CANARY} missing from ${gone.join(', ')}` }];
  }

  /** Calls `onFlushed` when the canary disappears; checks every `intervalMs`. Returns a stop function. */
  monitor(intervalMs: number, onFlushed: () => void): () => void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || this.committed.size === 0) return;
      busy = true;
      this.needsFullSync()
        .then((flushed) => flushed && onFlushed())
        .catch(() => undefined)
        .finally(() => (busy = false));
    }, intervalMs);
    timer.unref?.();
    return () => clearInterval(timer);
  }

  async cleanup(): Promise<void> {
    const errors: string[] = [];
    for (const backend of ['nft', 'legacy'] as const) {
      for (const family of ['IPv4', 'IPv6'] as const) errors.push(...(await cleanupBackend(backend, family, this.toolOpts, this.waitArgs)));
    }
    this.committed.clear();
    this.inForce.clear();
    this.topLevelCounts.clear();
    if (errors.length > 0) throw new Error(`iptables cleanup failed:\n${errors.join('\n')}`);
  }

  async close(): Promise<void> {
    // No sockets or handles: the rules stay in force after kproxy exits, as upstream's do.
  }
}

/** iptables-restore names the failing line ("line 7 failed"): the lines around it, as upstream logs. */
function failedLines(text: string, message: string): string {
  const m = /line:? (\d+)/i.exec(message);
  if (!m) return '';
  const n = Number(m[1]);
  const lines = text.split('\n');
  const from = Math.max(0, n - 4);
  return lines.slice(from, Math.min(lines.length, n + 3)).map((l, i) => `${from + i + 1}: ${l}`).join('\n');
}
