// Where kproxy's iptables rules may differ from upstream kube-proxy's (v1.30.3) on the same objects and
// flags, and why. iptables-differential.test.ts removes exactly these lines before comparing the two
// `iptables-save` dumps; docs/compat.md ("Departures the oracle found") repeats the list. Anything else
// that differs fails the test: a difference without a written reason is a bug on one side.

/** A normalised dump line: `<family> <table> <iptables-save line>`, e.g. `ipv4 nat -A KUBE-SERVICES ...`. */
export interface RuleDeparture {
  /** Short name; docs/compat.md ("Departures the oracle found") lists every one by it. */
  name: string;
  /** Which proxy writes the line the other does not. */
  only: 'upstream' | 'kproxy';
  /** Matches the normalised lines concerned (family and table prefix included). */
  line: RegExp;
  /** What upstream does and why kproxy differs. */
  why: string;
}

const NO_ENDPOINTS_WHY =
  'upstream refuses a TCP port without endpoints with ICMP port unreachable; the kernel rate-limits ICMP errors per ' +
  'destination, so a client\'s first SYNs may go unanswered until its retransmit (measured: 6 of 100 spaced tries). ' +
  'kproxy answers TCP with a reset, which is not rate-limited; the client sees the same ECONNREFUSED. UDP and SCTP keep ICMP.';

export const IPTABLES_DEPARTURES: readonly RuleDeparture[] = [
  {
    name: 'no-endpoint TCP reject (upstream: ICMP)',
    only: 'upstream',
    line: /^ipv[46] filter -A KUBE-(SERVICES|EXTERNAL-SERVICES) .*-p tcp .*-j REJECT --reject-with icmp6?-port-unreachable$/,
    why: NO_ENDPOINTS_WHY,
  },
  {
    name: 'no-endpoint TCP reject (kproxy: TCP reset)',
    only: 'kproxy',
    line: /^ipv[46] filter -A KUBE-(SERVICES|EXTERNAL-SERVICES) .*-p tcp .*-j REJECT --reject-with tcp-reset$/,
    why: NO_ENDPOINTS_WHY,
  },
];

/** `lines` without those a departure for `side` allows. */
export function withoutDepartures(lines: readonly string[], side: RuleDeparture['only']): string[] {
  const allowed = IPTABLES_DEPARTURES.filter((d) => d.only === side);
  return lines.filter((l) => !allowed.some((d) => d.line.test(l)));
}
