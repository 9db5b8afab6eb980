// The rules that do not depend on any Service: masquerade marking and SNAT (written by the netfilter
// toolkit, src/netfilter/masquerade.ts, as in IPVS mode), the localhost-NodePort guard, and the NodePort
// hand-off at the end of KUBE-SERVICES. KUBE-FORWARD comes from the toolkit too.

import { isIP } from 'node:net';
import { KUBE_FIREWALL, KUBE_NODEPORTS, KUBE_SERVICES } from '../../netfilter/chain-names.js';
import { writeMasqueradeRules } from '../../netfilter/masquerade.js';
import { comment, type TableWriter } from '../../netfilter/restore-writer.js';
import type { RenderContext } from './render-context.js';

/** Written first: KUBE-POSTROUTING, KUBE-MARK-MASQ, and kubelet's anti-martian rule when needed. */
export function writeMasqueradeAndLocalnetGuard(ctx: RenderContext, filter: TableWriter, nat: TableWriter): void {
  writeMasqueradeRules(nat, { mark: ctx.masqueradeMark, randomFully: ctx.randomFully });
  if (ctx.family === 'IPv4' && ctx.localhostNodePorts) {
    // route_localnet opens 127.0.0.0/8 to the network (issue 90259); this drops what did not come from us.
    filter.declare(KUBE_FIREWALL);
    filter.append(
      KUBE_FIREWALL,
      comment('block incoming localnet connections'),
      ['-d', '127.0.0.0/8', '!', '-s', '127.0.0.0/8', '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED,DNAT', '-j', 'DROP'],
    );
  }
}

const NODEPORTS_COMMENT = 'kubernetes service nodeports; NOTE: this must be the last rule in this chain';

/** Written after every service: the jump to KUBE-NODEPORTS must be the last rule of KUBE-SERVICES. */
export function writeNodePortTail(ctx: RenderContext, nat: TableWriter): string[] {
  const warnings: string[] = [];
  if (ctx.nodePortAddresses.length === 0) {
    const dst = ['-m', 'addrtype', '--dst-type', 'LOCAL'];
    // Localhost NodePorts never work on IPv6, and on IPv4 only with route_localnet.
    if (ctx.family === 'IPv6') dst.push('!', '-d', '::1/128');
    else if (!ctx.localhostNodePorts) dst.push('!', '-d', '127.0.0.0/8');
    nat.append(KUBE_SERVICES, comment(NODEPORTS_COMMENT), dst, '-j', KUBE_NODEPORTS);
    return warnings;
  }
  const want = ctx.family === 'IPv4' ? 4 : 6;
  for (const ip of ctx.nodePortAddresses.filter((a) => isIP(a) === want)) {
    if (isLoopback(ip)) {
      if (ctx.family === 'IPv6') {
        warnings.push(`--nodeport-addresses includes localhost but localhost NodePorts are not supported on IPv6 (address ${ip})`);
        continue;
      }
      if (!ctx.localhostNodePorts) {
        warnings.push(`--nodeport-addresses includes localhost but --iptables-localhost-nodeports=false was passed (address ${ip})`);
        continue;
      }
    }
    nat.append(KUBE_SERVICES, comment(NODEPORTS_COMMENT), '-d', ip, '-j', KUBE_NODEPORTS);
  }
  return warnings;
}

export function isLoopback(ip: string): boolean {
  return ip === '::1' || (isIP(ip) === 4 && ip.startsWith('127.'));
}
