// The flow suite as node:test tests: one lab per test file (built once, shared by its scenarios), one test
// per scenario, one proxy process per scenario. A test skips with the reason when the lab cannot be built
// here (not root, no iproute2), when the mode cannot run, or when the scenario's byMode says so.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Lab, labRequirements } from './lab.js';
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

/** One test per scenario, run against `adapter` in `lab`. */
export function registerScenarioTests(adapter: ModeAdapter, scenarios: readonly Scenario[], lab: FlowLab): void {
  for (const scenario of scenarios) {
    test(scenario.name, async (t) => {
      const skip = lab.skipReason() ?? adapter.requirements() ?? skipFor(scenario, modeKeys(adapter));
      if (skip) {
        t.skip(skip);
        return;
      }
      const report = await runScenario(lab.get(), adapter, scenario);
      if (report.failures.length > 0) assert.fail(report.text);
    });
  }
}

/** The whole suite for one mode: call it once from a test file. */
export function runFlowSuite(adapter: ModeAdapter, scenarios: readonly Scenario[]): void {
  describe(`flows through ${adapter.label ?? adapter.mode} mode`, () => {
    const lab = useFlowLab(scenarios, () => adapter.requirements(), [adapter]);
    registerScenarioTests(adapter, scenarios, lab);
  });
}
