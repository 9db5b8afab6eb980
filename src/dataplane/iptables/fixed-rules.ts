// The rules that do not depend on any Service: masquerade marking and SNAT, the localhost-NodePort guard,
// the NodePort hand-off at the end of KUBE-SERVICES, and the FORWARD acceptance of marked traffic.

import { isIP } from 'node:net';
import {
  KUBE_FIREWALL,
  KUBE_FORWARD,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_SERVICES,
} from './chain-names.js';
import { comment, type TableWriter } from './program.js';
import type { RenderContext } from './render-context.js';

/** Written first: KUBE-POSTROUTING, KUBE-MARK-MASQ, and kubelet's anti-martian rule when needed. */
export function writeMasqueradeRules(ctx: RenderContext, filter: TableWriter, nat: TableWriter): void {
  const mark = ctx.masqueradeMark;
  nat.append(KUBE_POSTROUTING, '-m', 'mark', '!', '--mark', `${mark}/${mark}`, '-j', 'RETURN');
  // Clear the mark so a packet that traverses the stack again is not masqueraded twice.
  nat.append(KUBE_POSTROUTING, '-j', 'MARK', '--xor-mark', mark);
  nat.append(KUBE_POSTROUTING, comment('kubernetes service traffic requiring SNAT'), '-j', 'MASQUERADE', ctx.randomFully ? ['--random-fully'] : []);
  nat.append(KUBE_MARK_MASQ, '-j', 'MARK', '--or-mark', mark);

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

/** KUBE-FORWARD: drop INVALID (unless conntrack is liberal), accept marked and established traffic. */
export function writeForwardRules(ctx: RenderContext, filter: TableWriter): void {
  const mark = ctx.masqueradeMark;
  if (!ctx.conntrackTCPLiberal) filter.append(KUBE_FORWARD, '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP');
  // Marked (NodePort) traffic is forwarded even where the FORWARD policy is DROP.
  filter.append(KUBE_FORWARD, comment('kubernetes forwarding rules'), '-m', 'mark', '--mark', `${mark}/${mark}`, '-j', 'ACCEPT');
  filter.append(KUBE_FORWARD, comment('kubernetes forwarding conntrack rule'), '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT');
}

export function isLoopback(ip: string): boolean {
  return ip === '::1' || (isIP(ip) === 4 && ip.startsWith('127.'));
}
