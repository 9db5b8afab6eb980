// Many walks of one connection (one per random branch, or per IPVS real server) folded into one verdict:
// the endpoints are the union, masquerading and stickiness hold when any walk shows them, and the steps
// are every rule hit, in first-seen order. Walks that disagree on the outcome are not modelled.

import { TraceUnsupported, type TraceOutcome, type TraceStep, type TraceVerdict } from '../explain/trace.js';

export interface PathResult {
  readonly outcome: TraceOutcome;
  /** answered: the endpoint this walk reached. */
  readonly endpoint?: string;
  readonly masqueraded: boolean;
  readonly sticky: boolean;
  readonly steps: readonly TraceStep[];
}

export function foldPaths(paths: readonly PathResult[]): TraceVerdict {
  const outcomes = [...new Set(paths.map((p) => p.outcome))];
  if (outcomes.length !== 1) throw new TraceUnsupported(`random branches end differently: ${outcomes.join(', ')}`);
  const steps: TraceStep[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    for (const s of p.steps) {
      const key = `${s.where}\n${s.rule}`;
      if (!seen.has(key)) { seen.add(key); steps.push(s); }
    }
  }
  const endpoints = [...new Set(paths.flatMap((p) => (p.endpoint ? [p.endpoint] : [])))];
  return {
    outcome: outcomes[0]!,
    endpoints: outcomes[0] === 'answered' ? endpoints : [],
    masqueraded: paths.some((p) => p.masqueraded),
    sticky: paths.some((p) => p.sticky),
    steps,
  };
}
