// Judging a trace: what a tracer predicts for one flow, against the expectation the flow suite checks the
// real packets with (expectationFor, the same byMode keys). Pure, so the rules are tested without a lab
// (trace-judge.test.ts). A program that leaves a connection alone ('passed') is judged by what the lab's
// routing then does with it (lab-connection.ts): a pod address answers for itself, anything else is lost.

import type { TracedConnection, TraceVerdict } from '../../src/explain/trace.js';
import type { Outcome } from '../../src/lab/flow-wire.js';
import type { LabPlan } from '../flow/manifests.js';
import type { FlowExpect } from '../flow/scenario.js';
import { LAB_NODE, routedResult } from './lab-connection.js';

/** What the tracer says the flow comes to, in the flow suite's terms. */
export interface Prediction {
  outcome: Outcome;
  /** Every endpoint the flow may reach ('answered'). */
  endpoints: readonly string[];
  /** The endpoint sees a node address: masqueraded or relayed, or the node's own packets. */
  seesNode: boolean;
  /** Every connection of this source lands on the same endpoint. */
  sticky: boolean;
}

export function predict(verdict: TraceVerdict, c: TracedConnection, plan: LabPlan): Prediction {
  const own = LAB_NODE.localAddresses.includes(verdict.source ?? c.source);
  if (verdict.outcome !== 'passed') {
    return { outcome: verdict.outcome, endpoints: verdict.endpoints, seesNode: verdict.masqueraded || own, sticky: verdict.sticky };
  }
  const routed = routedResult(c, plan);
  return { outcome: routed.outcome, endpoints: routed.endpoint ? [routed.endpoint] : [], seesNode: own, sticky: true };
}

/**
 * Everything in `p` the real flow would contradict under `expect`; empty when the trace agrees. `served`:
 * every podIP:port the lab's backend answers on (an endpoint elsewhere could never answer).
 */
export function judgePrediction(expect: FlowExpect, p: Prediction, served?: readonly string[]): string[] {
  const wanted = expect.outcome ?? 'answered';
  if (p.outcome !== wanted) return [`predicted ${p.outcome}${p.endpoints.length > 0 ? ` by ${p.endpoints.join(',')}` : ''}, expected ${wanted}`];
  if (wanted !== 'answered') return [];
  const problems: string[] = [];
  if (p.endpoints.length === 0) problems.push('predicted answered by no endpoint');
  const unserved = served ? p.endpoints.filter((e) => !served.includes(e)) : [];
  if (unserved.length > 0) problems.push(`predicted endpoints ${unserved.join(', ')} that no pod in the lab answers on`);
  if (expect.answeredBy) {
    const allowed = new Set(expect.answeredBy);
    const strays = p.endpoints.filter((e) => !allowed.has(e));
    if (strays.length > 0) problems.push(`predicted endpoints ${strays.join(', ')} outside ${expect.answeredBy.join(', ')}`);
    const missing = expect.all ? expect.answeredBy.filter((e) => !p.endpoints.includes(e)) : [];
    if (missing.length > 0) problems.push(`predicted endpoints ${p.endpoints.join(', ')} never include ${missing.join(', ')}, which all answer`);
  }
  if (expect.source && (expect.source === 'node') !== p.seesNode) {
    problems.push(`predicted the endpoint sees ${p.seesNode ? 'a node address' : "the client's own address"}, expected source ${expect.source}`);
  }
  if (expect.sameEndpoint && !p.sticky && p.endpoints.length > 1) problems.push(`predicted no affinity over ${p.endpoints.join(', ')}, expected one endpoint for every flow`);
  return problems;
}
