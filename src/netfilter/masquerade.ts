// Masquerading as upstream kube-proxy does it in both its iptables and its IPVS mode: rules that decide a
// packet needs SNAT jump to KUBE-MARK-MASQ, which sets one bit of the packet mark; KUBE-POSTROUTING
// masquerades marked packets; KUBE-FORWARD accepts them (and their replies) even where the FORWARD policy
// is DROP. One writer for both modes, so the mark and the rules cannot drift apart between them.

import { KUBE_FORWARD, KUBE_MARK_MASQ, KUBE_POSTROUTING } from './chain-names.js';
import { comment, type TableWriter } from './restore-writer.js';

/**
 * Go's fmt.Sprintf("%#08x", 1 << bit): the mark as upstream writes it, eight zero-padded hex digits (the
 * nftables mode writes it too). `field` names the setting in the error.
 */
export function masqueradeMarkOf(bit: number, field = 'iptables.masqueradeBit'): string {
  if (!Number.isInteger(bit) || bit < 0 || bit > 31) {
    throw new Error(`${field}: got ${String(bit)}, allowed: an integer from 0 to 31`);
  }
  return `0x${(2 ** bit).toString(16).padStart(8, '0')}`;
}

/** KUBE-POSTROUTING (masquerade what is marked) and KUBE-MARK-MASQ (mark), in the nat table. */
export function writeMasqueradeRules(nat: TableWriter, o: { readonly mark: string; readonly randomFully: boolean }): void {
  const { mark } = o;
  nat.append(KUBE_POSTROUTING, '-m', 'mark', '!', '--mark', `${mark}/${mark}`, '-j', 'RETURN');
  // Clear the mark so a packet that traverses the stack again is not masqueraded twice.
  nat.append(KUBE_POSTROUTING, '-j', 'MARK', '--xor-mark', mark);
  nat.append(KUBE_POSTROUTING, comment('kubernetes service traffic requiring SNAT'), '-j', 'MASQUERADE', o.randomFully ? ['--random-fully'] : []);
  nat.append(KUBE_MARK_MASQ, '-j', 'MARK', '--or-mark', mark);
}

/**
 * KUBE-FORWARD in the filter table: accept marked and established traffic. `dropInvalid` first drops
 * INVALID packets (the iptables mode, unless conntrack is liberal; upstream's IPVS mode has no such rule).
 */
export function writeForwardRules(filter: TableWriter, o: { readonly mark: string; readonly dropInvalid: boolean }): void {
  const { mark } = o;
  if (o.dropInvalid) filter.append(KUBE_FORWARD, '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP');
  // Marked (NodePort) traffic is forwarded even where the FORWARD policy is DROP.
  filter.append(KUBE_FORWARD, comment('kubernetes forwarding rules'), '-m', 'mark', '--mark', `${mark}/${mark}`, '-j', 'ACCEPT');
  filter.append(KUBE_FORWARD, comment('kubernetes forwarding conntrack rule'), '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT');
}
