// The contract between `kproxy explain` and each mode's packet tracer. A tracer follows one connection
// through a rendered program (the value a renderer returns: rules, sets, maps, virtual servers, listeners)
// and says what the program does with it. It reads only the program and the node's facts, never the
// kernel, so it runs without root and can be checked against the flow suite's real packets. It fails closed:
// a rule, match or target it does not understand throws TraceUnsupported instead of guessing.

export type TraceProtocol = 'TCP' | 'UDP' | 'SCTP';

/** Where the first packet enters the node's netfilter: from a pod on this node, from the node itself, from elsewhere. */
export type TraceOrigin = 'pod' | 'node' | 'external';

export interface TracedConnection {
  readonly protocol: TraceProtocol;
  /** Destination IP and port, as the client sends them. */
  readonly destination: string;
  readonly port: number;
  /** Source IP as the node first sees it (for origin 'node': the address the node's routing picks). */
  readonly source: string;
  readonly origin: TraceOrigin;
  /** The interface the packet arrives on (origin pod or external); absent for the node's own packets. */
  readonly inInterface?: string;
}

export interface NodeFacts {
  /** Every address the node holds (what `-m addrtype --dst-type LOCAL` and `fib daddr type local` match). */
  readonly localAddresses: readonly string[];
}

/**
 * answered: sent to one of `endpoints`; rejected: refused (ICMP or TCP reset); dropped: silently discarded;
 * passed: the program leaves the connection alone, and routing decides (not a Service address here).
 */
export type TraceOutcome = 'answered' | 'rejected' | 'dropped' | 'passed';

/** One rule, set or map element, virtual server or listener that decided something, in the order hit. */
export interface TraceStep {
  /** Where it is: a chain ("nat KUBE-SVC-…"), a map ("service-ips"), a virtual server, a listener. */
  readonly where: string;
  /** The rule or element as the program spells it. */
  readonly rule: string;
}

export interface TraceVerdict {
  readonly outcome: TraceOutcome;
  /** answered: every endpoint (IP:PORT, [IPv6]:PORT) the program may send this connection to. */
  readonly endpoints: readonly string[];
  /** The source the endpoint sees is one of the node's addresses (masquerade, SNAT, or a userspace relay). */
  readonly masqueraded: boolean;
  /** Repeated connections from this source stick to one endpoint (ClientIP affinity or a source hash). */
  readonly sticky: boolean;
  readonly steps: readonly TraceStep[];
  /**
   * Optional: the source the first packet really leaves with (before any SNAT), when the program makes it
   * differ from the connection's. IPVS: the node reaching an address on kube-ipvs0 sends from that address.
   */
  readonly source?: string;
}

/** The tracer met something it does not model; explain reports it rather than guessing. */
export class TraceUnsupported extends Error {
  readonly code = 'KPROXY_TRACE_UNSUPPORTED';
}

export interface PacketTracer<Program> {
  trace(program: Program, connection: TracedConnection, node: NodeFacts): TraceVerdict;
}
