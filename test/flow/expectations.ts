// Judging flows: the results of one flow (or of `count` flows) against its expectation. Pure, so the rules
// that decide pass or fail are tested without root (expectations.test.ts).

import { hostOf, type FlowResult } from '../../src/lab/flow-wire.js';
import type { FlowExpect } from './scenario.js';

/** Everything wrong with `results` under `expect`; empty when the flow behaved. */
export function judgeFlow(expect: FlowExpect, results: readonly FlowResult[], nodeAddresses: readonly string[]): string[] {
  const wanted = expect.outcome ?? 'answered';
  const problems: string[] = [];
  results.forEach((r, i) => {
    const which = results.length > 1 ? `flow ${i + 1}/${results.length}: ` : '';
    if (r.outcome !== wanted) problems.push(`${which}expected ${wanted}, got ${describe(r)}`);
  });
  if (wanted !== 'answered' || problems.length > 0) return problems;

  const seen = results.map((r) => r.endpoint ?? '?');
  if (expect.answeredBy) {
    const allowed = new Set(expect.answeredBy);
    const strays = [...new Set(seen.filter((e) => !allowed.has(e)))];
    if (strays.length > 0) problems.push(`answered by ${strays.join(', ')}; allowed only ${expect.answeredBy.join(', ')}`);
    if (expect.all) {
      const missing = expect.answeredBy.filter((e) => !seen.includes(e));
      if (missing.length > 0) problems.push(`never answered by ${missing.join(', ')} over ${results.length} flows (saw ${tally(seen)})`);
    }
  }
  if (expect.sameEndpoint && new Set(seen).size > 1) problems.push(`expected one endpoint for every flow, saw ${tally(seen)}`);
  if (expect.source) problems.push(...judgeSource(expect.source, results, nodeAddresses));
  return problems;
}

function judgeSource(want: 'client' | 'node', results: readonly FlowResult[], nodeAddresses: readonly string[]): string[] {
  const node = new Set(nodeAddresses);
  const problems = new Set<string>();
  for (const r of results) {
    const seenIP = hostOf(r.source);
    const ownIP = hostOf(r.local);
    if (want === 'client' && seenIP !== ownIP) {
      problems.add(`backend saw source ${seenIP}, expected the flow's own address ${ownIP} (not masqueraded)`);
    }
    if (want === 'node' && (seenIP === undefined || !node.has(seenIP))) {
      problems.add(`backend saw source ${seenIP}, expected a node address (${nodeAddresses.join(', ')})`);
    }
  }
  return [...problems];
}

function describe(r: FlowResult): string {
  if (r.outcome === 'answered') return `answered by ${r.endpoint}`;
  return r.detail ? `${r.outcome} (${r.detail})` : r.outcome;
}

/** "a×3, b×2": how often each endpoint answered. */
function tally(endpoints: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const e of endpoints) counts.set(e, (counts.get(e) ?? 0) + 1);
  return [...counts].map(([e, n]) => `${e}×${n}`).join(', ');
}
