// The state a traced connection's first packet starts in, and the node's notion of "local", shared by
// the iptables and IPVS tracers: both walk the same netfilter hooks, only the IPVS one adds IPVS on top.

import { isIP } from 'node:net';
import { canonicalIP } from '../model/service-filter.js';
import type { TracedConnection } from '../explain/trace.js';
import { cidrContains } from '../model/cidr-contains.js';
import type { TracedPacket } from './rule-matches.js';

export function firstPacket(c: TracedConnection): TracedPacket {
  return {
    protocol: c.protocol.toLowerCase() as TracedPacket['protocol'],
    src: canonicalIP(c.source),
    dst: canonicalIP(c.destination),
    dport: c.port,
    ...(c.origin !== 'node' && c.inInterface !== undefined ? { inInterface: c.inInterface } : {}),
    mark: 0,
    ctstates: new Set(['NEW']),
  };
}

/** `-m addrtype --*-type LOCAL`: the node's addresses plus the loopback ranges. */
export function localTest(addresses: Iterable<string>): (ip: string) => boolean {
  const local = new Set([...addresses].map(canonicalIP));
  return (ip) => local.has(canonicalIP(ip)) || (isIP(ip) === 4 ? cidrContains('127.0.0.0/8', ip) : canonicalIP(ip) === '::1');
}

export function familyOfAddress(ip: string): 'IPv4' | 'IPv6' {
  return isIP(ip) === 6 ? 'IPv6' : 'IPv4';
}
