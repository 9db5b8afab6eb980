// What `kproxy explain --live` says about one traced step against the kernel now, in every mode that
// has a live reader (live-iptables.ts, live-nftables.ts): there or not, and its counters when the kernel
// keeps some for it.

export interface LiveFinding {
  /** The step's place, as the trace names it (a chain, a set or map). */
  readonly where: string;
  /** The step's rule or element, as the program spells it. */
  readonly rule: string;
  readonly state: 'present' | 'chain missing' | 'rule not found' | 'set missing' | 'element missing';
  /** Present and counted: the kernel's counter of the rule (nftables: only rules kproxy gives a `counter`). */
  readonly packets?: number;
  readonly bytes?: number;
}
