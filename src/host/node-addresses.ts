// Which local addresses NodePorts are served on. Upstream's --nodeport-addresses takes CIDRs and the
// keyword "primary" (the node's primary IPs); an empty list means every local address. The kernel modes
// express "every address" with a match on local destinations; the userspace mode binds the wildcard.

import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export interface LocalAddress {
  address: string;
  family: 'IPv4' | 'IPv6';
}

/** An address of the node's network namespace and the interface holding it. */
export interface InterfaceAddress {
  readonly address: string;
  readonly interface: string;
}

/**
 * The node's local addresses: `given` when rendering for a node other than this process's network
 * namespace (explain and its tests), else this machine's.
 */
export function localAddressesOf(given: readonly InterfaceAddress[] | undefined): LocalAddress[] {
  if (!given) return localAddresses();
  return given
    .filter((a) => isIP(a.address) !== 0 && !a.address.toLowerCase().startsWith('fe80:'))
    .map((a) => ({ address: a.address, family: isIP(a.address) === 6 ? 'IPv6' : 'IPv4' }));
}

export function localAddresses(): LocalAddress[] {
  const out: LocalAddress[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      // Link-local IPv6 addresses need a zone and are never NodePort targets upstream either.
      if (a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:')) continue;
      out.push({ address: a.address, family: a.family === 'IPv6' ? 'IPv6' : 'IPv4' });
    }
  }
  return out;
}

/**
 * The addresses to serve NodePorts on, from --nodeport-addresses. Returns [] for "all local addresses".
 * `primary` stands for the node's own IPs (from the Node object, else the detected node IPs).
 */
export function resolveNodePortAddresses(
  spec: readonly string[],
  nodeIPs: readonly string[],
  local: readonly LocalAddress[] = localAddresses(),
): string[] {
  if (spec.length === 0) return [];
  const out = new Set<string>();
  const ranges = new BlockList();
  let anyRange = false;
  for (const entry of spec) {
    if (entry === 'primary') {
      for (const ip of nodeIPs) out.add(ip);
      continue;
    }
    const [net, bits] = entry.split('/');
    const family = isIP(net ?? '');
    if (!net || !bits || family === 0) continue; // validated by the config layer already
    ranges.addSubnet(net, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
    anyRange = true;
  }
  if (anyRange) {
    for (const a of local) if (ranges.check(a.address, a.family === 'IPv6' ? 'ipv6' : 'ipv4')) out.add(a.address);
  }
  return [...out].sort();
}
