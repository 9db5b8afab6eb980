// Snapshot -> ListenerTable. Pure: no sockets, no interface lookups, so `kproxy render` runs anywhere.
// The action of each listener follows upstream's iptables proxier: a port with no usable endpoint at all
// rejects; a port that has endpoints, but none for the Local policy that governs this address, drops.
// Under externalTrafficPolicy Local the external addresses also carry upstream's short-circuit: this node's
// pods and the node itself get every endpoint (an InClusterRoute), so only other clients can be dropped.

import { isIP } from 'node:net';
import type { Renderer, SyncInput } from '../types.js';
import type { Endpoint, IPFamily, ServicePort, Snapshot } from '../../model/types.js';
import type { Backend } from '../../schedulers/types.js';
import { hostPort } from '../../model/host-port.js';
import { localTrafficCriterion, type DetectLocalOptions } from '../../netfilter/local-traffic.js';
import {
  compareListeners,
  formatListenerTable,
  listenerId,
  WILDCARD,
  type InClusterRoute,
  type ListenerAction,
  type ListenerKind,
  type ListenerSpec,
  type ListenerTable,
} from './listener-table.js';

export interface UserspaceRendererOptions {
  /** Node IPs to serve NodePorts on; empty = every address (bind 0.0.0.0 / ::). */
  readonly nodePortAddresses: readonly string[];
  /** --detect-local-mode and its inputs: which clients are this node's pods (default: none known). */
  readonly detectLocal?: DetectLocalOptions;
}

export class UserspaceRenderer implements Renderer<ListenerTable> {
  private readonly nodePortAddresses: readonly string[];
  private readonly detectLocal: DetectLocalOptions | undefined;

  constructor(options: UserspaceRendererOptions) {
    for (const a of options.nodePortAddresses) {
      if (isIP(a) === 0) {
        throw new Error(`userspace mode: nodePortAddresses entry ${JSON.stringify(a)} is not an IP address; expected node IPs such as 192.0.2.10 or 2001:db8::10`);
      }
    }
    this.nodePortAddresses = [...options.nodePortAddresses];
    this.detectLocal = options.detectLocal;
  }

  render(input: SyncInput): ListenerTable {
    return renderListenerTable(input.snapshot, this.nodePortAddresses, this.detectLocal);
  }

  format(program: ListenerTable): string {
    return formatListenerTable(program);
  }
}

export function renderListenerTable(
  snapshot: Snapshot,
  nodePortAddresses: readonly string[],
  detectLocal?: DetectLocalOptions,
): ListenerTable {
  const warnings: string[] = [];
  const sctpWarned = new Set<string>();
  const byId = new Map<string, ListenerSpec>();
  let podsUnseen = false;
  for (const family of ['IPv4', 'IPv6'] as const) {
    const pods = podSources(detectLocal, family, snapshot.node.podCIDRs);
    for (const sp of snapshot.families[family].servicePorts.values()) {
      if (sp.protocol === 'SCTP') {
        if (!sctpWarned.has(sp.key)) warnings.push(`${sp.key}: SCTP is not supported in userspace mode`);
        sctpWarned.add(sp.key);
        continue;
      }
      if (sp.externalPolicyLocal && pods.unseen) podsUnseen = true;
      for (const l of listenersOf(sp, nodePortAddressesOf(family, nodePortAddresses), pods.cidrs)) {
        const taken = byId.get(l.id);
        if (taken) {
          warnings.push(`${l.servicePort}: ${l.kind} ${l.id} is already served for ${taken.servicePort}; not served for ${l.servicePort}`);
          continue;
        }
        byId.set(l.id, l);
      }
    }
  }
  if (podsUnseen) {
    warnings.push(
      `detectLocalMode ${detectLocal?.mode}: userspace mode cannot see which interface a client came in on, so under externalTrafficPolicy Local only the node itself (not its pods) reaches every endpoint; use ClusterCIDR or NodeCIDR`,
    );
  }
  return { listeners: [...byId.values()].sort(compareListeners), warnings };
}

/** The pod CIDR of `family` by --detect-local-mode; `unseen` when pods are told by interface, which a socket cannot see. */
function podSources(
  detectLocal: DetectLocalOptions | undefined,
  family: IPFamily,
  podCIDRs: readonly string[],
): { cidrs: readonly string[]; unseen: boolean } {
  const c = detectLocal ? localTrafficCriterion(detectLocal, family, podCIDRs) : undefined;
  if (c?.by === 'source') return { cidrs: [c.cidr], unseen: false };
  return { cidrs: [], unseen: c?.by === 'interface' };
}

function nodePortAddressesOf(family: IPFamily, all: readonly string[]): readonly string[] {
  if (all.length === 0) return [WILDCARD[family]];
  const mine = all.filter((a) => isIP(a) === (family === 'IPv4' ? 4 : 6));
  // Addresses were given, none of this family: this family serves no NodePorts (as upstream).
  return mine;
}

function listenersOf(sp: ServicePort, nodePortAddresses: readonly string[], podCIDRs: readonly string[]): ListenerSpec[] {
  const out: ListenerSpec[] = [];
  const internal = traffic(sp, sp.internalPolicyLocal);
  const external = sp.externalPolicyLocal ? externalLocalTraffic(sp, podCIDRs) : traffic(sp, false);
  if (sp.clusterIP && isIP(sp.clusterIP) !== 0) out.push(listener(sp, 'ClusterIP', sp.clusterIP, sp.port, internal, []));
  for (const ip of sp.externalIPs) out.push(listener(sp, 'ExternalIP', ip, sp.port, external, []));
  for (const lb of sp.loadBalancerIPs) {
    // ipMode Proxy: the load balancer sends traffic to the node itself, so the LB IP is not ours to serve.
    if (lb.ipMode === 'VIP') out.push(listener(sp, 'LoadBalancer', lb.ip, sp.port, external, sp.loadBalancerSourceRanges));
  }
  if (sp.nodePort > 0) {
    for (const ip of nodePortAddresses) out.push(listener(sp, 'NodePort', ip, sp.nodePort, external, []));
  }
  return out;
}

interface Traffic {
  readonly action: ListenerAction;
  readonly backends: readonly Backend[];
  readonly inCluster?: InClusterRoute;
}

function traffic(sp: ServicePort, policyLocal: boolean): Traffic {
  // As upstream: no usable endpoint anywhere rejects; endpoints only elsewhere under a Local policy drop.
  if (!sp.selection.hasAny) return { action: 'reject', backends: [] };
  const endpoints = policyLocal ? sp.selection.local : sp.selection.cluster;
  if (endpoints.length === 0) return { action: 'drop', backends: [] };
  return { action: 'proxy', backends: backendsOf(endpoints) };
}

/**
 * externalTrafficPolicy Local on an external address: local endpoints for outside clients, every endpoint
 * for this node's pods and the node (upstream's short-circuit). It drops only when neither has any.
 */
function externalLocalTraffic(sp: ServicePort, podCIDRs: readonly string[]): Traffic {
  const t = traffic(sp, true);
  if (!sp.selection.hasAny || sp.selection.cluster.length === 0) return t;
  const inCluster: InClusterRoute = { podCIDRs: [...podCIDRs], node: true, backends: backendsOf(sp.selection.cluster) };
  return { action: 'proxy', backends: t.backends, inCluster };
}

function backendsOf(endpoints: readonly Endpoint[]): Backend[] {
  const seen = new Set<string>();
  const out: Backend[] = [];
  for (const e of endpoints) {
    const id = hostPort(e.ip, e.port);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ id, ip: e.ip, port: e.port, weight: 1 });
  }
  return out;
}

function listener(
  sp: ServicePort,
  kind: ListenerKind,
  address: string,
  port: number,
  t: Traffic,
  sourceRanges: readonly string[],
): ListenerSpec {
  const protocol = sp.protocol === 'UDP' ? 'UDP' : 'TCP';
  return {
    id: listenerId(protocol, address, port),
    family: sp.family,
    address,
    port,
    protocol,
    kind,
    servicePort: sp.key,
    action: t.action,
    scheduler: sp.scheduler,
    affinity: sp.sessionAffinity,
    sourceRanges: [...sourceRanges],
    backends: t.backends,
    ...(t.inCluster ? { inCluster: t.inCluster } : {}),
  };
}
