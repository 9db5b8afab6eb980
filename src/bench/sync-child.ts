// One control-plane measurement in a process of its own (so peak RSS is this case's alone), as root:
//   node sync-child.js MODE SERVICES ENDPOINTS CHURN_CHANGES CHURN_INTERVAL_MS
// Builds the mode's data plane against a throw-away network namespace, then measures a full sync, one
// endpoint change, and the programming latency of a steady churn (change i is due at i x interval; its
// latency runs from when it was due until the kernel has it; changes that come due during a sync go
// together into the next one, as the Proxier batches them). Prints one JSON line of metrics.

import type { DataPlane, ProxyMode } from '../dataplane/types.js';
import type { Snapshot } from '../model/types.js';
import { createIptablesDataPlane } from '../dataplane/iptables/index.js';
import { createIpvsDataPlane } from '../dataplane/ipvs/index.js';
import { createNftablesDataPlane } from '../dataplane/nftables/index.js';
import { NamespaceSet } from '../lab/namespace-set.js';
import { percentile } from './statistics.js';
import { clusterPorts, snapshotOf, withOneEndpointChanged } from './sync-snapshots.js';

const detectLocal = { mode: 'ClusterCIDR' as const, clusterCIDR: '10.244.0.0/16', bridgeInterface: '', interfaceNamePrefix: '' };

function dataPlane(mode: ProxyMode, netns: string): DataPlane<unknown> {
  if (mode === 'iptables') return createIptablesDataPlane({ netns, detectLocal, conntrackTCPLiberal: true }) as DataPlane<unknown>;
  if (mode === 'nftables') return createNftablesDataPlane({ netns, families: ['IPv4'], detectLocal, conntrackCleanup: false }) as DataPlane<unknown>;
  if (mode === 'ipvs') {
    return createIpvsDataPlane({ netns, families: ['IPv4'], detectLocal, nodeIPs: ['10.77.0.1'], iptablesBackend: 'legacy', localAddresses: () => [] }) as DataPlane<unknown>;
  }
  throw new Error(`the sync benchmark covers kernel modes (iptables, nftables, ipvs), not ${mode}`);
}

async function timed(dp: DataPlane<unknown>, snapshot: Snapshot, previous: Snapshot | undefined): Promise<{ render: number; apply: number }> {
  const input = { snapshot, previous, full: previous === undefined };
  const t0 = performance.now();
  const program = dp.renderer.render(input);
  const t1 = performance.now();
  await dp.executor.apply(program, input);
  return { render: t1 - t0, apply: performance.now() - t1 };
}

async function measure(mode: ProxyMode, netns: string, services: number, perService: number, changes: number, intervalMs: number) {
  const dp = dataPlane(mode, netns);
  await dp.executor.preflight?.();
  const first = snapshotOf(clusterPorts(services, perService, mode === 'ipvs' ? 'rr' : ''), [], 1);
  const full = await timed(dp, first, undefined);
  let current = withOneEndpointChanged(first, 0);
  const one = await timed(dp, current, first);
  const latencies: number[] = [];
  const start = performance.now();
  const dueAt = (i: number) => start + i * intervalMs;
  let syncs = 0;
  for (let i = 1; i <= changes; ) {
    const wait = dueAt(i) - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // As the Proxier does, one sync takes every change that came due while the last one ran.
    let last = i;
    while (last < changes && dueAt(last + 1) <= performance.now()) last++;
    let next = current;
    const changed = new Set<string>();
    for (let k = i; k <= last; k++) {
      next = withOneEndpointChanged(next, k);
      for (const key of next.changed) changed.add(key);
    }
    next = { ...next, changed };
    await timed(dp, next, current);
    syncs++;
    const done = performance.now();
    for (let k = i; k <= last; k++) latencies.push(done - dueAt(k));
    current = next;
    i = last + 1;
  }
  await dp.executor.close();
  return {
    fullSyncMs: full.render + full.apply, fullRenderMs: full.render, fullApplyMs: full.apply,
    oneChangeMs: one.render + one.apply, oneChangeRenderMs: one.render, oneChangeApplyMs: one.apply,
    churnP50Ms: percentile(latencies, 50), churnP99Ms: percentile(latencies, 99), churnSyncs: syncs,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

async function main(): Promise<void> {
  const [mode, services, perService, changes, intervalMs] = process.argv.slice(2);
  // The set removes its namespace on SIGTERM and exit too, should the parent give up on this case.
  const lab = await NamespaceSet.create(['node'], 'kpt-bsync-');
  try {
    const m = await measure(mode as ProxyMode, lab.ns.node, Number(services), Number(perService), Number(changes), Number(intervalMs));
    process.stdout.write(`${JSON.stringify(m)}\n`);
  } finally {
    await lab.destroy();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`sync-child: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
