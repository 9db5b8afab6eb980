// What one service port contributes to its family's table: only elements (dispatch, no-endpoint verdicts,
// firewall, ClusterIP set, hairpin pairs, endpoint slots) plus the names of the shared group chains those
// elements point at. The semantics are upstream's nftables mode (pkg/proxy/nftables/proxier.go); the
// layout is not: no chain here is specific to a Service.

import { BlockList, isIP } from 'node:net';
import type { Endpoint, ServicePort } from '../../model/types.js';
import { kernelScheduler } from './kernel-schedulers.js';
import { groupChains, pickChainName, slotBase, slotChainName, type Entry, type KernelScheduler, type KeyShape, type ListKind, type PickSpec } from './pick-chains.js';
import type { ChainDecl, NftElement, ServiceContribution } from './program.js';
import type { SlotTable } from './slot-table.js';

export interface ServiceRenderContext {
  readonly slots: SlotTable;
  readonly defaultScheduler: KernelScheduler;
  /** This node's IPs of the port's family (for loadBalancerSourceRanges that admit the node). */
  readonly nodeIPs: readonly string[];
  /** Group chains by name, filled as contributions name them. */
  readonly chains: Map<string, ChainDecl>;
  /** The masquerade rules of group chains by entry (masqueradeRules of the renderer's options). */
  readonly masquerade: Readonly<Record<Entry, readonly string[]>>;
}

const REJECT = 'goto reject-chain';
/** `goto NAME` per group chain, built once: 30,000 ports share a handful of chains. */
const gotoTexts = new Map<string, string>();
const gotoText = (chain: string): string => gotoTexts.get(chain) ?? (gotoTexts.set(chain, `goto ${chain}`), `goto ${chain}`);
const epId = (e: Endpoint): string => `${e.ip} . ${e.port}`;

export function serviceContribution(sp: ServicePort, ctx: ServiceRenderContext): ServiceContribution {
  const els: NftElement[] = [];
  const chains = new Set<string>();
  const proto = sp.protocol.toLowerCase();
  const { scheduler, fallbackFrom } = kernelScheduler(sp.scheduler, ctx.defaultScheduler);
  const affinitySeconds = sp.sessionAffinity.type === 'ClientIP' ? sp.sessionAffinity.timeoutSeconds : 0;
  const sel = sp.selection;
  const internal = sp.internalPolicyLocal ? sel.local : sel.cluster;
  const external = sp.externalPolicyLocal ? sel.local : sel.cluster;
  const listName = (local: boolean) => `${sp.family}|${sp.key}|${local ? 'local' : 'cluster'}`;
  // No usable endpoint anywhere: reject. Endpoints elsewhere but none for this policy: drop.
  const internalVerdict = !sel.hasAny ? REJECT : internal.length === 0 ? 'drop' : undefined;
  const externalVerdict = !sel.hasAny ? REJECT : external.length === 0 ? 'drop' : undefined;

  /** Fills the endpoint slots of one list and returns the group chain that picks among them. */
  const addPick = (entry: Entry, shape: KeyShape, epKey: string, list: ListKind, eps: readonly Endpoint[], local: boolean): string => {
    const order = ctx.slots.assign(listName(local), eps.map(epId));
    const spec: PickSpec = { entry, shape, list, scheduler, n: order.length, affinitySeconds };
    const base = slotBase(list);
    const map = `endpoints-${shape}-${proto}`;
    for (let i = 0; i < order.length; i++) els.push({ set: map, key: `${epKey} . ${base + i}`, value: order[i]! });
    const name = pickChainName(spec);
    // Chain text is built once per group, not once per Service port.
    if (!ctx.chains.has(name)) for (const c of groupChains(sp.family, spec, ctx.masquerade[entry])) ctx.chains.set(c.name, c);
    chains.add(name);
    for (let i = 0; affinitySeconds > 0 && i < order.length; i++) chains.add(slotChainName(shape, affinitySeconds, base + i));
    return name;
  };

  // ClusterIP: service-ips leads straight to the group chain (masquerade decision + DNAT).
  const clusterKey = `${sp.clusterIP} . ${proto} . ${sp.port}`;
  els.push({ set: 'cluster-ips', key: sp.clusterIP });
  if (internalVerdict) els.push({ set: 'no-endpoint-services', key: clusterKey, value: internalVerdict });
  else {
    const chain = addPick('cluster', 'ip', `${sp.clusterIP} . ${sp.port}`, 'main', internal, sp.internalPolicyLocal);
    els.push({ set: 'service-ips', key: clusterKey, value: gotoText(chain) });
  }

  // External entries: ExternalIPs, load-balancer VIPs and the NodePort share one policy. Under policy
  // Cluster they lead straight to a group chain; under Local through the fixed *-local chains, which
  // choose between the local list and the bypass list with the pick maps.
  const externalEntry = (shape: KeyShape, key: string, epKey: string): void => {
    const dispatch = shape === 'ip' ? 'service-ips' : 'service-nodeports';
    if (sel.hasAny && !sp.externalPolicyLocal && external.length > 0) {
      els.push({ set: dispatch, key, value: gotoText(addPick('external', shape, epKey, 'main', external, false)) });
    } else if (sel.hasAny && sp.externalPolicyLocal) {
      els.push({ set: dispatch, key, value: `goto ${shape === 'ip' ? 'external-ip' : 'nodeport'}-local` });
      const pick = `pick-${shape}`;
      if (external.length > 0) els.push({ set: pick, key, value: gotoText(addPick('picked', shape, epKey, 'main', external, true)) });
      if (sel.cluster.length > 0) els.push({ set: `${pick}-bypass`, key, value: gotoText(addPick('picked', shape, epKey, 'bypass', sel.cluster, false)) });
    }
    if (externalVerdict) els.push({ set: shape === 'ip' ? 'no-endpoint-services' : 'no-endpoint-nodeports', key, value: externalVerdict });
  };
  const vips = sp.loadBalancerIPs.filter((lb) => lb.ipMode === 'VIP').map((lb) => lb.ip);
  // An address listed twice (or as ExternalIP and VIP) is one entry: a map key must appear once.
  for (const ip of new Set([...sp.externalIPs, ...vips])) externalEntry('ip', `${ip} . ${proto} . ${sp.port}`, `${ip} . ${sp.port}`);
  if (sp.nodePort > 0) externalEntry('np', `${proto} . ${sp.nodePort}`, `${sp.nodePort}`);

  if (vips.length > 0 && sp.loadBalancerSourceRanges.length > 0) firewallElements(sp, vips, proto, ctx.nodeIPs, els);
  for (const ep of sel.allReachable) els.push({ set: 'hairpin', key: `${ep.ip} . ${ep.ip}` });
  refuseUnreadable(sp, els);
  return { elements: els, chains: [...chains], ...(fallbackFrom ? { fallbackScheduler: fallbackFrom } : {}) };
}

/** What element keys and values hold: addresses, CIDRs, numbers, protocols, verdicts, chain names, " . ". */
const ELEMENT_TEXT = /^[0-9A-Za-z.:/ _-]+$/;

/**
 * Validation admits only values nft reads back as meant, but one odd value in a script makes nft refuse
 * the whole transaction, for every Service. So a port whose elements hold anything else is refused here,
 * by name; the Proxier leaves it out and applies the rest.
 */
function refuseUnreadable(sp: ServicePort, els: readonly NftElement[]): void {
  for (const e of els) {
    for (const text of [e.key, e.value]) {
      if (text !== undefined && !ELEMENT_TEXT.test(text)) {
        throw new Error(`nftables: service port ${sp.key} (${sp.family}) is refused: its ${e.set} element ${JSON.stringify(text)} holds characters nft would not read as meant`);
      }
    }
  }
}

/** loadBalancerSourceRanges: traffic to the VIPs is dropped unless its source is in a range. */
function firewallElements(sp: ServicePort, vips: readonly string[], proto: string, nodeIPs: readonly string[], els: NftElement[]): void {
  const ranges = new BlockList();
  for (const cidr of sp.loadBalancerSourceRanges) {
    const [net = '', bits = ''] = cidr.split('/');
    const v = isIP(net);
    if (v) ranges.addSubnet(net, Number(bits || (v === 4 ? 32 : 128)), v === 4 ? 'ipv4' : 'ipv6');
  }
  // A node inside the ranges may reach a VIP that loops back with the VIP as source (upstream does this).
  const allowFromNode = nodeIPs.some((ip) => ranges.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4'));
  for (const vip of vips) {
    const key = `${vip} . ${proto} . ${sp.port}`;
    els.push({ set: 'firewall-ips', key });
    for (const cidr of sp.loadBalancerSourceRanges) els.push({ set: 'firewall-allow', key: `${key} . ${cidr}` });
    if (allowFromNode) for (const src of vips) els.push({ set: 'firewall-allow', key: `${key} . ${src}` });
  }
}
