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

export const IPTABLES_DEPARTURES: readonly RuleDeparture[] = [];

/** `lines` without those a departure for `side` allows. */
export function withoutDepartures(lines: readonly string[], side: RuleDeparture['only']): string[] {
  const allowed = IPTABLES_DEPARTURES.filter((d) => d.only === side);
  return lines.filter((l) => !allowed.some((d) => d.line.test(l)));
}
