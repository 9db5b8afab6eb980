// Running one scenario against one mode in a lab: write the manifests, start the proxy, send every flow,
// apply each step and send its flows, and judge. Failures come back with everything needed to understand
// them: the flow, what came back, the proxy's output and the kernel state of the node.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { judgeFlow } from './expectations.js';
import type { FlowResult } from '../../src/lab/flow-wire.js';
import { NODE_ADDRESSES, type Lab, type LabPlace } from '../../src/lab/node-lab.js';
import { writeManifests } from './manifests.js';
import { modeKeys, type ModeAdapter, type RunningProxy } from './mode-adapter.js';
import { allFlows, expectationFor, type Flow, type Scenario } from './scenario.js';

/** How long a flow waits before calling itself dropped. */
export const DROP_TIMEOUT_MS = 1500;

export interface ScenarioReport {
  failures: string[];
  /** The failures with the proxy's logs and the node's kernel state; empty when nothing failed. */
  text: string;
}

function placeOf(lab: Lab, flow: Flow): LabPlace {
  if (flow.from !== 'pod') return flow.from === 'client' ? 'client' : 'node';
  if (!flow.fromIP) throw new Error(`a pod flow needs fromIP (which pod is speaking): ${JSON.stringify(flow)}`);
  return lab.placeOfPod(flow.fromIP);
}

/** Send `flow` (count times) from its namespace and return what each attempt came to. */
export async function sendFlow(lab: Lab, flow: Flow, timeoutMs = DROP_TIMEOUT_MS): Promise<FlowResult[]> {
  const count = flow.count ?? 1;
  const args = [
    fileURLToPath(new URL('./flow-client.js', import.meta.url)),
    ...['--proto', flow.proto, '--to', flow.to, '--count', String(count), '--timeout-ms', String(timeoutMs)],
    ...(flow.fromIP ? ['--from-ip', flow.fromIP] : []),
    ...(flow.sourcePort ? ['--source-port', String(flow.sourcePort)] : []),
    ...(flow.gapMs ? ['--gap-ms', String(flow.gapMs)] : []),
  ];
  const { stdout } = await lab.exec(placeOf(lab, flow), process.execPath, args, count * (timeoutMs + (flow.gapMs ?? 0)) + 15_000);
  return JSON.parse(stdout) as FlowResult[];
}

export async function runScenario(lab: Lab, adapter: ModeAdapter, scenario: Scenario): Promise<ScenarioReport> {
  await lab.resetNode();
  const dir = await mkdtemp(join(tmpdir(), 'kpt-manifests-'));
  const failures: string[] = [];
  let proxy: RunningProxy | undefined;
  let state = '';
  try {
    await (adapter.feed ? adapter.feed.load(scenario.objects) : writeManifests(dir, scenario.objects));
    const since = Date.now();
    proxy = await adapter.start(lab, dir, scenario.nodeName, scenario.flags);
    await proxy.waitForSync(since);
    const flows = allFlows(scenario);
    for (const step of [undefined, ...(scenario.steps ?? [])]) {
      if (step) {
        const changedAt = Date.now();
        await (adapter.feed ? adapter.feed.replace(step.objects) : writeManifests(dir, step.objects));
        await proxy.waitForSync(changedAt);
      }
      for (const { index, flow } of flows.filter((f) => f.step === step?.name)) {
        failures.push(...(await judgeOne(lab, modeKeys(adapter), scenario, index, flow)));
      }
    }
  } catch (err) {
    failures.push(`harness: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    if (failures.length > 0) state = await kernelState(lab, adapter);
    await proxy?.stop();
    await rm(dir, { recursive: true, force: true });
  }
  if (failures.length === 0) return { failures, text: '' };
  const text = [
    `scenario "${scenario.name}" in mode ${adapter.mode}:`,
    ...failures.map((f) => `  - ${f}`),
    '--- proxy output ---',
    proxy?.logs() ?? '(the proxy did not start)',
    state,
  ].join('\n');
  return { failures, text };
}

/** Start `adapter` on `objects` on a reset node, wait for its first sync, run `fn`, then stop it (tests beyond scenarios). */
export async function withProxy<T>(lab: Lab, adapter: ModeAdapter, objects: Scenario['objects'], nodeName: string, fn: (proxy: RunningProxy) => Promise<T>): Promise<T> {
  await lab.resetNode();
  const dir = await mkdtemp(join(tmpdir(), 'kpt-manifests-'));
  let proxy: RunningProxy | undefined;
  try {
    await writeManifests(dir, objects);
    const since = Date.now();
    proxy = await adapter.start(lab, dir, nodeName);
    await proxy.waitForSync(since);
    return await fn(proxy);
  } finally {
    await proxy?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function judgeOne(lab: Lab, keys: readonly string[], s: Scenario, index: number, flow: Flow): Promise<string[]> {
  const expect = expectationFor(s, keys, index, flow);
  const results = await sendFlow(lab, flow);
  const problems = judgeFlow(expect, results, NODE_ADDRESSES);
  if (problems.length === 0) return [];
  const shown = results.length > 3 ? `${JSON.stringify(results.slice(0, 3))} (+${results.length - 3} more)` : JSON.stringify(results);
  return [`flow #${index} ${JSON.stringify(flow)} expecting ${JSON.stringify(expect)}: ${problems.join('; ')}; results ${shown}`];
}

async function kernelState(lab: Lab, adapter: ModeAdapter): Promise<string> {
  const parts: string[] = [];
  for (const [cmd, ...args] of adapter.stateCommands ?? []) {
    if (cmd === undefined) continue;
    const out = await lab.exec('node', cmd, args).then(
      (r) => r.stdout,
      (e: Error) => `(failed: ${e.message})`,
    );
    parts.push(`--- ${[cmd, ...args].join(' ')} (node namespace) ---\n${out}`);
  }
  return parts.join('\n');
}
