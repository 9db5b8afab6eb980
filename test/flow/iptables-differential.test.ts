// Rule-level differential, iptables mode: for every scenario, upstream kube-proxy (v1.30.3) and kproxy run
// in turn on the same objects in the same real kube-apiserver with the same flags, and the node's
// normalised iptables-save (filter and nat, both families) must be the same after the start and after
// each step, but for the listed departures (iptables-departures.ts). Steps run in one proxy process, so
// kproxy's partial syncs are held to upstream's full rewrites. Needs root; skips with the reason otherwise.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiCluster } from './api-cluster.js';
import { kproxyApiAdapter, upstreamAdapter } from './api-adapter.js';
import { withoutDepartures, type RuleDeparture } from './iptables-departures.js';
import { dumpIptables } from './iptables-dump.js';
import type { Lab } from '../../src/lab/node-lab.js';
import { lineDiff } from './line-diff.js';
import { modeKeys, type ModeAdapter } from './mode-adapter.js';
import { useFlowLab } from './run-scenarios.js';
import { skipFor, type Scenario } from './scenario.js';
import { SCENARIOS } from './scenarios.js';

/** The normalised rules after the scenario's start and after each of its steps, with what the proxy printed. */
async function rulesThrough(lab: Lab, adapter: ModeAdapter, s: Scenario): Promise<{ states: string[][]; logs: string }> {
  const feed = adapter.feed;
  if (!feed) throw new Error(`${adapter.mode} reads no API server`);
  await lab.resetNode();
  await feed.load(s.objects);
  const since = Date.now();
  const proxy = await adapter.start(lab, '', s.nodeName, s.flags);
  const states: string[][] = [];
  try {
    await proxy.waitForSync(since);
    states.push(await dumpIptables(lab));
    for (const step of s.steps ?? []) {
      const changedAt = Date.now();
      await feed.replace(step.objects);
      await proxy.waitForSync(changedAt);
      states.push(await dumpIptables(lab));
    }
  } catch (err) {
    throw new Error(`${adapter.label ?? adapter.mode}: ${err instanceof Error ? err.message : String(err)}\n--- its output ---\n${proxy.logs()}`);
  } finally {
    await proxy.stop();
  }
  return { states, logs: proxy.logs() };
}

describe('iptables rules: upstream kube-proxy and kproxy on the same objects', () => {
  const cluster = new ApiCluster({ apiserverPort: 18483, etcdPort: 18419 });
  const upstream = upstreamAdapter(cluster, 'iptables');
  const kproxy = kproxyApiAdapter(cluster, 'iptables');
  const lab = useFlowLab(SCENARIOS, () => upstream.requirements() ?? kproxy.requirements(), [upstream, kproxy]);
  let done = 0;
  for (const s of SCENARIOS) {
    test(s.name, async (t) => {
      const skip = lab.skipReason() ?? upstream.requirements() ?? kproxy.requirements() ?? skipFor(s, [...modeKeys(upstream), ...modeKeys(kproxy)]);
      if (skip) {
        t.skip(skip);
        return;
      }
      const theirs = await rulesThrough(lab.get(), upstream, s);
      const ours = await rulesThrough(lab.get(), kproxy, s);
      console.error(`# iptables differential: ${++done} scenarios compared (${s.name})`);
      const problems: string[] = [];
      theirs.states.forEach((state, i) => {
        const side = (lines: readonly string[], who: RuleDeparture['only']) => withoutDepartures(lines, who);
        const [a, b] = [side(state, 'upstream'), side(ours.states[i] ?? [], 'kproxy')];
        if (a.join('\n') === b.join('\n')) return;
        const when = i === 0 ? 'after the first sync' : `after step "${s.steps?.[i - 1]?.name}"`;
        problems.push(`${when} (- upstream only, + kproxy only):\n${lineDiff(a, b)}`);
      });
      if (problems.length > 0) {
        assert.fail(`"${s.name}": kproxy's iptables rules differ from upstream's ${problems.join('\n')}\n--- kproxy output ---\n${ours.logs.slice(-4000)}`);
      }
    });
  }
});
