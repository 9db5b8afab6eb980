// The pure half of the nftables mode: Snapshot in, NftProgram out. A full render builds every service
// port's contribution; a partial one rebuilds only the ports the snapshot marks changed and reuses the
// rest, so a one-endpoint change costs the same at 100 or 30,000 Services. The only memory kept between
// renders is what makes that possible: the last contributions, the group-chain reference counts and the
// stable endpoint slots (see slot-table.ts).

import { isIP } from 'node:net';
import type { Renderer, SyncInput } from '../types.js';
import type { IPFamily, ServicePort, ServicePortKey, Snapshot } from '../../model/types.js';
import { fixedChains, fixedSets, masqueradeRules, type FixedOptions } from './fixed-structure.js';
import type { KernelScheduler } from './pick-chains.js';
import { kernelScheduler } from './kernel-schedulers.js';
import { localMatch } from './local-detector.js';
import { masqueradeMarkOf } from '../../netfilter/masquerade.js';
import type { KernelRenderOptions } from '../kernel-render-options.js';
import { formatProgram, nftFamilyOf, type ChainDecl, type FamilyProgram, type NftElement, type NftProgram, type ServiceContribution } from './program.js';
import { serviceContribution, type ServiceRenderContext } from './service-elements.js';
import { SlotTable } from './slot-table.js';
import { LiveContributions } from './live-contributions.js';

export interface NftRendererOptions extends KernelRenderOptions {
  /** Used for ports whose scheduler is ''. */
  readonly defaultScheduler?: KernelScheduler;
}

interface FamilyState {
  generation: number | undefined;
  /** The masquerade rules group chains were built with (they change with the node's pod CIDRs). */
  masquerade: string;
  readonly contributions: Map<ServicePortKey, ServiceContribution>;
  /** The ServicePort each contribution was rendered from: the model keeps unchanged ports identical. */
  readonly sources: Map<ServicePortKey, ServicePort>;
  readonly chainRefs: Map<string, number>;
  readonly chainDecls: Map<string, ChainDecl>;
}

export class NftRenderer implements Renderer<NftProgram> {
  private readonly families: readonly IPFamily[];
  private readonly slots = new SlotTable();
  private readonly state = new Map<IPFamily, FamilyState>();
  private renders = 0;
  private readonly mark: string;

  constructor(private readonly opts: NftRendererOptions = {}) {
    this.families = opts.families ?? ['IPv4', 'IPv6'];
    this.mark = masqueradeMarkOf(opts.masqueradeBit ?? 14, 'nftables.masqueradeBit');
    for (const f of this.families) this.state.set(f, { generation: undefined, masquerade: '', contributions: new Map(), sources: new Map(), chainRefs: new Map(), chainDecls: new Map() });
  }

  render(input: SyncInput): NftProgram {
    const { snapshot } = input;
    this.renders++;
    const changed = new Set<ServicePortKey>();
    const families = this.families.map((f) => this.renderFamily(f, input, changed));
    for (const s of this.state.values()) s.generation = snapshot.generation;
    return { families, full: input.full, changed };
  }

  format(program: NftProgram): string {
    return formatProgram(program);
  }

  private renderFamily(family: IPFamily, input: SyncInput, changed: Set<ServicePortKey>): FamilyProgram {
    const st = this.state.get(family)!;
    const { snapshot } = input;
    const ports = snapshot.families[family].servicePorts;
    const fixed = this.fixedOptions(family, snapshot);
    const masquerade = { cluster: masqueradeRules(fixed, 'cluster'), external: masqueradeRules(fixed, 'external'), picked: [] };
    const ctx: ServiceRenderContext = {
      slots: this.slots,
      defaultScheduler: this.opts.defaultScheduler ?? kernelScheduler('').scheduler,
      nodeIPs: (this.opts.nodeIPs ?? []).filter((ip) => isIP(ip) === (family === 'IPv4' ? 4 : 6)),
      chains: st.chainDecls,
      masquerade,
    };
    // Group chains hold the masquerade rules: when those change, every chain and port is rebuilt.
    const masqueradeText = JSON.stringify(masquerade);
    const rebuild = st.masquerade !== masqueradeText;
    if (rebuild) st.chainDecls.clear();
    st.masquerade = masqueradeText;
    // Incremental only when our memory is exactly the snapshot the caller says was applied last.
    const incremental = !rebuild && !input.full && input.previous !== undefined && st.generation === input.previous.generation;
    const keys: Iterable<ServicePortKey> = incremental ? snapshot.changed : allKeys(ports, st.contributions);
    for (const key of keys) {
      changed.add(key);
      const sp = ports.get(key);
      // A full render keeps what an identical ServicePort produced (its slots have not moved either).
      if (!rebuild && sp !== undefined && st.sources.get(key) === sp) continue;
      const before = st.contributions.get(key);
      if (before) this.release(st, before);
      if (!sp) {
        st.contributions.delete(key);
        st.sources.delete(key);
        for (const k of ['local', 'cluster']) this.slots.forget(`${family}|${key}|${k}`);
        continue;
      }
      let after: ServiceContribution;
      try {
        after = serviceContribution(sp, ctx);
      } catch (err) {
        // A refused port (see serviceContribution) has nothing in the table; its old part was released.
        st.contributions.delete(key);
        st.sources.delete(key);
        throw err;
      }
      st.contributions.set(key, after);
      st.sources.set(key, sp);
      for (const c of after.chains) st.chainRefs.set(c, (st.chainRefs.get(c) ?? 0) + 1);
    }
    const groups = [...st.chainRefs.keys()].sort().map((name) => st.chainDecls.get(name)!);
    return {
      family,
      nftFamily: nftFamilyOf(family),
      sets: fixedSets(fixed),
      chains: [...groups, ...fixedChains(fixed)],
      staticElements: this.staticElements(fixed),
      services: new LiveContributions(st.contributions, () => this.renders, this.renders),
    };
  }

  private release(st: FamilyState, c: ServiceContribution): void {
    for (const name of c.chains) {
      const left = (st.chainRefs.get(name) ?? 1) - 1;
      if (left > 0) st.chainRefs.set(name, left);
      else {
        st.chainRefs.delete(name);
        st.chainDecls.delete(name);
      }
    }
  }

  private fixedOptions(family: IPFamily, snapshot: Snapshot): FixedOptions {
    const want = family === 'IPv4' ? 4 : 6;
    const np = this.opts.nodePortAddresses ?? [];
    const detect = this.opts.detectLocal;
    return {
      family,
      mark: this.mark,
      masqueradeAll: this.opts.masqueradeAll ?? false,
      local: detect ? localMatch(detect, family, snapshot.node.podCIDRs) : undefined,
      // Loopback NodePorts are not served by the kernel here (upstream nftables does not either).
      nodePortIPs: np.length === 0 ? undefined : np.filter((ip) => isIP(ip) === want && ip !== '127.0.0.1' && ip !== '::1'),
    };
  }

  private staticElements(fixed: FixedOptions): NftElement[] {
    const out: NftElement[] = [{ set: 'canary', key: '0x00000001' }];
    for (const ip of fixed.nodePortIPs ?? []) out.push({ set: 'nodeport-ips', key: ip });
    return out;
  }
}

/** Every port of the snapshot, then those only our memory has (removed since), without building sets. */
function* allKeys(ports: ReadonlyMap<ServicePortKey, unknown>, known: ReadonlyMap<ServicePortKey, unknown>): Generator<ServicePortKey> {
  yield* ports.keys();
  const gone = [...known.keys()].filter((key) => !ports.has(key));
  yield* gone;
}
