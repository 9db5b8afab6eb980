// Where an explained connection comes from when the operator did not say: a pod on this node (an address
// from the node's pod CIDR, else the cluster CIDR), the node itself (--source is a node address), or a
// client outside (--via: the packet enters through that node address). The note says which was assumed.

import { isIP } from 'node:net';
import type { NodeInfo } from '../model/types.js';
import type { TraceOrigin } from './trace.js';

export interface ChosenSource {
  readonly source: string;
  readonly origin: TraceOrigin;
  readonly note?: string;
}

const EXTERNAL_CLIENT = { IPv4: '203.0.113.10', IPv6: '2001:db8::10' } as const;
const FALLBACK_POD = { IPv4: '10.244.0.2', IPv6: 'fd00:10:244::2' } as const;

export function chooseSource(
  given: string | undefined,
  via: string | undefined,
  family: 'IPv4' | 'IPv6',
  node: NodeInfo,
  clusterCIDR: string,
  localAddresses: readonly string[],
): ChosenSource {
  if (via !== undefined) {
    return given !== undefined
      ? { source: given, origin: 'external' }
      : { source: EXTERNAL_CLIENT[family], origin: 'external', note: `a client outside the node (${EXTERNAL_CLIENT[family]}, a documentation address); give --source to use another` };
  }
  if (given !== undefined) return { source: given, origin: localAddresses.includes(given) ? 'node' : 'pod' };
  const want = family === 'IPv4' ? 4 : 6;
  const cidrs = [...node.podCIDRs, ...clusterCIDR.split(',')].map((c) => c.trim()).filter((c) => isIP(c.split('/')[0] ?? '') === want);
  const fromCIDR = cidrs[0] !== undefined ? secondHost(cidrs[0]) : undefined;
  if (fromCIDR) {
    const where = node.podCIDRs.includes(cidrs[0]!) ? "the node's pod CIDR" : 'the cluster CIDR';
    return { source: fromCIDR, origin: 'pod', note: `a pod on this node (${fromCIDR}, from ${where} ${cidrs[0]}); give --source to use another` };
  }
  return { source: FALLBACK_POD[family], origin: 'pod', note: `a pod on this node (${FALLBACK_POD[family]}: no pod CIDR or --cluster-cidr is known, so a guess); give --source to use another` };
}

/** The network's address plus two (the first address a pod usually gets); undefined when it does not fit. */
function secondHost(cidr: string): string | undefined {
  const [net] = cidr.split('/');
  if (!net) return undefined;
  if (isIP(net) === 4) {
    const n = net.split('.').reduce((acc, o) => acc * 256 + Number(o), 0) + 2;
    return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
  }
  return net.endsWith('::') ? `${net}2` : undefined;
}
