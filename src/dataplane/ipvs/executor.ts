// Applies an IpvsProgram. Each sync runs three tools at once: ipsets (ipset restore) then the iptables
// rules (iptables-restore --noflush, skipped on partial syncs when unchanged); kube-ipvs0 addresses (one
// ip -batch adding and removing); virtual and real servers (one ipvsadm --restore of the difference).
// Partial syncs diff against what the last apply committed; full syncs read the kernel first (all reads at
// once). Removed TCP real servers drain at weight 0 and are deleted once idle.

import { BlockList, isIP } from 'node:net';
import type { ApplyResult, Executor, SyncInput } from '../types.js';
import { runTool, ToolError, type RunToolOptions, type ToolResult } from '../../exec/run-tool.js';
import type { IPFamily } from '../../model/types.js';
import type { Logger } from '../../observability/logger.js';
import type { BackendChoice, IptablesBackend } from '../../netfilter/backend.js';
import { resolveScheduler } from '../../schedulers/scheduler-table.js';
import { cleanupIpvs } from './cleanup.js';
import { GracefulTermination } from './graceful-termination.js';
import { iptablesTools, resolveIptablesBackend } from './iptables-tools.js';
import { diffIpvs, type IpvsDiff } from './ipvs-diff.js';
import { connectionCounts, ipvsadmRestore, type IpvsadmRunner } from './ipvsadm-batch.js';
import { tableOf, type IpvsTable, type KernelVirtualServer } from './ipvsadm-state.js';
import { prepareKernel, proveScheduler, type KernelSettings, type RunTool } from './kernel-setup.js';
import { addressBatch, ipsetRestoreScript, onlyBenignAddressErrors } from './kernel-sets.js';
import { iptablesRestoreInput, readKernel } from './kernel-view.js';
import { ipvsDamage } from './kernel-damage.js';
import { RepairReporter } from '../rule-repairs.js';
import type { Counter } from '../../observability/prometheus.js';
import { ipsetName } from './ipset-table.js';
import { realServerKey, virtualServerKey, type FamilyIpvsProgram, type VirtualServer, type IpvsProgram } from './program.js';
import { DUMMY_DEVICE } from './renderer.js';
import { settleAll, SyncClock, type SyncTimings } from './sync-timings.js';

export interface IpvsExecutorOptions {
  readonly netns?: string;
  readonly logger?: Logger;
  readonly kernel?: KernelSettings;
  /** --ipvs-exclude-cidrs: virtual servers in these ranges are never changed or deleted. */
  readonly excludeCIDRs?: readonly string[];
  readonly iptablesBackend?: BackendChoice;
  /** How often draining real servers are checked for remaining connections (upstream: 1 minute). */
  readonly gracefulCheckIntervalMs?: number;
  /** The scheduler Services get by default (--ipvs-scheduler); the kernel scheduler it runs is proven at start. */
  readonly defaultScheduler?: string;
  /** Runs the tools (default runTool); tests pass a recorder. */
  readonly runTool?: RunTool;
  /** kproxy_sync_repairs_total: full syncs that found committed state missing from the kernel. */
  readonly syncRepairsTotal?: Counter<'mode' | 'reason'>;
}

/**
 * A sync's tools take time in proportion to the cluster: a first sync's address batch adds every Service
 * IP to kube-ipvs0 one netlink request at a time, each costlier as the device fills (30,000 took over a
 * minute in user-mode Linux). Killed at runTool's default minute it would fail every retry; like the
 * iptables mode's restores, these get ten minutes, which still ends a hung tool.
 */
const SYNC_TOOL_TIMEOUT_MS = 600_000;

interface OwnershipEvidence {
  readonly families: ReadonlySet<number>;
  readonly boundNow: ReadonlySet<string>;
  readonly priorSets: ReadonlyMap<string, ReadonlySet<string>>;
}

export class IpvsExecutor implements Executor<IpvsProgram> {
  private prepared = false;
  private readonly proven = new Set<string>();
  private table: IpvsTable | undefined;
  private sets = new Map<string, Set<string>>();
  private bound = new Set<string>();
  private backend: IptablesBackend | undefined;
  /** The nat + filter text each family's last successful iptables-restore got. */
  private readonly committedRules = new Map<IPFamily, string>();
  /** What the last apply wanted, for the repair report of the next full sync (kernel-damage.ts). */
  private readonly committedPrograms = new Map<IPFamily, FamilyIpvsProgram>();
  private committedServers: IpvsTable | undefined;
  private readonly repairs: RepairReporter;
  private clock: SyncClock | undefined;
  private timings: SyncTimings = { steps: {}, totalMs: 0, toolRuns: 0 };
  private readonly exclude = new BlockList();
  readonly graceful: GracefulTermination;

  constructor(private readonly o: IpvsExecutorOptions = {}) {
    this.repairs = new RepairReporter('ipvs', o.logger, o.syncRepairsTotal);
    for (const cidr of o.excludeCIDRs ?? []) {
      const [net, bits] = cidr.split('/');
      if (net && bits && isIP(net)) this.exclude.addSubnet(net, Number(bits), isIP(net) === 6 ? 'ipv6' : 'ipv4');
    }
    this.graceful = new GracefulTermination(this.tool, o.gracefulCheckIntervalMs ?? 60_000, o.logger, this.runTool);
    this.graceful.onDeleted = (keys) => {
      for (const key of keys) {
        const [vsKey = '', rsKey = ''] = key.split(' ');
        this.table?.get(vsKey)?.realServers.delete(rsKey);
      }
    };
  }

  private get runTool(): RunTool {
    return this.o.runTool ?? runTool;
  }

  private get tool(): RunToolOptions {
    return this.o.netns ? { netns: this.o.netns } : {};
  }

  /** Sysctls and the default scheduler's module, as upstream checks them before it starts. */
  async preflight(): Promise<void> {
    await this.prepare();
    const scheduler = resolveScheduler('ipvs', this.o.defaultScheduler ?? '').meaning.runs;
    await proveScheduler(scheduler, this.tool, this.runTool);
    this.proven.add(scheduler);
  }

  private async prepare(): Promise<void> {
    if (this.prepared) return;
    await prepareKernel(this.o.kernel ?? { strictARP: false, tcpTimeout: 0, tcpFinTimeout: 0, udpTimeout: 0 }, this.tool, this.o.logger, this.runTool);
    this.prepared = true;
  }

  /** Per-step times of the last apply (for the benchmark and debugging slow syncs). */
  get lastTimings(): SyncTimings {
    return this.timings;
  }

  async apply(program: IpvsProgram, _input: SyncInput): Promise<ApplyResult> {
    await this.prepare();
    const clock = (this.clock = new SyncClock());
    try {
      await this.sync(program, clock);
    } catch (err) {
      this.forgetCommitted(); // what the kernel holds is unknown now: the next apply reads it
      throw err;
    } finally {
      this.timings = clock.result();
    }
    return { warnings: program.warnings };
  }

  private async sync(program: IpvsProgram, clock: SyncClock): Promise<void> {
    this.backend ??= await resolveIptablesBackend(this.o.iptablesBackend ?? 'auto', this.tool);
    const full = program.full || this.table === undefined;
    const want = program.families.flatMap((f) => f.virtualServers);
    const seen = full
      ? await clock.time('read', () => readKernel(program, this.backend!, (cmd, args) => this.run(cmd, args)))
      : { table: this.table ?? new Map(), sets: this.sets, bound: this.bound, saved: new Map() };
    if (full && this.committedServers) {
      const committed = { servers: this.committedServers, sets: this.sets, bound: this.bound, rules: this.committedPrograms };
      this.repairs.report(ipvsDamage(committed, seen));
    }
    await this.proveSchedulers(want.map((v) => v.scheduler), seen.table);

    const families = new Set<number>(program.families.map((f) => (f.family === 'IPv6' ? 6 : 4)));
    const owns = (vs: KernelVirtualServer, key: string) => this.owns(vs, key, { families, boundNow: seen.bound, priorSets: seen.sets });
    const diff = await this.diffServers(want, seen.table, owns);
    const wantSets = program.families.flatMap((f) => f.ipsets);
    const setScript = ipsetRestoreScript(wantSets, seen.sets, full);
    const wantBound = new Set(program.families.flatMap((f) => f.boundAddresses));
    const stale = [...seen.bound].filter((a) => !wantBound.has(a) && families.has(isIP(a)));
    const addresses = addressBatch(DUMMY_DEVICE, [...wantBound].filter((a) => !seen.bound.has(a)), stale);
    // Partial syncs skip iptables-restore when the rules are what the last apply committed (they only
    // change when an ipset goes from empty to non-empty or back); full syncs always rewrite them.
    const rules = program.families
      .map((fp) => ({ fp, text: iptablesRestoreInput(fp, seen.saved.get(fp.family)) }))
      .filter((r) => full || r.fp.nat + r.fp.filter !== this.committedRules.get(r.fp.family));

    // The ipsets must exist before rules match them; addresses and virtual servers depend on neither, so
    // the three tools run at once.
    await settleAll([
      (setScript ? clock.time('ipset', () => this.run('ipset', ['restore', '-exist'], setScript)) : Promise.resolve())
        .then(() => this.sets = new Map(wantSets.map((s) => [s.name, new Set(s.members)])))
        .then(() => (rules.length > 0 ? clock.time('iptables', () => this.restoreRules(rules)) : undefined)),
      addresses ? clock.time('addresses', () => this.changeAddresses(addresses)) : Promise.resolve(),
      diff.commands.length > 0 ? clock.time('ipvsadm', () => ipvsadmRestore(this.ipvsadm, diff.commands)) : Promise.resolve(),
    ]);
    this.graceful.update(diff, new Set(want.map(virtualServerKey)));
    this.bound = wantBound;
    this.table = this.nextTable(want, seen.table, owns);
    this.committedServers = tableOf(want);
    if (this.graceful.size > 0) await clock.time('graceful', () => this.graceful.collect());
  }

  /**
   * The ipvsadm lines for this sync. TCP real servers about to drain are first checked for connections
   * (one listing of just their virtual servers): idle ones are deleted at once, so a changed endpoint is
   * one -a and one -d line, with no drain to collect afterwards.
   */
  private async diffServers(want: readonly VirtualServer[], current: IpvsTable, owns: (vs: KernelVirtualServer, key: string) => boolean): Promise<IpvsDiff> {
    const draining = this.graceful.keys();
    const first = diffIpvs(want, current, { owns, draining });
    if (first.draining.size === 0) return first;
    const counts = await this.clock!.time('graceful', () => connectionCounts(this.ipvsadm, [...first.draining.values()].map((d) => d.vs)).catch(() => new Map<string, number>()));
    const idle = new Set([...first.draining.keys()].filter((key) => counts.get(key) === 0));
    return idle.size === 0 ? first : diffIpvs(want, current, { owns, draining, idle });
  }

  private readonly ipvsadm: IpvsadmRunner = (args, stdin) => this.run('ipvsadm', args, stdin);

  private async restoreRules(rules: readonly { fp: FamilyIpvsProgram; text: string }[]): Promise<void> {
    for (const { fp, text } of rules) {
      const tools = iptablesTools(this.backend!, fp.family);
      await this.run(tools.restore, ['-w', '5', '--noflush', '--counters'], text);
      this.committedRules.set(fp.family, fp.nat + fp.filter);
      this.committedPrograms.set(fp.family, fp);
    }
  }

  private async changeAddresses(script: string): Promise<void> {
    try {
      await this.run('ip', ['-force', '-batch', '-'], script);
    } catch (err) {
      if (!(err instanceof ToolError && onlyBenignAddressErrors(err.stderr))) throw err;
    }
  }

  /** runTool in this executor's namespace, counted in the sync's timings. */
  private run(cmd: string, args: readonly string[], stdin?: string): Promise<ToolResult> {
    if (this.clock) this.clock.toolRuns++;
    return this.runTool(cmd, args, { ...this.tool, ...(stdin === undefined ? {} : { stdin }), timeoutMs: SYNC_TOOL_TIMEOUT_MS });
  }

  private forgetCommitted(): void {
    this.table = undefined;
    this.sets = new Map();
    this.bound = new Set();
    this.committedRules.clear();
    this.committedPrograms.clear();
    this.committedServers = undefined;
  }

  /** What the kernel holds after this apply: the wanted servers, the draining ones, and others' servers. */
  private nextTable(want: readonly VirtualServer[], current: IpvsTable, owns: (vs: KernelVirtualServer, key: string) => boolean): IpvsTable {
    const next = tableOf(want);
    for (const [key, vs] of current) if (!next.has(key) && !owns(vs, key)) next.set(key, vs);
    for (const d of this.graceful.entries()) next.get(virtualServerKey(d.vs))?.realServers.set(realServerKey(d.rs), { ...d.rs, weight: 0 });
    return next;
  }

  /**
   * A virtual server is kproxy's when it is not in an excluded range, is of a family this program covers,
   * and was committed by this process, sits on a kube-ipvs0 address, or is a NodePort (its port is in a
   * KUBE-NODE-PORT set). Anything else on the machine is someone else's.
   */
  private owns(vs: KernelVirtualServer, key: string, seen: OwnershipEvidence): boolean {
    const family = isIP(vs.address);
    if (!seen.families.has(family) || this.exclude.check(vs.address, family === 6 ? 'ipv6' : 'ipv4')) return false;
    if (this.table?.has(key) || seen.boundNow.has(vs.address)) return true;
    const fam = family === 6 ? 'IPv6' : 'IPv4';
    const id = ({ TCP: 'nodePortTCP', UDP: 'nodePortUDP', SCTP: 'nodePortSCTP' } as const)[vs.protocol];
    const members = seen.priorSets.get(ipsetName(id, fam));
    return members?.has(vs.protocol === 'SCTP' ? `${vs.address},sctp:${vs.port}` : String(vs.port)) ?? false;
  }

  private async proveSchedulers(schedulers: readonly string[], current: IpvsTable): Promise<void> {
    const inUse = new Set([...current.values()].map((v) => v.scheduler));
    for (const s of new Set(schedulers)) {
      if (this.proven.has(s)) continue;
      if (!inUse.has(s)) await proveScheduler(s, this.tool, this.runTool);
      this.proven.add(s);
    }
  }

  async cleanup(): Promise<void> {
    await cleanupIpvs(this.tool, this.o.logger);
    this.graceful.stop();
    this.forgetCommitted();
  }

  async close(): Promise<void> {
    this.graceful.stop();
  }
}
