// Per-service chain names, exactly as upstream kube-proxy spells them, so kproxy and kube-proxy can replace
// each other on a node and every operator tool (and runbook) that greps for KUBE-SVC-... keeps working.
//
// Per-service chains carry a hash because iptables chain names are limited to 28 characters: the first 16
// characters of the base32 (RFC 4648, with padding alphabet) encoding of sha256(servicePortName + protocol),
// where servicePortName is "namespace/name:portName" ("namespace/name" when unnamed) and protocol is lower case ("tcp"). Endpoint chains
// hash the endpoint too ("10.1.2.3:80", "[fd00::1]:80"). The fixed chains are in src/netfilter/chain-names.ts.

import { hash } from 'node:crypto';
import type { Endpoint, ServicePort } from '../../model/types.js';
import { hostPort } from '../../model/host-port.js';

export const SERVICE_CHAIN_PREFIXES = ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-EXT-', 'KUBE-FW-', 'KUBE-SEP-'] as const;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The first `chars` characters of the standard base32 encoding of `bytes` (chars <= 8 * bytes / 5). */
function base32Prefix(bytes: Uint8Array, chars: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= chars) break;
  }
  return out;
}

function hash16(text: string): string {
  // One-shot hash: about three times cheaper than createHash() per call, which shows at 50k endpoints.
  return base32Prefix(hash('sha256', text, 'buffer'), 16);
}

/** "namespace/name:portName", or "namespace/name" for an unnamed port: upstream's ServicePortName.String(). */
export function servicePortNameString(sp: Pick<ServicePort, 'namespace' | 'name' | 'portName'>): string {
  return sp.portName ? `${sp.namespace}/${sp.name}:${sp.portName}` : `${sp.namespace}/${sp.name}`;
}

/** "ip:port", or "[ip]:port" for IPv6 (Go's net.JoinHostPort). */
export function endpointString(ep: Pick<Endpoint, 'ip' | 'port'>): string {
  return hostPort(ep.ip, ep.port);
}

export interface ServiceChains {
  /** KUBE-SVC-*: endpoints for the Cluster traffic policy. */
  readonly cluster: string;
  /** KUBE-SVL-*: endpoints on this node, for the Local traffic policy. */
  readonly local: string;
  /** KUBE-EXT-*: entry point of external (NodePort, external IP, LB) traffic. */
  readonly external: string;
  /** KUBE-FW-*: loadBalancerSourceRanges filter in front of KUBE-EXT-*. */
  readonly firewall: string;
}

export function serviceChains(sp: ServicePort): ServiceChains {
  const h = hash16(servicePortNameString(sp) + sp.protocol.toLowerCase());
  return { cluster: `KUBE-SVC-${h}`, local: `KUBE-SVL-${h}`, external: `KUBE-EXT-${h}`, firewall: `KUBE-FW-${h}` };
}

export function endpointChain(sp: ServicePort, ep: Pick<Endpoint, 'ip' | 'port'>): string {
  return endpointChainOf(servicePortNameString(sp) + sp.protocol.toLowerCase(), endpointString(ep));
}

/** endpointChain from its parts: "namespace/name:portName" + lower-case protocol, and endpointString. */
export function endpointChainOf(portNameAndProto: string, endpoint: string): string {
  return `KUBE-SEP-${hash16(portNameAndProto + endpoint)}`;
}

/** A per-service or per-endpoint chain (the chains a sync may create and delete). */
export function isServiceChainName(chain: string): boolean {
  return SERVICE_CHAIN_PREFIXES.some((p) => chain.startsWith(p));
}
