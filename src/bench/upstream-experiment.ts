// `kproxy bench --experiments upstream`: kproxy against upstream kube-proxy on the same real kube-apiserver,
// same objects, back to back, each in a fresh node namespace. For every size (the smallest repeated, to show
// the noise) and kernel mode, one case holds both proxies' raw numbers and the ratios kproxy / upstream that
// the targets are stated in. Without the shared kube folder (or a given apiserver and kube-proxy)
// the experiment records why it was skipped instead of failing the run.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { ProxyMode } from '../dataplane/types.js';
import type { Profile } from './bench-options.js';
import { ApiLoader } from './api-loader.js';
import { ControlPlane, controlPlaneRequirements, kubeDir } from './control-plane.js';
import { kproxyCliPath } from './kproxy-under-test.js';
import { NODE_IP, NODE_NAME, commonFlags, measureProxy, type KernelMode, type RunResult } from './proxy-under-api.js';
import { caseKey, type CaseResult } from './results.js';
import type { SessionEvents } from './session.js';

export interface UpstreamSpec {
  modes: readonly ProxyMode[];
  profile: Profile['upstream'];
  /** The folder with the control-plane script (default ../shared/kube beside the repository). */
  kubeDir?: string;
  apiserverBin?: string;
  upstreamBin?: string;
  skip: readonly string[];
}

/** The numbers each proxy's run yields, in the order the tables show them. */
export const RUN_METRICS = ['firstSyncMs', 'readyMs', 'changeP50Ms', 'changeP99Ms', 'churnP50Ms', 'churnP99Ms', 'churnMeanMs', 'peakRssMB', 'cpuSeconds'] as const;

const capital = (s: string) => `${s[0]!.toUpperCase()}${s.slice(1)}`;

/** One case's metrics: upstreamX, kproxyX and xRatio (kproxy / upstream) for every number both have. */
export function comparisonMetrics(upstream: RunResult, kproxy: RunResult): Record<string, number> {
  const m: Record<string, number> = {};
  for (const k of RUN_METRICS) {
    const u = upstream[k];
    const p = kproxy[k];
    if (u !== undefined && Number.isFinite(u)) m[`upstream${capital(k)}`] = u;
    if (p !== undefined && Number.isFinite(p)) m[`kproxy${capital(k)}`] = p;
    if (u !== undefined && p !== undefined && Number.isFinite(u) && Number.isFinite(p) && u > 0) m[`${k}Ratio`] = p / u;
  }
  return m;
}

/** The variants of a profile: each size once, the smallest `repeat` times ("1000", "1000 (2)", ...). */
export function upstreamVariants(serviceCounts: readonly number[], repeat: number): { variant: string; services: number; repetition: number }[] {
  const sorted = [...new Set(serviceCounts)].sort((a, b) => a - b);
  return sorted.flatMap((n, i) =>
    Array.from({ length: i === 0 ? Math.max(1, repeat) : 1 }, (_, r) => ({ variant: r === 0 ? String(n) : `${n} (${r + 1})`, services: n, repetition: r })),
  );
}

/** Why the comparison cannot run here, or undefined. */
export function upstreamRequirements(spec: Pick<UpstreamSpec, 'kubeDir' | 'apiserverBin' | 'upstreamBin'>): string | undefined {
  const dir = spec.kubeDir ?? kubeDir();
  const why = controlPlaneRequirements(dir);
  if (why) return why;
  for (const [flag, file] of [['--apiserver-bin', spec.apiserverBin], ['--upstream-bin', spec.upstreamBin]] as const) {
    if (file !== undefined && !existsSync(file)) return `${flag} ${file} does not exist`;
  }
  if (!existsSync(kproxyCliPath())) return `the kproxy CLI is not built (${kproxyCliPath()})`;
  return undefined;
}

const IPVS_SKIP = 'IPVS runs only inside user-mode Linux here (the host kernel has no IPVS), and the apiserver on the host loopback is not wired into it yet';

function note(kind: 'skipped', mode: string, text: string): CaseResult {
  return { experiment: 'upstream', mode, variant: kind, tool: '', params: {}, metrics: {}, note: `skipped: ${text}`, finishedAt: new Date().toISOString() };
}

export async function runUpstreamExperiment(spec: UpstreamSpec, events: SessionEvents): Promise<void> {
  const modes = spec.modes.filter((m): m is KernelMode => m === 'iptables' || m === 'nftables');
  if (spec.modes.includes('ipvs')) events.caseDone(note('skipped', 'ipvs', IPVS_SKIP));
  if (modes.length === 0) return;
  const why = upstreamRequirements(spec);
  if (why) {
    events.progress(`upstream: skipped: ${why}`);
    for (const mode of modes) events.caseDone(note('skipped', mode, why));
    return;
  }
  const p = spec.profile;
  const variants = upstreamVariants(p.serviceCounts, p.repeatSmallest)
    .flatMap((v) => modes.map((mode) => ({ ...v, mode })))
    .filter((v) => !spec.skip.includes(caseKey({ experiment: 'upstream', ...v })));
  if (variants.length === 0) return;
  const dir = spec.kubeDir ?? kubeDir();
  // Ports apart from the tests' and the script's defaults, distinct per process.
  const slot = process.pid % 400;
  events.progress('upstream: starting etcd and kube-apiserver');
  // etcd's data in memory where there is a memory file system: loading 60,000 objects waits on fsync otherwise.
  const parentDir = existsSync('/dev/shm') ? '/dev/shm' : undefined;
  const cp = await ControlPlane.start({ apiserverPort: 17100 + slot, etcdPort: 17600 + 2 * slot, kubeDir: dir, apiserverBin: spec.apiserverBin, parentDir });
  const upstreamBin = spec.upstreamBin ?? join(cp.bin, 'kube-proxy');
  // It prints "Kubernetes v1.30.3".
  const version = spawnSync(upstreamBin, ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ').pop() || '(version unknown)';
  const loader = await ApiLoader.create(cp, p.endpointsPerService);
  try {
    await loader.node(NODE_NAME, NODE_IP);
    for (const v of variants) {
      if (loader.services < v.services) {
        const started = Date.now();
        events.progress(`upstream: loading ${v.services} Services x ${p.endpointsPerService} endpoints into kube-apiserver`);
        await loader.loadServices(v.services);
        events.progress(`upstream: loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
      const flags = commonFlags(v.mode, cp.proxyKubeconfig);
      const commands = {
        upstream: [upstreamBin, ...flags, ...(v.mode === 'nftables' ? ['--feature-gates=NFTablesProxyMode=true'] : [])],
        kproxy: [process.execPath, kproxyCliPath(), ...flags],
      };
      // Which proxy goes first alternates between repetitions, so an order effect shows as noise.
      const order = (['upstream', 'kproxy'] as const).slice();
      if (v.repetition % 2 === 1) order.reverse();
      const base = {
        experiment: 'upstream' as const, mode: v.mode, variant: v.variant, tool: `kube-apiserver, upstream kube-proxy ${version}`,
        params: { services: v.services, endpointsPerService: p.endpointsPerService, changes: p.changes, churnChanges: p.churnChanges, churnIntervalMs: p.churnIntervalMs, firstSyncTimeoutS: p.firstSyncTimeoutMs / 1000, order: order.join(' then ') },
      };
      try {
        const results: Partial<Record<'upstream' | 'kproxy', RunResult>> = {};
        for (const who of order) {
          events.progress(`upstream ${v.mode} ${v.variant}: ${who}`);
          results[who] = await measureProxy({ ...p, mode: v.mode, command: commands[who] }, cp.port, loader, (m) => events.progress(`upstream ${v.mode} ${v.variant}: ${who}: ${m}`));
        }
        const notes = (['upstream', 'kproxy'] as const).filter((w) => results[w]!.note).map((w) => `${w}: ${results[w]!.note}`);
        events.caseDone({ ...base, metrics: comparisonMetrics(results.upstream!, results.kproxy!), ...(notes.length ? { note: notes.join('; ') } : {}), finishedAt: new Date().toISOString() });
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        events.caseDone({ ...base, metrics: {}, error: error.slice(0, 4000), finishedAt: new Date().toISOString() });
      }
    }
  } finally {
    loader.close();
    await cp.stop();
  }
}
