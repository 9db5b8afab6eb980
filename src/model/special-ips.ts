// Addresses that cannot be a Service's endpoint or external IP. The API server refuses unspecified,
// loopback, link-local and link-local multicast addresses there (apimachinery's ValidateNonSpecialIP);
// kproxy also refuses every multicast address and the IPv4 broadcast address, which no backend can be
// and which some tools or kernels take as something else entirely (docs/compat.md).
// Every endpoint of every slice passes here, so an ordinary address costs one lookup in a list of all the
// ranges; only an address that is in one of them is looked up range by range for the reason.

import { BlockList, isIP } from 'node:net';

interface Range {
  readonly cidr: string;
  readonly reason: string;
}

const UPSTREAM: readonly Range[] = [
  { cidr: '0.0.0.0/32', reason: 'may not be unspecified (0.0.0.0)' },
  { cidr: '::/128', reason: 'may not be unspecified (::)' },
  { cidr: '127.0.0.0/8', reason: 'may not be in the loopback range (127.0.0.0/8, ::1/128)' },
  { cidr: '::1/128', reason: 'may not be in the loopback range (127.0.0.0/8, ::1/128)' },
  { cidr: '169.254.0.0/16', reason: 'may not be in the link-local range (169.254.0.0/16, fe80::/10)' },
  { cidr: 'fe80::/10', reason: 'may not be in the link-local range (169.254.0.0/16, fe80::/10)' },
  { cidr: '224.0.0.0/24', reason: 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/16)' },
  { cidr: 'ff02::/16', reason: 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/16)' },
];

/** kproxy's additions; checked after upstream's so upstream's reason wins where both match. */
const KPROXY: readonly Range[] = [
  { cidr: '224.0.0.0/4', reason: 'may not be a multicast address (224.0.0.0/4, ff00::/8)' },
  { cidr: 'ff00::/8', reason: 'may not be a multicast address (224.0.0.0/4, ff00::/8)' },
  { cidr: '255.255.255.255/32', reason: 'may not be the broadcast address 255.255.255.255' },
];

function blockList(ranges: readonly Range[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const [addr, prefix] = range.cidr.split('/') as [string, string];
    list.addSubnet(addr, Number(prefix), isIP(addr) === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

const CHECKS = [...UPSTREAM, ...KPROXY].map((r) => ({ ...r, list: blockList([r]) }));
/** Every range at once: an address outside it has no problem (each lookup builds a SocketAddress, which is slow). */
const ANY = blockList([...UPSTREAM, ...KPROXY]);
const LOOPBACK = new Set(['127.0.0.0/8', '::1/128']);

/** IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are judged as the IPv4 address they carry, as Go does. */
function unmapped(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1]! : ip;
}

/**
 * Why `ip` cannot be an endpoint or external IP, or undefined when it can. `allowLoopback` lets loopback
 * addresses through (the userspace mode connects to backends itself and can reach a local one).
 */
export function specialIPProblem(ip: string, opts: { allowLoopback?: boolean } = {}): string | undefined {
  const addr = unmapped(ip);
  const family = isIP(addr) === 4 ? 'ipv4' : 'ipv6';
  if (!ANY.check(addr, family)) return undefined;
  for (const check of CHECKS) {
    if (opts.allowLoopback && LOOPBACK.has(check.cidr)) continue;
    if (check.list.check(addr, family)) return check.reason;
  }
  return undefined;
}
