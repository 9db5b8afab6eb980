// The per-service-port nat chains: KUBE-EXT (external traffic: masquerade, Local-policy short cuts),
// KUBE-FW (loadBalancerSourceRanges), KUBE-SVC / KUBE-SVL (pick an endpoint: affinity, then a random
// draw), and one KUBE-SEP per endpoint (hairpin masquerade, affinity bookkeeping, DNAT). A partial sync
// writes these only for changed ports; `chainsOf` names them either way, so unchanged ones stay owned.

import type { Endpoint } from '../../model/types.js';
import { KUBE_MARK_MASQ } from '../../netfilter/chain-names.js';
import { comment, TableWriter } from '../../netfilter/restore-writer.js';
import { endpointChainOf, endpointString } from './chain-names.js';
import type { RenderContext } from './render-context.js';
import type { ServicePortPlan } from './service-plan.js';
import { cidrContains } from '../../model/cidr-contains.js';

/** Endpoint chain names by endpointString, so a port's endpoints are hashed once per render. */
export type EndpointChainNames = Map<string, string>;

/** A port's nat chains as rendered: names in declaration order and their `-A` lines. */
export interface RenderedServiceChains {
  readonly chains: readonly string[];
  readonly rules: readonly string[];
  /** Endpoint rules carry no comments: text rendered in one mode is not reused in the other. */
  readonly largeClusterMode: boolean;
  readonly endpointChains: EndpointChainNames;
}

/**
 * The name of `ep`'s KUBE-SEP chain, hashed at most once: `reuse` holds names from an earlier render of
 * the same port name and protocol (a changed port usually keeps most endpoints).
 */
function sepName(p: ServicePortPlan, names: EndpointChainNames, ep: Endpoint, reuse?: EndpointChainNames): string {
  const id = endpointString(ep);
  let name = names.get(id);
  if (name === undefined) {
    name = reuse?.get(id) ?? endpointChainOf(p.name + p.proto, id);
    names.set(id, name);
  }
  return name;
}

/** The nat chains this port uses, in the order they are declared. */
export function chainsOf(p: ServicePortPlan, names: EndpointChainNames = new Map(), reuse?: EndpointChainNames): string[] {
  const out: string[] = [];
  if (p.usesExternalChain) out.push(p.chains.external);
  if (p.usesFirewallChain) out.push(p.chains.firewall);
  if (p.usesClusterChain) out.push(p.chains.cluster);
  if (p.usesLocalChain) out.push(p.chains.local);
  for (const ep of p.sp.selection.allReachable) out.push(sepName(p, names, ep, reuse));
  return out;
}

/**
 * Renders the port's chains on their own, so the renderer can keep the result for as long as the
 * (immutable) ServicePort object is reused. `reuse`: endpoint chain names of the port's previous version.
 */
export function renderServiceChains(p: ServicePortPlan, ctx: RenderContext, reuse?: EndpointChainNames): RenderedServiceChains {
  const names: EndpointChainNames = new Map();
  const chains = chainsOf(p, names, reuse);
  const nat = new TableWriter('nat');
  const sep = (ep: Endpoint): string => sepName(p, names, ep);
  writeInternalMasquerade(p, ctx, nat);
  if (p.usesExternalChain) writeExternalChain(p, ctx, nat);
  if (p.usesFirewallChain) writeFirewallChain(p, ctx, nat);
  if (p.usesClusterChain) writeEndpointPicks(p, ctx, nat, p.chains.cluster, p.sp.selection.cluster, sep);
  if (p.usesLocalChain) writeEndpointPicks(p, ctx, nat, p.chains.local, p.sp.selection.local, sep);
  for (const ep of p.sp.selection.allReachable) writeEndpointChain(p, ctx, nat, ep, sep(ep));
  return { chains, rules: nat.rules, largeClusterMode: ctx.largeClusterMode, endpointChains: names };
}

function writeInternalMasquerade(p: ServicePortPlan, ctx: RenderContext, nat: TableWriter): void {
  if (!p.hasInternalEndpoints) return;
  const match = [
    ...comment(`${p.name} cluster IP`),
    ...['-m', p.proto, '-p', p.proto, '-d', p.sp.clusterIP, '--dport', String(p.sp.port)],
  ];
  if (ctx.masqueradeAll) {
    nat.append(p.internalChain, match, '-j', KUBE_MARK_MASQ);
  } else if (ctx.local) {
    // Off-cluster clients may route the service range to any node; the reply must come back through it.
    nat.append(p.internalChain, match, ctx.local.ifNotLocal, '-j', KUBE_MARK_MASQ);
  }
}

function writeExternalChain(p: ServicePortPlan, ctx: RenderContext, nat: TableWriter): void {
  const ext = p.chains.external;
  if (!p.sp.externalPolicyLocal) {
    // Endpoints may be on other nodes: the reply must come back through this one.
    nat.append(ext, comment(`masquerade traffic for ${p.name} external destinations`), '-j', KUBE_MARK_MASQ);
  } else {
    if (ctx.local) {
      // Pods reaching an external IP behave as if they went out to the load balancer and back: no policy.
      nat.append(ext, comment(`pod traffic for ${p.name} external destinations`), ctx.local.ifLocal, '-j', p.chains.cluster);
    }
    // The node itself picks the LB IP (a local address) as source, so it must be masqueraded...
    nat.append(ext, comment(`masquerade LOCAL traffic for ${p.name} external destinations`), '-m', 'addrtype', '--src-type', 'LOCAL', '-j', KUBE_MARK_MASQ);
    // ...and it may use any endpoint, like pods.
    nat.append(ext, comment(`route LOCAL traffic for ${p.name} external destinations`), '-m', 'addrtype', '--src-type', 'LOCAL', '-j', p.chains.cluster);
  }
  if (p.hasExternalEndpoints) nat.rules.push(`-A ${ext} -j ${p.externalPolicyChain}`);
}

function writeFirewallChain(p: ServicePortPlan, ctx: RenderContext, nat: TableWriter): void {
  const fw = p.chains.firewall;
  const head = comment(`${p.name} loadbalancer IP`);
  let allowFromNode = false;
  for (const cidr of p.sp.loadBalancerSourceRanges) {
    nat.append(fw, head, '-s', cidr, '-j', p.chains.external);
    if (ctx.nodeIPs.some((ip) => cidrContains(cidr, ip))) allowFromNode = true;
  }
  // A VIP bound on the node loops back with the VIP as source: admit it when the node itself is allowed.
  if (allowFromNode) {
    for (const ip of p.loadBalancerVIPs) nat.append(fw, head, '-s', ip, '-j', p.chains.external);
  }
  // Whatever falls through was not DNATed and meets the DROP in filter KUBE-PROXY-FIREWALL.
  nat.append(fw, comment(`other traffic to ${p.name} will be dropped by KUBE-PROXY-FIREWALL`));
}

function writeEndpointPicks(
  p: ServicePortPlan,
  ctx: RenderContext,
  nat: TableWriter,
  chain: string,
  eps: readonly Endpoint[],
  endpointChain: (ep: Endpoint) => string,
): void {
  const note = (ep: Endpoint): string[] => (ctx.largeClusterMode ? [] : comment(`${p.name} -> ${endpointString(ep)}`));
  const affinity = p.sp.sessionAffinity;
  if (affinity.type === 'ClientIP') {
    for (const ep of eps) {
      const sep = endpointChain(ep);
      nat.append(chain, note(ep), ['-m', 'recent', '--name', sep, '--rcheck', '--seconds', String(affinity.timeoutSeconds), '--reap', '-j', sep]);
    }
  }
  eps.forEach((ep, i) => {
    const draw = i < eps.length - 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', ctx.probability(eps.length - i)] : [];
    nat.append(chain, note(ep), draw, '-j', endpointChain(ep));
  });
}

function writeEndpointChain(p: ServicePortPlan, ctx: RenderContext, nat: TableWriter, ep: Endpoint, sep: string): void {
  const note = ctx.largeClusterMode ? [] : comment(p.name);
  // Hairpin: a pod reaching itself through the service must see the reply come from the node.
  nat.append(sep, note, '-s', ep.ip, '-j', KUBE_MARK_MASQ);
  const recent = p.sp.sessionAffinity.type === 'ClientIP' ? ['-m', 'recent', '--name', sep, '--set'] : [];
  nat.append(sep, note, recent, ['-m', p.proto, '-p', p.proto, '-j', 'DNAT', '--to-destination', endpointString(ep)]);
}

