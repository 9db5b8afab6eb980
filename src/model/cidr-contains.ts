// Whether an address lies in a CIDR: the one question renderers (source ranges that hold the node's own
// IPs) and tracers (rule and set matches) ask of addresses, answered by node:net's BlockList.

import { BlockList, isIP } from 'node:net';

/** An address or CIDR (a bare address is a /32 or /128) containing `ip` of the same family; false on anything malformed. */
export function cidrContains(cidr: string, ip: string): boolean {
  const [net, bits] = cidr.split('/');
  const family = isIP(net ?? '');
  if (!net || family === 0 || family !== isIP(ip)) return false;
  const type = family === 6 ? 'ipv6' : 'ipv4';
  const list = new BlockList();
  try {
    list.addSubnet(net, Number(bits ?? (family === 6 ? 128 : 32)), type);
    return list.check(ip, type);
  } catch {
    return false;
  }
}
