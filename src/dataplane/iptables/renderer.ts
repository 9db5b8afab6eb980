// Snapshot -> IptablesProgram: one family renderer per IP family (iptables and ip6tables are separate
// rule sets), each a short sequence of rule families. Pure: `kproxy render` and the benchmarks run it
// without root.
//
// Partial syncs (input.full false) rewrite the top-level chains completely, as upstream does, but the
// per-service chains only of the ports in snapshot.changed; chains a changed port no longer uses are
// declared and deleted. Unchanged ports keep their chains untouched thanks to --noflush.

import { isIP } from 'node:net';
import type { Renderer, SyncInput } from '../types.js';
import type { IPFamily, ServicePort, Snapshot } from '../../model/types.js';
import { KUBE_PROXY_CANARY } from '../../netfilter/chain-names.js';
import { localTrafficMatch, type DetectLocalOptions } from '../../netfilter/local-match.js';
import { masqueradeMarkOf, writeForwardRules } from '../../netfilter/masquerade.js';
import { TableWriter } from '../../netfilter/restore-writer.js';
import type { KernelRenderOptions } from '../kernel-render-options.js';
import { writeMasqueradeAndLocalnetGuard, writeNodePortTail, isLoopback } from './fixed-rules.js';
import { formatIptablesProgram, type FamilyProgram, type IptablesProgram } from './program.js';
import { probabilityTable, type RenderContext } from './render-context.js';
import { renderDispatchRules, type DispatchRules } from './service-dispatch.js';
import { chainsOf, renderServiceChains, type RenderedServiceChains } from './service-chains.js';
import { planServicePort, type ServicePortPlan } from './service-plan.js';
import { TOP_LEVEL_CHAINS } from './static-structure.js';

/** Above this many endpoints, endpoint rules carry no comments (upstream's large-cluster mode). */
export const LARGE_CLUSTER_ENDPOINTS = 1000;

/** Families default to IPv4 only. */
export interface IptablesRendererOptions extends KernelRenderOptions {
  /** iptables.localhostNodePorts (default true). */
  readonly localhostNodePorts?: boolean;
  /** MASQUERADE --random-fully (default true: iptables >= 1.6.2). */
  readonly randomFully?: boolean;
  readonly conntrackTCPLiberal?: boolean;
}

const NO_DETECT_LOCAL: DetectLocalOptions = { mode: 'ClusterCIDR', clusterCIDR: '', bridgeInterface: '', interfaceNamePrefix: '' };

export class IptablesRenderer implements Renderer<IptablesProgram> {
  private readonly families: IptablesFamilyRenderer[];

  constructor(opts: IptablesRendererOptions = {}) {
    masqueradeMarkOf(opts.masqueradeBit ?? 14); // validate early
    this.families = (opts.families ?? ['IPv4']).map((f) => new IptablesFamilyRenderer(f, opts));
  }

  render(input: SyncInput): IptablesProgram {
    const warnings: string[] = [];
    const families = this.families.map((r) => r.render(input, warnings));
    return { families, warnings };
  }

  format(program: IptablesProgram): string {
    return formatIptablesProgram(program);
  }
}

/**
 * What a ServicePort object rendered to. Snapshots reuse unchanged ServicePort objects, so a WeakMap keyed
 * by the object turns a periodic full render into copying lines, and entries die with their snapshots.
 */
interface CachedPort {
  readonly plan: ServicePortPlan;
  readonly dispatch: DispatchRules;
  readonly own: RenderedServiceChains;
}

export class IptablesFamilyRenderer {
  private cache = new WeakMap<ServicePort, CachedPort>();
  private cacheKey: string | undefined;

  constructor(
    readonly family: IPFamily,
    private readonly opts: IptablesRendererOptions,
  ) {}

  render(input: SyncInput, warnings: string[] = []): FamilyProgram {
    const { snapshot } = input;
    const ports = snapshot.families[this.family].servicePorts;
    let endpoints = 0;
    for (const sp of ports.values()) endpoints += sp.endpoints.length;
    const { ctx, settingsChanged } = this.context(snapshot, endpoints > LARGE_CLUSTER_ENDPOINTS);
    // Chains of unchanged ports were written under other settings: rewrite them all.
    const full = input.full || input.previous === undefined || settingsChanged;

    const filter = new TableWriter('filter');
    const nat = new TableWriter('nat');
    // Top-level chains whose content did not change are left alone too (see topLevelUnchanged): their
    // lines still go somewhere, to be counted.
    const skipTop = !full && this.topLevelUnchanged(input, ctx);
    const topFilter = skipTop ? new TableWriter('filter') : filter;
    const topNat = skipTop ? new TableWriter('nat') : nat;
    for (const c of TOP_LEVEL_CHAINS.filter) topFilter.declare(c);
    for (const c of TOP_LEVEL_CHAINS.nat) topNat.declare(c);
    // The canary is only ever created empty; redeclaring it is harmless and recreates it after a flush.
    filter.declare(KUBE_PROXY_CANARY);
    nat.declare(KUBE_PROXY_CANARY);
    writeMasqueradeAndLocalnetGuard(ctx, topFilter, topNat);

    const owned: (readonly string[])[] = [];
    let skippedNatRules = 0;
    for (const sp of ports.values()) {
      const write = full || snapshot.changed.has(sp.key);
      const { dispatch, own } = this.rendered(sp, ctx, write, input);
      topFilter.appendRendered([], dispatch.filter);
      topNat.appendRendered([], dispatch.nat);
      if (write) nat.appendRendered(own.chains, own.rules);
      else skippedNatRules += own.rules.length;
      owned.push(own.chains);
    }
    const deleted = full ? [] : this.staleChains(input);

    warnings.push(...writeNodePortTail(ctx, topNat));
    writeForwardRules(topFilter, { mark: ctx.masqueradeMark, dropInvalid: !ctx.conntrackTCPLiberal });
    if (skipTop) skippedNatRules += topNat.rules.length;
    let active: Set<string> | undefined;
    return {
      family: this.family,
      full,
      filter: filter.finish(),
      nat: nat.finish(deleted),
      // Built on first use (full syncs look for stale chains): 60k names per partial sync add up.
      get activeServiceChains(): ReadonlySet<string> {
        return (active ??= new Set(owned.flat()));
      },
      localhostNodePorts: ctx.localhostNodePorts,
      counts: {
        filterRules: filter.rules.length,
        filterRulesTotal: topFilter.rules.length,
        natRules: nat.rules.length,
        natRulesTotal: nat.rules.length + skippedNatRules,
      },
      services: ports.size,
      endpoints,
      largeClusterMode: ctx.largeClusterMode,
    };
  }

  /**
   * The port's rules, from the cache when this object was rendered before. Chains about to be written
   * are re-rendered when the large-cluster mode flipped since (comments differ; names and counts do not).
   */
  private rendered(sp: ServicePort, ctx: RenderContext, write: boolean, input: SyncInput): CachedPort {
    const cached = this.cache.get(sp);
    if (cached && (!write || cached.own.largeClusterMode === ctx.largeClusterMode)) return cached;
    const plan = cached?.plan ?? planServicePort(sp);
    const entry: CachedPort = {
      plan,
      dispatch: cached?.dispatch ?? renderDispatchRules(plan),
      own: renderServiceChains(plan, ctx, cached?.own.endpointChains ?? this.previousEndpointChains(sp, input)),
    };
    this.cache.set(sp, entry);
    return entry;
  }

  /**
   * True when the top-level chains would come out exactly as the last sync wrote them: no port appeared
   * or disappeared and every changed port has the same dispatch rules (an endpoint change, the common
   * case). The fixed rules depend only on settings, which did not change in a partial sync. Rewriting
   * KUBE-SERVICES (one rule per Service) was most of a partial restore's time at 10k Services.
   */
  private topLevelUnchanged(input: SyncInput, ctx: RenderContext): boolean {
    const prev = input.previous?.families[this.family].servicePorts;
    const next = input.snapshot.families[this.family].servicePorts;
    if (!prev) return false;
    for (const key of input.snapshot.changed) {
      const old = prev.get(key);
      const current = next.get(key);
      if (!old && !current) continue; // changed in the other family only
      const before = old && this.cache.get(old)?.dispatch;
      if (!before || !current) return false;
      const after = this.rendered(current, ctx, true, input).dispatch;
      if (!sameLines(before.filter, after.filter) || !sameLines(before.nat, after.nat)) return false;
    }
    return true;
  }

  /** Endpoint chain names of the port's previous version (same name and protocol hash the same). */
  private previousEndpointChains(sp: ServicePort, input: SyncInput): Map<string, string> | undefined {
    const old = input.previous?.families[this.family].servicePorts.get(sp.key);
    return old && old.protocol === sp.protocol ? this.cache.get(old)?.own.endpointChains : undefined;
  }

  private context(snapshot: Snapshot, largeClusterMode: boolean): { ctx: RenderContext; settingsChanged: boolean } {
    const o = this.opts;
    const nodePortAddresses = o.nodePortAddresses ?? [];
    const want = this.family === 'IPv4' ? 4 : 6;
    // As upstream: localhost NodePorts only when the NodePort addresses include IPv4 loopback.
    const loopbackAllowed = nodePortAddresses.length === 0 || nodePortAddresses.some((a) => isIP(a) === 4 && isLoopback(a));
    const local = localTrafficMatch(o.detectLocal ?? NO_DETECT_LOCAL, this.family, snapshot.node.podCIDRs);
    const ctx: RenderContext = {
      family: this.family,
      masqueradeMark: masqueradeMarkOf(o.masqueradeBit ?? 14),
      masqueradeAll: o.masqueradeAll ?? false,
      local,
      nodeIPs: (o.nodeIPs ?? []).filter((ip) => isIP(ip) === want),
      largeClusterMode,
      localhostNodePorts: this.family === 'IPv4' && (o.localhostNodePorts ?? true) && loopbackAllowed,
      randomFully: o.randomFully ?? true,
      conntrackTCPLiberal: o.conntrackTCPLiberal ?? false,
      nodePortAddresses,
      probability: probabilityTable(),
    };
    // Rule counts depend on the local-traffic match (NodeCIDR follows the Node object): reset the cache.
    const key = JSON.stringify(local ?? null);
    const settingsChanged = key !== this.cacheKey;
    if (settingsChanged) {
      this.cache = new WeakMap();
      this.cacheKey = key;
    }
    return { ctx, settingsChanged };
  }

  /**
   * Chains that ports in `changed` used in the previous snapshot and no longer use. Chain names hash the
   * port's name (and endpoint), so only the port's own new version could still use an old one.
   */
  private staleChains(input: SyncInput): string[] {
    const prev = input.previous?.families[this.family].servicePorts;
    const next = input.snapshot.families[this.family].servicePorts;
    const out = new Set<string>();
    for (const key of input.snapshot.changed) {
      const old = prev?.get(key);
      if (!old) continue;
      const current = next.get(key);
      const kept = new Set(current ? this.cache.get(current)?.own.chains : []);
      for (const c of this.chainsOf(old)) if (!kept.has(c)) out.add(c);
    }
    return [...out];
  }

  private chainsOf(sp: ServicePort): readonly string[] {
    return this.cache.get(sp)?.own.chains ?? chainsOf(planServicePort(sp));
  }
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}
