// Which service port a destination reaches, and as what: the ClusterIP, an externalIP, a load-balancer
// ingress IP, a NodePort on one of the node's NodePort addresses, or a NodePort on localhost. Upstream's
// proxiers test these in the same order, and the kind decides the traffic policy (internal for the
// ClusterIP, external for the rest). When nothing matches, the answer says what the node does instead.

import type { ServicePort, Snapshot } from '../model/types.js';
import type { Destination } from './connection-parse.js';
import { familyOf } from './connection-parse.js';

export type MatchKind = 'ClusterIP' | 'ExternalIP' | 'LoadBalancer' | 'NodePort' | 'LocalhostNodePort';

export interface NodeAddressing {
  /** Every address the node holds (the destinations `--dst-type LOCAL` matches). */
  readonly localAddresses: readonly string[];
  /** The addresses NodePorts are served on; 'all' means every local address (--nodeport-addresses empty). */
  readonly nodePortAddresses: readonly string[] | 'all';
  /** NodePorts answer on 127.0.0.1 (iptables mode's localhost NodePorts; IPv4 only). */
  readonly localhostNodePorts: boolean;
}

export interface ServiceMatch {
  readonly kind: MatchKind;
  readonly servicePort: ServicePort;
  /** The traffic policy that applies to this kind of destination. */
  readonly policy: 'Cluster' | 'Local';
  /** How the destination matched, in words ("NodePort 30080 on node address 192.0.2.10"). */
  readonly how: string;
}

export interface NoMatch {
  /** What the node does with the connection when no service port claims it. */
  readonly what: string;
}

export function matchService(snapshot: Snapshot, dest: Destination, node: NodeAddressing): ServiceMatch | NoMatch {
  const ports = [...snapshot.families[familyOf(dest.ip)].servicePorts.values()].filter((sp) => sp.protocol === dest.protocol);
  const external = (sp: ServicePort) => (sp.externalPolicyLocal ? 'Local' : 'Cluster');
  for (const sp of ports) {
    if (sp.port === dest.port && sp.clusterIP === dest.ip) {
      return { kind: 'ClusterIP', servicePort: sp, policy: sp.internalPolicyLocal ? 'Local' : 'Cluster', how: `ClusterIP ${dest.ip}:${dest.port}` };
    }
  }
  for (const sp of ports) {
    if (sp.port === dest.port && sp.externalIPs.includes(dest.ip)) {
      return { kind: 'ExternalIP', servicePort: sp, policy: external(sp), how: `externalIP ${dest.ip}:${dest.port}` };
    }
  }
  for (const sp of ports) {
    const lb = sp.loadBalancerIPs.find((l) => l.ip === dest.ip);
    if (sp.port === dest.port && lb?.ipMode === 'VIP') {
      return { kind: 'LoadBalancer', servicePort: sp, policy: external(sp), how: `load-balancer ingress ${dest.ip}:${dest.port}` };
    }
  }
  const isLocal = node.localAddresses.includes(dest.ip);
  const servesNodePorts = node.nodePortAddresses === 'all' ? isLocal : node.nodePortAddresses.includes(dest.ip);
  for (const sp of ports) {
    if (sp.nodePort === 0 || sp.nodePort !== dest.port) continue;
    if (dest.ip === '127.0.0.1') {
      if (node.localhostNodePorts) return { kind: 'LocalhostNodePort', servicePort: sp, policy: external(sp), how: `NodePort ${dest.port} on localhost` };
      continue;
    }
    if (servesNodePorts) return { kind: 'NodePort', servicePort: sp, policy: external(sp), how: `NodePort ${dest.port} on node address ${dest.ip}` };
  }
  return { what: noMatchText(ports, dest, isLocal) };
}

export function isMatch(m: ServiceMatch | NoMatch): m is ServiceMatch {
  return 'servicePort' in m;
}

/** Why nothing matched, and what happens instead: the near misses an operator most often makes. */
function noMatchText(ports: readonly ServicePort[], dest: Destination, isLocal: boolean): string {
  const sameIP = ports.filter((sp) => sp.clusterIP === dest.ip || sp.externalIPs.includes(dest.ip) || sp.loadBalancerIPs.some((l) => l.ip === dest.ip));
  if (sameIP.length > 0) {
    const offered = sameIP.map((sp) => `${sp.port}/${sp.protocol} (${sp.key})`).join(', ');
    return `${dest.ip} is a Service address, but no ${dest.protocol} port ${dest.port} is served on it (served: ${offered}); the packet is left to routing, which usually means no answer or a reset from whatever holds the address`;
  }
  const proxyLB = ports.find((sp) => sp.port === dest.port && sp.loadBalancerIPs.some((l) => l.ip === dest.ip && l.ipMode === 'Proxy'));
  if (proxyLB) return `${dest.ip} is a load-balancer ingress of ${proxyLB.key} with ipMode Proxy: the load balancer, not the node, forwards it, so kproxy programs nothing for it`;
  const nodePort = ports.find((sp) => sp.nodePort === dest.port);
  if (nodePort && dest.ip === '127.0.0.1') return `${dest.port} is the NodePort of ${nodePort.key}, but NodePorts are not served on localhost here (localhost NodePorts are off, or the mode or --nodeport-addresses excludes loopback)`;
  if (nodePort && isLocal) return `${dest.port} is the NodePort of ${nodePort.key}, but ${dest.ip} is not one of the --nodeport-addresses; the node's own socket table decides (usually a reset)`;
  if (nodePort) return `${dest.port} is the NodePort of ${nodePort.key}, but ${dest.ip} is not an address of this node; the packet is routed on untouched`;
  if (isLocal) return `no Service uses ${dest.ip}:${dest.port}/${dest.protocol}; it is this node's address, so a local socket answers or the kernel resets`;
  return `no Service uses ${dest.ip}:${dest.port}/${dest.protocol}; kproxy leaves the packet alone and routing decides`;
}
