// Snapshot -> IptablesProgram: one family renderer per IP family (iptables and ip6tables are separate
// rule sets), each a short sequence of rule families. Pure: `kproxy render` and the benchmarks run it
// without root.
//
// Partial syncs (input.full false) rewrite the top-level chains completely, as upstream does, but the
// per-service chains only of the ports in snapshot.changed; chains a changed port no longer uses are
// declared and deleted. Unchanged ports keep their chains untouched thanks to --noflush.

import { isIP } from 'node:net';
import type { Renderer, SyncInput } from '../../dataplane/types.js';
import type { IPFamily, ServicePort, Snapshot } from '../../model/types.js';
import { localTrafficMatch, type DetectLocalOptions } from './local-detector.js';
import { writeForwardRules, writeMasqueradeRules, writeNodePortTail, isLoopback } from './fixed-rules.js';
import { formatIptablesProgram, TableWriter, type FamilyProgram, type IptablesProgram } from './program.js';
import { masqueradeMarkOf, probabilityTable, type RenderContext } from './render-context.js';
import { writeDispatchRules } from './service-dispatch.js';
import { chainsOf, writeServiceChains } from './service-chains.js';
import { planServicePort, type ServicePortPlan } from './service-plan.js';
import { TOP_LEVEL_CHAINS } from './static-structure.js';
import { KUBE_PROXY_CANARY } from './chain-names.js';

/** Above this many endpoints, endpoint rules carry no comments (upstream's large-cluster mode). */
export const LARGE_CLUSTER_ENDPOINTS = 1000;

export interface IptablesRendererOptions {
  /** Families to program (dual-stack: both). Default IPv4. */
  readonly families?: readonly IPFamily[];
  /** iptables.masqueradeBit (default 14). */
  readonly masqueradeBit?: number;
  readonly masqueradeAll?: boolean;
  /** iptables.localhostNodePorts (default true). */
  readonly localhostNodePorts?: boolean;
  readonly detectLocal?: DetectLocalOptions;
  /** Resolved nodePortAddresses: node IPs; empty = every local address. */
  readonly nodePortAddresses?: readonly string[];
  /** The node's IPs (any family). */
  readonly nodeIPs?: readonly string[];
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

/** Plans and nat chain lists of unchanged ServicePort objects are reused from the previous render. */
interface CachedPort {
  readonly plan: ServicePortPlan;
  readonly chains: readonly string[];
  readonly natRules: number;
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
    for (const c of TOP_LEVEL_CHAINS.filter) filter.declare(c);
    for (const c of TOP_LEVEL_CHAINS.nat) nat.declare(c);
    // The canary is only ever created empty; redeclaring it is harmless and recreates it after a flush.
    filter.declare(KUBE_PROXY_CANARY);
    nat.declare(KUBE_PROXY_CANARY);
    writeMasqueradeRules(ctx, filter, nat);

    const active = new Set<string>();
    let skippedNatRules = 0;
    for (const sp of ports.values()) {
      const cached = this.cache.get(sp);
      const plan = cached?.plan ?? planServicePort(sp);
      writeDispatchRules(plan, filter, nat);
      let chains: readonly string[];
      if (full || snapshot.changed.has(sp.key) || !cached) {
        const before = nat.rules.length;
        const target = full || snapshot.changed.has(sp.key) ? nat : new TableWriter('nat');
        chains = writeServiceChains(plan, ctx, target);
        const natRules = target.rules.length - (target === nat ? before : 0);
        this.cache.set(sp, { plan, chains, natRules });
        if (target !== nat) skippedNatRules += natRules;
      } else {
        chains = cached.chains;
        skippedNatRules += cached.natRules;
      }
      for (const c of chains) active.add(c);
    }
    const deleted = full ? [] : this.staleChains(input, active);

    warnings.push(...writeNodePortTail(ctx, nat));
    writeForwardRules(ctx, filter);
    return {
      family: this.family,
      full,
      filter: filter.finish(),
      nat: nat.finish(deleted),
      activeServiceChains: active,
      localhostNodePorts: ctx.localhostNodePorts,
      counts: { filterRules: filter.rules.length, natRules: nat.rules.length, natRulesTotal: nat.rules.length + skippedNatRules },
      services: ports.size,
      endpoints,
      largeClusterMode: ctx.largeClusterMode,
    };
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

  /** Chains that ports in `changed` used in the previous snapshot and no longer use. */
  private staleChains(input: SyncInput, active: ReadonlySet<string>): string[] {
    const prev = input.previous?.families[this.family].servicePorts;
    const out = new Set<string>();
    for (const key of input.snapshot.changed) {
      const old = prev?.get(key);
      if (!old) continue;
      for (const c of chainsOf(planServicePort(old))) if (!active.has(c)) out.add(c);
    }
    return [...out];
  }
}
