// One mode's turn: build the lab, start the backends, then run every selected traffic experiment's cases
// against kproxy in that mode, reporting each case as it finishes. The same code runs on the host and,
// for IPVS, inside user-mode Linux (uml-entry.ts).

import type { ProxyMode } from '../dataplane/types.js';
import { BenchLab, NODE_IP, podIP } from './bench-lab.js';
import type { ExperimentName, Profile } from './bench-options.js';
import { startDelayServer, startNginx } from './backends.js';
import { nodeObject, writeCluster, type TargetService } from './cluster-manifests.js';
import { NODE_NAME, KproxyUnderTest, type BenchKernel } from './kproxy-under-test.js';
import { caseKey, type CaseResult } from './results.js';
import { runSyncCase } from './sync-experiment.js';
import { TRAFFIC_EXPERIMENTS, type CaseContext, type PlannedCase } from './traffic-experiments.js';

export interface SessionSpec {
  mode: ProxyMode;
  /** The mode's name in the results when it is not `mode` (iptables measured inside user-mode Linux). */
  label?: string;
  kernel?: BenchKernel;
  experiments: ExperimentName[];
  profile: Profile;
  /** Case keys to skip (already measured, --resume). */
  skip: string[];
}

export interface SessionEvents {
  progress(message: string): void;
  caseDone(result: CaseResult): void;
}

/** Everything a traffic case needs: the lab, and kproxy loaded with a given set of Services. */
export class SessionContext implements CaseContext {
  private readonly manifests: string;
  private running: { key: string; kproxy: KproxyUnderTest } | undefined;

  constructor(readonly mode: ProxyMode, readonly lab: BenchLab, readonly profile: Profile, private readonly kernel?: BenchKernel) {
    this.manifests = lab.tempDir();
  }

  /**
   * Run `body` with kproxy serving exactly these Services after a complete sync. Cases asking for the same
   * set share one kproxy (starting it is the slow part inside user-mode Linux).
   */
  async withKproxy<T>(services: readonly TargetService[], body: () => Promise<T>): Promise<T> {
    const key = JSON.stringify(services.length > 50 ? [services.length, services[services.length - 1]] : services);
    if (this.running?.key !== key) {
      await this.stopKproxy();
      writeCluster(this.manifests, nodeObject(NODE_NAME, NODE_IP), services);
      const since = Date.now();
      const kproxy = KproxyUnderTest.start(this.lab, this.mode, this.manifests, this.kernel);
      this.running = { key, kproxy };
      await kproxy.waitForSync(since, 120_000 + services.length * 30);
      kproxy.assertEveryServiceServed();
    }
    return body();
  }

  async stopKproxy(): Promise<void> {
    const r = this.running;
    this.running = undefined;
    await r?.kproxy.stop();
  }
}

function podCount(spec: SessionSpec): number {
  const p = spec.profile;
  return Math.max(p.latency.endpoints, p.schedulers.backends, p.userspace.backends, p.scale.endpointsPerService);
}

async function runPlanned(c: PlannedCase, ctx: SessionContext | undefined, events: SessionEvents): Promise<void> {
  const started = Date.now();
  events.progress(`${c.experiment} ${c.mode} ${c.variant}: running`);
  const base = { experiment: c.experiment, mode: c.mode, variant: c.variant, tool: c.tool, params: c.params };
  try {
    const metrics = await c.run(ctx!);
    events.caseDone({ ...base, metrics, finishedAt: new Date().toISOString() });
    events.progress(`${c.experiment} ${c.mode} ${c.variant}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    events.caseDone({ ...base, metrics: {}, error: error.slice(0, 4000), finishedAt: new Date().toISOString() });
    events.progress(`${c.experiment} ${c.mode} ${c.variant}: FAILED: ${error.split('\n')[0]}`);
  }
}

export async function runSession(spec: SessionSpec, events: SessionEvents): Promise<void> {
  const skip = new Set(spec.skip);
  const traffic = spec.experiments
    .filter((e) => e !== 'sync' && e !== 'upstream')
    .flatMap((e) => TRAFFIC_EXPERIMENTS[e as Exclude<ExperimentName, 'sync' | 'upstream'>].plan(spec.mode, spec.profile))
    .map((c) => ({ ...c, mode: spec.label ?? c.mode }))
    .filter((c) => !skip.has(caseKey(c)));
  if (traffic.length > 0) {
    events.progress(`${spec.mode}: building the lab (${podCount(spec)} pod addresses)`);
    const lab = await BenchLab.create(Array.from({ length: podCount(spec) }, (_, i) => podIP(i)));
    try {
      await startNginx(lab);
      if (traffic.some((c) => c.experiment === 'schedulers')) await startDelayServer(lab, spec.profile.schedulers.delayMs);
      const ctx = new SessionContext(spec.mode, lab, spec.profile, spec.kernel);
      for (const c of traffic) await runPlanned(c, ctx, events);
      await ctx.stopKproxy();
    } finally {
      await lab.destroy();
    }
  }
  if (spec.experiments.includes('sync') && spec.mode !== 'userspace') {
    for (const services of spec.profile.sync.serviceCounts) {
      const c: PlannedCase = {
        experiment: 'sync', mode: spec.label ?? spec.mode, variant: String(services), tool: 'in-process (render + apply)',
        params: { services, endpointsPerService: spec.profile.sync.endpointsPerService, churnChanges: spec.profile.sync.churnChanges, churnIntervalMs: spec.profile.sync.churnIntervalMs },
        run: () => runSyncCase(spec.mode, services, spec.profile.sync),
      };
      if (!skip.has(caseKey(c))) await runPlanned(c, undefined, events);
    }
  }
}
