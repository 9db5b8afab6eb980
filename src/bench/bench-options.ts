// `kproxy bench` arguments and the size profiles. Every experiment and mode can be selected by name; the
// profile decides the sizes (quick: under 3 minutes on a 2-core machine; full: the seeds' sizes; smoke: tiny
// sizes for the test suite).

import type { ProxyMode } from '../dataplane/types.js';

export const EXPERIMENTS = ['latency', 'schedulers', 'scale', 'sync', 'userspace', 'upstream'] as const;
export type ExperimentName = (typeof EXPERIMENTS)[number];
export const BENCH_MODES: readonly ProxyMode[] = ['userspace', 'iptables', 'nftables', 'ipvs'];
export type ProfileName = 'quick' | 'full' | 'smoke';

export interface Profile {
  latency: { endpoints: number; seconds: number };
  schedulers: { clients: number; requests: number; backends: number; delayMs: number };
  scale: { serviceCounts: number[]; endpointsPerService: number; concurrency: number; requests: number };
  sync: { serviceCounts: number[]; endpointsPerService: number; churnChanges: number; churnIntervalMs: number };
  userspace: { backends: number; concurrency: number; requests: number; wrkSeconds: number };
  /** kproxy against upstream kube-proxy on a real kube-apiserver (upstream-experiment.ts). */
  upstream: {
    serviceCounts: number[]; endpointsPerService: number; repeatSmallest: number;
    changes: number; churnChanges: number; churnIntervalMs: number; firstSyncTimeoutMs: number;
  };
}

export const PROFILES: Record<ProfileName, Profile> = {
  smoke: {
    latency: { endpoints: 4, seconds: 1 },
    schedulers: { clients: 5, requests: 20, backends: 2, delayMs: 20 },
    scale: { serviceCounts: [10], endpointsPerService: 2, concurrency: 5, requests: 50 },
    sync: { serviceCounts: [50], endpointsPerService: 5, churnChanges: 5, churnIntervalMs: 20 },
    userspace: { backends: 2, concurrency: 2, requests: 50, wrkSeconds: 1 },
    upstream: { serviceCounts: [20], endpointsPerService: 2, repeatSmallest: 1, changes: 2, churnChanges: 3, churnIntervalMs: 100, firstSyncTimeoutMs: 60_000 },
  },
  // Most of the quick profile's time is the IPVS session in user-mode Linux (kproxy starts there, ab at each
  // count, the churn): on a machine 1.7x slower than the one it first took 118 s on, 135 of 182 s with
  // 2 s of latency, 2,000 ab requests and 10 churn changes; 166 s in all with these sizes.
  quick: {
    latency: { endpoints: 100, seconds: 1 },
    schedulers: { clients: 100, requests: 400, backends: 10, delayMs: 100 },
    scale: { serviceCounts: [100, 1000], endpointsPerService: 5, concurrency: 100, requests: 1000 },
    sync: { serviceCounts: [1000], endpointsPerService: 5, churnChanges: 5, churnIntervalMs: 50 },
    userspace: { backends: 10, concurrency: 20, requests: 2000, wrkSeconds: 2 },
    upstream: { serviceCounts: [1000], endpointsPerService: 5, repeatSmallest: 1, changes: 5, churnChanges: 20, churnIntervalMs: 100, firstSyncTimeoutMs: 120_000 },
  },
  full: {
    latency: { endpoints: 100, seconds: 30 },
    schedulers: { clients: 500, requests: 5000, backends: 10, delayMs: 1000 },
    scale: { serviceCounts: [100, 500, 1000, 2000, 3000, 4000, 10000, 30000], endpointsPerService: 5, concurrency: 1000, requests: 10000 },
    sync: { serviceCounts: [1000, 5000, 10000, 30000], endpointsPerService: 5, churnChanges: 100, churnIntervalMs: 100 },
    userspace: { backends: 10, concurrency: 50, requests: 20000, wrkSeconds: 10 },
    // Upstream nftables (alpha in 1.30) did not finish a first sync of 10,000 Services in 10 minutes.
    upstream: { serviceCounts: [1000, 5000, 10000, 30000], endpointsPerService: 5, repeatSmallest: 3, changes: 10, churnChanges: 50, churnIntervalMs: 100, firstSyncTimeoutMs: 600_000 },
  },
};

export interface BenchOptions {
  profile: ProfileName;
  experiments: ExperimentName[];
  modes: ProxyMode[];
  outDir: string;
  /** Keep the cases already in outDir/results.json and run only the missing ones. */
  resume: boolean;
  /** Override the profile's service counts (scale and sync), e.g. to run a moderate full profile. */
  serviceCounts?: number[];
  /** The upstream experiment's control plane and binaries (default: the shared kube folder). */
  kubeDir?: string;
  apiserverBin?: string;
  upstreamBin?: string;
}

export class BenchUsageError extends Error {}

export const BENCH_USAGE = `Usage: kproxy bench [--quick] [--experiments a,b] [--modes m,n] [--out DIR] [--resume] [--services N,M]
  --quick          the quick profile (under 3 minutes); the default is the full profile
  --profile NAME   quick, full or smoke (tiny sizes, for tests)
  --experiments    any of ${EXPERIMENTS.join(', ')} (default: all)
  --modes          any of ${BENCH_MODES.join(', ')} (default: all)
  --out DIR        where results.json and report.html go (default: bench-results)
  --resume         keep the cases already in DIR/results.json, run the rest
  --services N,M   service counts for the scale, sync and upstream experiments instead of the profile's
  --kube-dir DIR   upstream: the folder with the control-plane script, etcd set-up and packed binaries
                   (default: ../shared/kube beside the repository, or KPROXY_KUBE_DIR)
  --apiserver-bin FILE  upstream: the kube-apiserver to run (default: the kube folder's)
  --upstream-bin FILE   upstream: the kube-proxy to compare with (default: the kube folder's v1.30.3)
`;

function listOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((i) => !allowed.includes(i as T));
  if (bad.length > 0 || items.length === 0) {
    throw new BenchUsageError(`${flag}: ${JSON.stringify(value)} is not a list of ${allowed.join(', ')}`);
  }
  return items as T[];
}

function countsOf(value: string): number[] {
  const counts = value.split(',').map((s) => Number(s.trim()));
  if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n < 1 || n > 60000)) {
    throw new BenchUsageError(`--services: ${JSON.stringify(value)} is not a list of whole numbers from 1 to 60000`);
  }
  return counts;
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const o: BenchOptions = { profile: 'full', experiments: [...EXPERIMENTS], modes: [...BENCH_MODES], outDir: 'bench-results', resume: false };
  const rest = [...argv];
  while (rest.length > 0) {
    const arg = rest.shift()!;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const next = rest.shift();
      if (next === undefined) throw new BenchUsageError(`${flag} needs a value`);
      return next;
    };
    if (flag === '--quick') o.profile = 'quick';
    else if (flag === '--resume') o.resume = true;
    else if (flag === '--profile') o.profile = listOf('--profile', value(), ['quick', 'full', 'smoke'] as const)[0]!;
    else if (flag === '--experiments') o.experiments = listOf(flag, value(), EXPERIMENTS);
    else if (flag === '--modes') o.modes = listOf(flag, value(), BENCH_MODES);
    else if (flag === '--out') o.outDir = value();
    else if (flag === '--services') o.serviceCounts = countsOf(value());
    else if (flag === '--kube-dir') o.kubeDir = value();
    else if (flag === '--apiserver-bin') o.apiserverBin = value();
    else if (flag === '--upstream-bin') o.upstreamBin = value();
    else throw new BenchUsageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  return o;
}

/** The profile with --services applied. */
export function effectiveProfile(o: BenchOptions): Profile {
  const base = PROFILES[o.profile];
  if (!o.serviceCounts) return base;
  const serviceCounts = o.serviceCounts;
  return { ...base, scale: { ...base.scale, serviceCounts }, sync: { ...base.sync, serviceCounts }, upstream: { ...base.upstream, serviceCounts } };
}
