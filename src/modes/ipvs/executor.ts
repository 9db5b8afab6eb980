// Applies an IpvsProgram. Each sync: ipsets (ipset restore), kube-ipvs0 addresses (ip -batch), virtual
// and real servers (one ipvsadm --restore of the difference), then the iptables rules (iptables-restore
// --noflush), then stale addresses go. Partial syncs diff against what the last apply committed; full
// syncs read the kernel first. Removed TCP real servers drain at weight 0 and are deleted once idle.

import { BlockList, isIP } from 'node:net';
import type { ApplyResult, Executor, SyncInput } from '../../dataplane/types.js';
import { runTool, type RunToolOptions } from '../../exec/run-tool.js';
import type { Logger } from '../../observability/logger.js';
import type { BackendChoice, IptablesBackend } from '../iptables/backend.js';
import { cleanupIpvs } from './cleanup.js';
import { GracefulTermination } from './graceful-termination.js';
import { jumpRuleSpec } from './iptables-rules.js';
import { iptablesTools, resolveIptablesBackend } from './iptables-tools.js';
import { diffIpvs } from './ipvs-diff.js';
import { parseIpvsadmSave, tableOf, type IpvsTable, type KernelVirtualServer } from './ipvsadm-state.js';
import { prepareKernel, proveScheduler, type KernelSettings } from './kernel-setup.js';
import { addressBatch, ipsetRestoreScript, parseDeviceAddresses, parseIpsetSave } from './kernel-sets.js';
import { ipsetName } from './ipset-table.js';
import { realServerKey, virtualServerKey, type FamilyIpvsProgram, type VirtualServer, type IpvsProgram } from './program.js';
import { DUMMY_DEVICE } from './renderer.js';

export interface IpvsExecutorOptions {
  readonly netns?: string;
  readonly logger?: Logger;
  readonly kernel?: KernelSettings;
  /** --ipvs-exclude-cidrs: virtual servers in these ranges are never changed or deleted. */
  readonly excludeCIDRs?: readonly string[];
  readonly iptablesBackend?: BackendChoice;
  /** How often draining real servers are checked for remaining connections (upstream: 1 minute). */
  readonly gracefulCheckIntervalMs?: number;
  /** The scheduler Services get by default (--ipvs-scheduler), proven at start. */
  readonly defaultScheduler?: string;
}

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
  private readonly exclude = new BlockList();
  readonly graceful: GracefulTermination;

  constructor(private readonly o: IpvsExecutorOptions = {}) {
    for (const cidr of o.excludeCIDRs ?? []) {
      const [net, bits] = cidr.split('/');
      if (net && bits && isIP(net)) this.exclude.addSubnet(net, Number(bits), isIP(net) === 6 ? 'ipv6' : 'ipv4');
    }
    this.graceful = new GracefulTermination(this.tool, o.gracefulCheckIntervalMs ?? 60_000, o.logger);
  }

  private get tool(): RunToolOptions {
    return this.o.netns ? { netns: this.o.netns } : {};
  }

  /** Sysctls and the default scheduler's module, as upstream checks them before it starts. */
  async preflight(): Promise<void> {
    await this.prepare();
    const scheduler = this.o.defaultScheduler || 'rr';
    await proveScheduler(scheduler, this.tool);
    this.proven.add(scheduler);
  }

  private async prepare(): Promise<void> {
    if (this.prepared) return;
    await prepareKernel(this.o.kernel ?? { strictARP: false, tcpTimeout: 0, tcpFinTimeout: 0, udpTimeout: 0 }, this.tool, this.o.logger);
    this.prepared = true;
  }

  async apply(program: IpvsProgram, _input: SyncInput): Promise<ApplyResult> {
    await this.prepare();
    const full = program.full || this.table === undefined;
    const want = program.families.flatMap((f) => f.virtualServers);
    const current = full ? parseIpvsadmSave((await runTool('ipvsadm', ['-Sn'], this.tool)).stdout) : this.table ?? new Map();
    await this.proveSchedulers(want.map((v) => v.scheduler), current);
    const priorSets = await this.applySets(program, full);
    const boundNow = full ? await this.readBound() : this.bound;
    const wantBound = program.families.flatMap((f) => f.boundAddresses);
    await this.ipBatch(addressBatch(DUMMY_DEVICE, wantBound.filter((a) => !boundNow.has(a)), []));

    const families = new Set<number>(program.families.map((f) => (f.family === 'IPv6' ? 6 : 4)));
    const owns = (vs: KernelVirtualServer, key: string) => this.owns(vs, key, { families, boundNow, priorSets });
    const diff = diffIpvs(want, current, { owns, draining: this.graceful.keys() });
    if (diff.commands.length > 0) await runTool('ipvsadm', ['--restore'], { ...this.tool, stdin: `${diff.commands.join('\n')}\n` });
    this.graceful.update(diff, new Set(want.map(virtualServerKey)));

    for (const fp of program.families) await this.applyIptables(fp, full);
    const wanted = new Set(wantBound);
    await this.ipBatch(addressBatch(DUMMY_DEVICE, [], [...boundNow].filter((a) => !wanted.has(a) && families.has(isIP(a)))));
    this.bound = wanted;
    this.table = this.nextTable(want, current, owns);
    if (this.graceful.size > 0) await this.graceful.collect();
    return { warnings: program.warnings };
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
      if (!inUse.has(s)) await proveScheduler(s, this.tool);
      this.proven.add(s);
    }
  }

  /** Returns the members the kernel held before (the committed ones on a partial sync). */
  private async applySets(program: IpvsProgram, full: boolean): Promise<ReadonlyMap<string, ReadonlySet<string>>> {
    const wantSets = program.families.flatMap((f) => f.ipsets);
    let current: Map<string, Set<string>> = this.sets;
    if (full) {
      const names = new Set(wantSets.map((s) => s.name));
      current = parseIpsetSave((await runTool('ipset', ['save'], this.tool)).stdout, names);
    }
    const script = ipsetRestoreScript(wantSets, current, full);
    if (script) await runTool('ipset', ['restore', '-exist'], { ...this.tool, stdin: script });
    this.sets = new Map(wantSets.map((s) => [s.name, new Set(s.members)]));
    return current;
  }

  private async readBound(): Promise<Set<string>> {
    const out = await runTool('ip', ['-o', 'addr', 'show', 'dev', DUMMY_DEVICE], this.tool);
    return new Set(parseDeviceAddresses(out.stdout));
  }

  private async ipBatch(script: string): Promise<void> {
    if (script) await runTool('ip', ['-batch', '-'], { ...this.tool, stdin: script });
  }

  private async applyIptables(fp: FamilyIpvsProgram, full: boolean): Promise<void> {
    this.backend ??= await resolveIptablesBackend(this.o.iptablesBackend ?? 'auto', this.tool);
    const tools = iptablesTools(this.backend, fp.family);
    let text = '';
    for (const table of ['nat', 'filter'] as const) {
      let body = fp[table];
      if (full) {
        const saved = (await runTool(tools.save, ['-t', table], this.tool)).stdout;
        const missing = fp.jumps.filter((j) => j.table === table && !saved.includes(`-A ${j.from} ${jumpRuleSpec(j)}`));
        const inserts = missing.map((j) => `-I ${j.from} 1 ${jumpRuleSpec(j)}\n`).join('');
        body = body.replace(/COMMIT\n$/, `${inserts}COMMIT\n`);
      }
      text += body;
    }
    await runTool(tools.restore, ['-w', '5', '--noflush', '--counters'], { ...this.tool, stdin: text });
  }

  async cleanup(): Promise<void> {
    await cleanupIpvs(this.tool, this.o.logger);
    this.graceful.stop();
    this.table = undefined;
    this.sets.clear();
    this.bound.clear();
  }

  async close(): Promise<void> {
    this.graceful.stop();
  }
}
