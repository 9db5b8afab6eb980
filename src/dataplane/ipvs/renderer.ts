// Snapshot → IpvsProgram, pure. Each family is rendered on its own (upstream runs one proxier per family):
// service plans first, then ipset contents and the iptables rules that depend on which sets have members.

import { isIP } from 'node:net';
import type { InterfaceAddress } from '../../host/node-addresses.js';
import type { Renderer, SyncInput } from '../types.js';
import type { IPFamily } from '../../model/types.js';
import type { KernelRenderOptions } from '../kernel-render-options.js';
import { localTrafficMatch } from '../../netfilter/local-match.js';
import { masqueradeMarkOf } from '../../netfilter/masquerade.js';
import { formatIpvsProgram } from './format.js';
import { IPSET, IPSET_IDS, ipsetName } from './ipset-table.js';
import { JUMPS, renderRules } from './iptables-rules.js';
import { canonicalIP, type FamilyIpvsProgram, type IpsetContent, type IpvsProgram } from './program.js';
import { FamilyPlan } from './service-plan.js';

// A local address and the interface holding it (to leave out kube-ipvs0's own).
export type { InterfaceAddress };

export interface IpvsRendererOptions extends KernelRenderOptions {
  /** The machine's addresses, read at each render (injected: tests and `render` pass a fixed list). */
  readonly localAddresses?: () => readonly InterfaceAddress[];
  readonly randomFully?: boolean;
}

export const DUMMY_DEVICE = 'kube-ipvs0';

export class IpvsRenderer implements Renderer<IpvsProgram> {
  private readonly families: readonly IPFamily[];
  private readonly mark: string;

  constructor(private readonly o: IpvsRendererOptions = {}) {
    this.families = o.families ?? ['IPv4'];
    this.mark = masqueradeMarkOf(o.masqueradeBit ?? 14);
  }

  render(input: SyncInput): IpvsProgram {
    const warnings: string[] = [];
    const local = (this.o.localAddresses?.() ?? []).filter((a) => a.interface !== DUMMY_DEVICE);
    const families = this.families.map((f) => this.renderFamily(input, f, local, (w) => warnings.push(w)));
    return { families, full: input.full, warnings: [...new Set(warnings)] };
  }

  format(program: IpvsProgram): string {
    return formatIpvsProgram(program);
  }

  private renderFamily(input: SyncInput, family: IPFamily, local: readonly InterfaceAddress[], warn: (w: string) => void): FamilyIpvsProgram {
    const v = family === 'IPv6' ? 6 : 4;
    const ofFamily = (ip: string) => isIP(ip) === v;
    const nodeAddresses = new Set(local.map((a) => canonicalIP(a.address)).filter(ofFamily));
    const wanted = (this.o.nodePortAddresses ?? []).filter(ofFamily).map(canonicalIP);
    // Upstream never serves NodePorts on loopback or IPv6 link-local addresses in IPVS mode.
    const usable = (ip: string) => !/^127\./.test(ip) && ip !== '::1' && !ip.toLowerCase().startsWith('fe80:');
    const nodePortIPs = (wanted.length > 0 ? wanted : [...nodeAddresses]).filter(usable).sort();
    const plan = new FamilyPlan({ family, nodePortIPs, nodeAddresses, nodeIP: (this.o.nodeIPs ?? []).find(ofFamily), warn });
    for (const sp of input.snapshot.families[family].servicePorts.values()) plan.add(sp);
    for (const ip of plan.bound) plan.member('ipvsIPs', ip);

    const detect = this.o.detectLocal;
    const rules = renderRules(plan, {
      masqueradeMark: this.mark,
      masqueradeAll: this.o.masqueradeAll ?? false,
      local: detect ? localTrafficMatch(detect, family, input.snapshot.node.podCIDRs) : undefined,
      randomFully: this.o.randomFully ?? false,
    });
    const ipsets: IpsetContent[] = IPSET_IDS.map((id) => ({
      name: ipsetName(id, family),
      type: IPSET[id].type,
      family,
      members: [...(plan.members.get(id) ?? [])].sort(),
    }));
    return {
      family,
      virtualServers: plan.virtualServers,
      ipsets,
      boundAddresses: [...plan.bound].sort(),
      nat: rules.nat,
      filter: rules.filter,
      jumps: JUMPS,
    };
  }
}
