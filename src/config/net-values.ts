// Address syntax the configuration accepts (CIDRs, IP:port, port ranges), checked with node:net's isIP
// and BlockList rather than by parsing addresses by hand.

import { BlockList, isIP } from 'node:net';

/** 4 or 6 for a valid "address/prefix" (host bits may be set, as Go's ParseCIDR allows), else 0. */
export function cidrFamily(text: string): 0 | 4 | 6 {
  const slash = text.indexOf('/');
  if (slash < 0) return 0;
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const family = isIP(address);
  if (family === 0 || !/^\d{1,3}$/.test(prefixText)) return 0;
  try {
    // BlockList rejects a prefix longer than the family allows.
    new BlockList().addSubnet(address, Number(prefixText), family === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return 0;
  }
  return family === 4 ? 4 : 6;
}

/** Splits "IP:port" / "[IPv6]:port" like Go's net.SplitHostPort, requiring an IP host and port 1..65535. */
export function parseIPPort(text: string): { ip: string; port: number } | { error: string } {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:]*)$/.exec(text);
  if (!m) return { error: 'must be IP:port (IPv6 as [IP]:port)' };
  const ip = m[1] ?? m[2] ?? '';
  if (isIP(ip) === 0 || (m[2] !== undefined && isIP(ip) === 6)) return { error: `${JSON.stringify(ip)} must be a valid IP` };
  const portText = m[3] ?? '';
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return { error: `port ${JSON.stringify(portText)} must be within 1..65535` };
  return { ip, port };
}

/** "", "N", "N-M" or "N+offset" with ports in 0..65535 (upstream's net.ParsePortRange). */
export function isPortRange(text: string): boolean {
  if (text === '') return true;
  const m = /^(\d+)(?:([-+])(\d+))?$/.exec(text.trim());
  if (!m) return false;
  const base = Number(m[1]);
  const other = m[3] === undefined ? 0 : Number(m[3]);
  const end = m[2] === '+' ? base + other : m[2] === '-' ? other : base;
  return base <= 65535 && end <= 65535 && end >= base;
}
