// Benchmark of the iptables mode for N Services x 5 endpoints, in the order a Proxier syncs:
//  1. first full sync (cold: nothing rendered yet, empty tables);
//  2. partial sync after one endpoint changed (render + restore: the 500 ms target);
//  3. periodic full sync with nothing changed (warm: the renderer reuses unchanged ports), where kproxy's
//     own overhead (render, restore text, iptables-save reading, process spawns) is compared with the time
//     the iptables-restore processes take for the same input (the 10% target).
// Renders run without root; as root, the restores go into a throw-away network namespace.
// bench/iptables-sync.ts parses the command line and calls runIptablesSyncBench.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NamespaceSet } from '../lab/namespace-set.js';
import { IptablesExecutor } from '../dataplane/iptables/executor.js';
import { IptablesRenderer } from '../dataplane/iptables/renderer.js';
import { fullSyncExtras } from '../dataplane/iptables/full-sync-extras.js';
import { restoreTextFor } from '../dataplane/iptables/nft-restore-cache.js';
import type { IptablesProgram } from '../dataplane/iptables/program.js';
import type { SyncInput } from '../dataplane/types.js';
import type { Endpoint, ServicePort } from '../model/types.js';
import { modelEndpoint as endpoint, modelServicePort, portMap, snapshotOf } from './sync-snapshots.js';

const port = (i: number, eps: Endpoint[]): ServicePort => modelServicePort(i, eps, 'rr', `172.${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`);


const msSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
const rssMB = (): string => (process.resourceUsage().maxRSS / 1024).toFixed(0);
const f0 = (n: number): string => n.toFixed(0);

interface Step {
  readonly input: SyncInput;
  readonly program: IptablesProgram;
  readonly renderMs: number;
}

function renderStep(renderer: IptablesRenderer, input: SyncInput): Step {
  const start = process.hrtime.bigint();
  const program = renderer.render(input);
  return { input, program, renderMs: msSince(start) };
}

/** Applies a step; returns a report line and the share of kproxy's overhead in the restore time. */
async function applyStep(ex: IptablesExecutor, label: string, step: Step): Promise<string> {
  const start = process.hrtime.bigint();
  await ex.apply(step.program, step.input);
  const applyMs = msSince(start);
  const t = ex.lastTimings;
  const overhead = step.renderMs + applyMs - t.restoreMs;
  return (
    `  ${label}: render ${f0(step.renderMs)} + apply ${f0(applyMs)} = ${f0(step.renderMs + applyMs)} ms; ` +
    `iptables-restore ${f0(t.restoreMs)} ms, iptables-save+read ${f0(t.readMs)} ms, text ${f0(t.textMs)} ms; ` +
    `kproxy overhead ${f0(overhead)} ms = ${((100 * overhead) / t.restoreMs).toFixed(1)}% of restore`
  );
}

/** Writes the cold program's restore inputs as the executor builds them for empty tables. */
function dumpRestoreInput(dir: string, n: number, backend: 'nft' | 'legacy', program: IptablesProgram): void {
  mkdirSync(dir, { recursive: true });
  const empty = { chains: new Set<string>(), rules: new Map<string, readonly string[]>() };
  for (const fp of program.families) {
    for (const table of ['filter', 'nat'] as const) {
      const file = join(dir, `${n}-${table}.rules`);
      writeFileSync(file, restoreTextFor(backend, fp, table, fullSyncExtras(fp, table, empty)));
      console.log(`  wrote ${file}`);
    }
  }
}

export interface IptablesSyncBenchOptions {
  /** Service counts, one run each. */
  readonly sizes: readonly number[];
  readonly backend: 'nft' | 'legacy';
  /** Apply the renders with iptables-restore (root only); false renders only. */
  readonly restore: boolean;
  /** Write the first full sync's restore input per table here instead of restoring. */
  readonly dumpDir: string | undefined;
}

export async function runIptablesSyncBench(o: IptablesSyncBenchOptions): Promise<void> {
  for (const n of o.sizes) await run(n, o.backend, o.restore, o.dumpDir);
}

async function run(n: number, backend: 'nft' | 'legacy', restore: boolean, dumpDir: string | undefined): Promise<void> {
  const ports = Array.from({ length: n }, (_, i) => port(i, [1, 2, 3, 4, 5].map((e) => endpoint(`10.${(i >> 8) & 255}.${i & 255}.${e}`))));
  const renderer = new IptablesRenderer({ detectLocal: { mode: 'ClusterCIDR', clusterCIDR: '10.0.0.0/8', bridgeInterface: '', interfaceNamePrefix: '' } });
  const first = snapshotOf(portMap(ports), ports.map((p) => p.key), 1, []);
  const cold = renderStep(renderer, { snapshot: first, previous: undefined, full: true });
  const changedPorts = [...ports];
  const eps = [...ports[0]!.endpoints];
  eps[4] = endpoint('10.255.255.5');
  changedPorts[0] = port(0, eps);
  const second = snapshotOf(portMap(changedPorts), [changedPorts[0]!.key], 2, []);
  const partial = renderStep(renderer, { snapshot: second, previous: first, full: false });
  const third = snapshotOf(portMap(changedPorts), [], 3, []);
  const warm = renderStep(renderer, { snapshot: third, previous: second, full: true });
  console.log(
    `${n} svc x 5 ep: render full (cold) ${f0(cold.renderMs)} ms, partial ${f0(partial.renderMs)} ms, full (warm) ${f0(warm.renderMs)} ms; ` +
      `peak RSS ${rssMB()} MB`,
  );
  if (dumpDir) dumpRestoreInput(dumpDir, n, backend, cold.program);
  if (!restore) return;
  const lab = await NamespaceSet.create(['node'], 'kpt-ipt-bench-');
  try {
    // The nft back end needs minutes for a 10k-Service restore on a small machine: no timeout in the way.
    const ex = new IptablesExecutor({ netns: lab.ns.node, backend, restoreTimeoutMs: 3_600_000 });
    await ex.resolveBackend();
    console.log(await applyStep(ex, `first full sync (${backend})`, cold));
    console.log(await applyStep(ex, `partial sync (${backend})`, partial));
    console.log(await applyStep(ex, `periodic full sync (${backend})`, warm));
    console.log(`  peak RSS ${rssMB()} MB`);
  } finally {
    await lab.destroy();
  }
}
