// `kproxy explain` checked against reality: every flow scenario is rendered the way the daemon renders it
// (renderObjects, with the flow suite's exact flags for the mode plus the scenario's own), every flow is
// traced through the mode's program, and the trace must agree with what the flow suite requires of the real
// packets in that mode (expectationFor with the adapter's byMode keys). No root needed: the tracers read
// the program only. Prints, per mode, how many scenarios were traced, matched, mismatched and unsupported.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { loadConfiguration } from '../../src/config/load.js';
import { renderObjects } from '../../src/cli/render-program.js';
import { TraceUnsupported } from '../../src/explain/trace.js';
import { silentLogger } from '../../src/observability/logger.js';
import { planLab } from '../flow/manifests.js';
import { modeKeys } from '../flow/mode-adapter.js';
import { allFlows, expectationFor, skipFor, type Scenario } from '../flow/scenario.js';
import { LAB_NODE, LAB_NODE_INTERFACES, connectionOf } from './lab-connection.js';
import { judgePrediction, predict } from './trace-judge.js';
import { TRACE_MODES, tracerFor, type TraceMode } from './trace-modes.js';

/**
 * Scenarios a mode's tracer is known to get wrong or not to model, by mode, each with the reason. Keep it
 * empty: an entry is a bug in a tracer (or a renderer) that someone must fix. An entry that matches again
 * fails too, so the list never outlives its reason.
 */
const KNOWN_DISAGREEMENTS: Partial<Record<string, Record<string, string>>> = {};

interface Tally {
  traced: number;
  matched: number;
  mismatched: number;
  unsupported: number;
  skipped: number;
}

type ScenarioResult = { kind: 'matched' } | { kind: 'mismatched' | 'unsupported'; problems: string[] };

async function traceScenario(m: TraceMode, scenario: Scenario): Promise<ScenarioResult> {
  const tracer = tracerFor(m.mode)!;
  const plan = planLab(m.scenarios);
  const keys = modeKeys(m.adapter);
  const loaded = await loadConfiguration(m.adapter.proxyArgs!('manifests', scenario.nodeName, scenario.flags));
  const flows = allFlows(scenario);
  const mismatches: string[] = [];
  const unsupported: string[] = [];
  for (const step of [undefined, ...(scenario.steps ?? [])]) {
    const { program } = renderObjects(loaded, step?.objects ?? scenario.objects, { logger: silentLogger, interfaceAddresses: LAB_NODE_INTERFACES });
    for (const { index, flow } of flows.filter((f) => f.step === step?.name)) {
      const connection = connectionOf(flow, plan);
      const where = `flow #${index} ${flow.from}${flow.fromIP ? ` ${flow.fromIP}` : ''} -> ${flow.proto} ${flow.to}`;
      try {
        const verdict = tracer.trace(program, connection, LAB_NODE);
        const problems = judgePrediction(expectationFor(scenario, keys, index, flow), predict(verdict, connection, plan));
        if (problems.length > 0) mismatches.push(`${where}: ${problems.join('; ')}`);
      } catch (err) {
        if (!(err instanceof TraceUnsupported)) throw err;
        unsupported.push(`${where}: ${err.message}`);
      }
    }
  }
  if (unsupported.length > 0) return { kind: 'unsupported', problems: [...unsupported, ...mismatches] };
  if (mismatches.length > 0) return { kind: 'mismatched', problems: mismatches };
  return { kind: 'matched' };
}

for (const m of TRACE_MODES) {
  describe(`explain's ${m.mode} tracer against the flow scenarios`, () => {
    const tally: Tally = { traced: 0, matched: 0, mismatched: 0, unsupported: 0, skipped: 0 };
    const notes: string[] = [];
    after(() => {
      const t = tally;
      const line = `explain ${m.mode}: ${t.traced} traced, ${t.matched} matched, ${t.mismatched} mismatched, ${t.unsupported} unsupported, ${t.skipped} skipped`;
      process.stdout.write(`${[line, ...notes.map((n) => `  ${n}`)].join('\n')}\n`);
    });
    if (!tracerFor(m.mode)) {
      test(`no tracer for mode ${m.mode}`, (t) => {
        tally.skipped = m.scenarios.length;
        t.skip(`no tracer for mode ${m.mode} in explain's registry yet`);
      });
      return;
    }
    for (const scenario of m.scenarios) {
      test(scenario.name, async (t) => {
        const skip = skipFor(scenario, modeKeys(m.adapter));
        if (skip) {
          tally.skipped++;
          t.skip(skip);
          return;
        }
        tally.traced++;
        const result = await traceScenario(m, scenario);
        if (result.kind !== 'matched') tally[result.kind]++;
        else tally.matched++;
        const known = KNOWN_DISAGREEMENTS[m.mode]?.[scenario.name];
        if (result.kind === 'matched') {
          assert.equal(known, undefined, `"${scenario.name}" is listed in KNOWN_DISAGREEMENTS for ${m.mode} but matches now: remove it`);
          return;
        }
        notes.push(`${result.kind}: ${scenario.name}: ${result.problems[0]}${result.problems.length > 1 ? ` (+${result.problems.length - 1} more)` : ''}`);
        if (known) {
          t.diagnostic(`known (${known}): ${result.problems.join(' | ')}`);
          return;
        }
        assert.fail(`${m.mode} tracer ${result.kind} on "${scenario.name}":\n  ${result.problems.join('\n  ')}`);
      });
    }
  });
}
