// The whole answer of `kproxy explain` for one connection, as a value: which service port it reaches and
// as what, every endpoint and why it is (not) used, what the model says must happen (answer, reject, drop),
// and what the mode's tracer found in the rendered program. Pure: the command gathers the inputs
// (snapshot, raw objects, rejected-input errors, program, tracer) and explain-report.ts prints the result.

import type { ProxyMode } from '../dataplane/types.js';
import type { InputError } from '../model/input-error.js';
import type { EndpointSlice, Service } from '../model/objects.js';
import type { ServicePort, Snapshot } from '../model/types.js';
import { schedulerRow } from '../schedulers/scheduler-table.js';
import type { Destination } from './connection-parse.js';
import type { LiveFinding } from './live-finding.js';
import { explainEndpoints, type ExplainedEndpoint } from './endpoint-reasons.js';
import { rejectedServicesFor, type RejectedService } from './rejected-services.js';
import { isMatch, matchService, type MatchKind, type NodeAddressing } from './service-match.js';
import { TraceUnsupported, type NodeFacts, type PacketTracer, type TraceOrigin, type TraceVerdict } from './trace.js';

export interface ExplainInput {
  readonly mode: ProxyMode;
  readonly snapshot: Snapshot;
  readonly destination: Destination;
  readonly source: string;
  /** How the source was chosen when --source was not given. */
  readonly sourceNote?: string;
  readonly origin: TraceOrigin;
  readonly via?: string;
  /** The mode can tell this node's pods' traffic apart (--cluster-cidr or --detect-local-mode set). */
  readonly detectsLocalPods: boolean;
  readonly node: NodeAddressing;
  /** Every input error the model holds. */
  readonly errors: readonly InputError[];
  readonly rawServices: readonly Service[];
  readonly slicesOf: (namespace: string, name: string) => readonly EndpointSlice[];
  /** The rendered program and the mode's tracer; tracer undefined when the mode has none yet. */
  readonly program: unknown;
  readonly tracer: PacketTracer<unknown> | undefined;
}

export type ExplainTrace =
  | { readonly status: 'traced'; readonly verdict: TraceVerdict }
  | { readonly status: 'no-tracer' | 'unsupported'; readonly message: string };

export interface ExplainReport {
  readonly mode: ProxyMode;
  readonly connection: {
    readonly protocol: string;
    readonly destination: string;
    readonly port: number;
    readonly source: string;
    readonly sourceNote?: string;
    readonly origin: TraceOrigin;
    readonly via?: string;
  };
  readonly match?: {
    readonly kind: MatchKind;
    readonly servicePort: string;
    readonly serviceType: ServicePort['type'];
    readonly policy: 'Cluster' | 'Local';
    readonly how: string;
    /** Why the policy used differs from the Service's (pod or node traffic to an external address). */
    readonly policyNote?: string;
  };
  /** When nothing matches: what the node does instead. */
  readonly noMatch?: string;
  /** Services the model rejected (or partly rejected) that claim this destination, with the input errors. */
  readonly rejected: readonly RejectedService[];
  readonly endpoints: readonly ExplainedEndpoint[];
  /** What the selection rules say must happen, before any mode is consulted. */
  readonly expected: { readonly outcome: 'answered' | 'rejected' | 'dropped' | 'passed'; readonly why: string };
  readonly scheduler?: { readonly name: string; readonly description: string; readonly affinity: string; readonly pick: string };
  readonly trace: ExplainTrace;
  /** --live: the traced rules (and nft elements) in the kernel now, with their counters (iptables, nftables). */
  readonly live?: readonly LiveFinding[];
}

export function explainConnection(input: ExplainInput): ExplainReport {
  const { destination: dest } = input;
  const connection = {
    protocol: dest.protocol,
    destination: dest.ip,
    port: dest.port,
    source: input.source,
    ...(input.sourceNote ? { sourceNote: input.sourceNote } : {}),
    origin: input.origin,
    ...(input.via ? { via: input.via } : {}),
  };
  const matched = matchService(input.snapshot, dest, input.node);
  const rejected = rejectedServicesFor(input.rawServices, input.errors, dest, input.slicesOf, input.node);
  const trace = runTracer(input);
  if (!isMatch(matched)) {
    const why = rejected.length > 0 ? `${matched.what}; a Service claiming it was rejected (see below)` : matched.what;
    return { mode: input.mode, connection, noMatch: matched.what, rejected, endpoints: [], expected: { outcome: 'passed', why }, trace };
  }
  const sp = matched.servicePort;
  const { policy, policyNote } = effectivePolicy(input, matched.kind, matched.policy);
  const endpoints = explainEndpoints(sp, policy, input.snapshot.node, input.slicesOf(sp.namespace, sp.name));
  const usable = endpoints.filter((e) => e.used);
  const expected =
    usable.length > 0
      ? { outcome: 'answered' as const, why: `${usable.length} usable endpoint(s) under traffic policy ${policy}` }
      : !sp.selection.hasAny
        ? { outcome: 'rejected' as const, why: 'the port has no usable endpoint anywhere (none ready, none serving while terminating): the node rejects the connection' }
        : { outcome: 'dropped' as const, why: `traffic policy ${policy} and no usable endpoint on this node (${JSON.stringify(input.snapshot.node.name)}): the node drops the connection, so clients and load-balancer health checks go elsewhere` };
  const affinity = sp.sessionAffinity.type === 'ClientIP' ? `ClientIP (timeout ${sp.sessionAffinity.timeoutSeconds}s)` : 'None';
  return {
    mode: input.mode,
    connection,
    match: { kind: matched.kind, servicePort: sp.key, serviceType: sp.type, policy, how: matched.how, ...(policyNote ? { policyNote } : {}) },
    rejected,
    endpoints,
    expected,
    scheduler: { name: sp.scheduler, description: schedulerRow(sp.scheduler)?.description ?? 'unknown scheduler', affinity, pick: pickText(sp, usable, trace) },
    trace,
  };
}

/**
 * Upstream's kernel modes send traffic that starts on the node to an external address of a Local-policy
 * Service to the Cluster endpoints: always for the node's own traffic, and for a local pod's traffic when the
 * mode can tell pods apart (--cluster-cidr or --detect-local-mode); only other traffic is held to the node's
 * own endpoints. The userspace mode relays every connection alike, so it keeps Local.
 */
function effectivePolicy(input: ExplainInput, kind: MatchKind, policy: 'Cluster' | 'Local'): { policy: 'Cluster' | 'Local'; policyNote?: string } {
  if (policy === 'Cluster' || kind === 'ClusterIP' || input.origin === 'external' || input.mode === 'userspace') return { policy };
  if (input.origin === 'pod' && !input.detectsLocalPods) {
    return { policy, policyNote: 'traffic from a local pod is treated as external here: no --cluster-cidr or --detect-local-mode tells pods apart' };
  }
  const from = input.origin === 'pod' ? 'a pod on this node' : 'the node itself';
  return { policy: 'Cluster', policyNote: `externalTrafficPolicy is Local, but traffic from ${from} to an external address goes to the Cluster endpoints, as in kube-proxy (give --via to explain traffic from outside)` };
}

/** The endpoint this source lands on, where that is decided by the source alone. */
function pickText(sp: ServicePort, usable: readonly ExplainedEndpoint[], trace: ExplainTrace): string {
  if (usable.length === 1) return `${usable[0]!.address} (the only usable endpoint)`;
  if (trace.status === 'traced' && trace.verdict.endpoints.length === 1) return `${trace.verdict.endpoints[0]} (from the trace)`;
  const bySource = sp.sessionAffinity.type === 'ClientIP' || ['sh', 'dh', 'mh'].includes(sp.scheduler);
  if (bySource) return 'fixed for this source (affinity or a hash), but which endpoint depends on kernel state or hash keys not known here';
  return 'varies per connection';
}

function runTracer(input: ExplainInput): ExplainTrace {
  if (!input.tracer) return { status: 'no-tracer', message: `no packet tracer for mode ${input.mode} yet: the kernel objects, masquerade and reject/drop decision are not shown` };
  const facts: NodeFacts = { localAddresses: input.node.localAddresses };
  try {
    const verdict = input.tracer.trace(
      input.program,
      { protocol: input.destination.protocol, destination: input.destination.ip, port: input.destination.port, source: input.source, origin: input.origin },
      facts,
    );
    return { status: 'traced', verdict };
  } catch (err) {
    if (err instanceof TraceUnsupported) return { status: 'unsupported', message: err.message };
    throw err;
  }
}
