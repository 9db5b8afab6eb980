// The flow suite as node:test tests: one lab per test file (built once, shared by its scenarios), one test
// per scenario, one proxy process per scenario. A test skips with the reason when the lab cannot be built
// here (not root, no iproute2), when the mode cannot run, or when the scenario's byMode says so.

import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Lab, labRequirements } from '../../src/lab/node-lab.js';
import { planLab } from './manifests.js';
import { modeKeys, type ModeAdapter } from './mode-adapter.js';
import { skipFor, type Scenario } from './scenario.js';
import { runScenario } from './scenario-run.js';

export interface FlowLab {
  /** Why there is no lab (tests skip with it), or undefined. */
  skipReason(): string | undefined;
  get(): Lab;
}

/**
 * Build the lab (and its backend) for `scenarios` before the enclosing suite's tests, destroy it after.
 * `modeSkip` (the adapter's requirements) saves building a lab no test would use.
 */
export function useFlowLab(scenarios: readonly Scenario[], modeSkip: () => string | undefined = () => undefined, adapters: readonly ModeAdapter[] = []): FlowLab {
  let lab: Lab | undefined;
  const reason = labRequirements();
  before(async () => {
    if (reason || modeSkip()) return;
    const plan = planLab(scenarios);
    lab = await Lab.create(plan);
    await lab.startBackend(plan.listen);
    for (const a of new Set(adapters)) await a.setUp?.(lab);
  });
  after(async () => {
    for (const a of new Set(adapters)) await a.tearDown?.();
    await lab?.destroy();
  });
  return {
    skipReason: () => reason,
    get: () => {
      if (!lab) throw new Error('the flow lab was not built');
      return lab;
    },
  };
}

/** How many scenarios of one suite ran, passed, failed and were skipped. */
export interface FlowTally {
  label: string;
  ran: number;
  passed: number;
  failed: number;
  skipped: number;
}

/** One test per scenario, run against `adapter` in `lab`; returns the tally the tests fill in. */
export function registerScenarioTests(adapter: ModeAdapter, scenarios: readonly Scenario[], lab: FlowLab): FlowTally {
  const tally: FlowTally = { label: adapter.label ?? adapter.mode, ran: 0, passed: 0, failed: 0, skipped: 0 };
  for (const scenario of scenarios) {
    test(scenario.name, async (t) => {
      const skip = lab.skipReason() ?? adapter.requirements() ?? skipFor(scenario, modeKeys(adapter));
      if (skip) {
        tally.skipped++;
        t.skip(skip);
        return;
      }
      tally.ran++;
      const report = await runScenario(lab.get(), adapter, scenario);
      if (report.failures.length > 0) {
        tally.failed++;
        assert.fail(report.text);
      }
      tally.passed++;
    });
  }
  return tally;
}

/**
 * npm test prints one line per mode at the end: each suite appends its tally to the file named by
 * KPROXY_FLOW_SUMMARY (one JSON object a line), when that is set.
 */
function recordTally(tally: FlowTally): void {
  const file = process.env['KPROXY_FLOW_SUMMARY'];
  if (file) appendFileSync(file, `${JSON.stringify(tally)}\n`);
}

/** The whole suite for one mode: call it once from a test file. */
export function runFlowSuite(adapter: ModeAdapter, scenarios: readonly Scenario[]): void {
  describe(`flows through ${adapter.label ?? adapter.mode} mode`, () => {
    const lab = useFlowLab(scenarios, () => adapter.requirements(), [adapter]);
    const tally = registerScenarioTests(adapter, scenarios, lab);
    after(() => recordTally(tally));
  });
}
