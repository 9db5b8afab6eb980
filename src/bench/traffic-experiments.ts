// The experiments that drive traffic through a node: what each one plans for a mode (its cases) and how a
// case runs. Load tools: kproxy's http-load where per-request waiting time is needed (latency,
// schedulers), ab for the UK8S-style scale test and for connections/s, wrk for kept-alive latency.

import type { ProxyMode } from '../dataplane/types.js';
import { NODE_IP, podIP, type BenchLab } from './bench-lab.js';
import type { ExperimentName, Profile } from './bench-options.js';
import { DELAY_PORT, NGINX_PORT, startHaproxy } from './backends.js';
import { fillerServices, type TargetService } from './cluster-manifests.js';
import type { HttpLoadResult } from './http-load.js';
import { runAb, runHttpLoadIn, runWrk } from './load-tools.js';
import type { AbResult } from './ab-output.js';

/** What a traffic case needs from its session: the lab, the profile, and kproxy serving a set of Services. */
export interface CaseContext {
  readonly lab: BenchLab;
  readonly profile: Profile;
  withKproxy<T>(services: readonly TargetService[], body: () => Promise<T>): Promise<T>;
}

export interface PlannedCase {
  experiment: ExperimentName;
  /** The mode's name in the results (see SessionSpec.label). */
  mode: string;
  variant: string;
  tool: string;
  params: Record<string, number | string>;
  run(ctx: CaseContext): Promise<Record<string, number>>;
}

interface TrafficExperiment {
  plan(mode: ProxyMode, p: Profile): PlannedCase[];
}

const pods = (n: number, port: number) => Array.from({ length: n }, (_, i) => podIP(i)).map((ip) => ({ ip, port }));

/** The schedulers each mode is benchmarked with (nftables runs only rr, sh and dh in the kernel). */
export const SCHEDULERS_BY_MODE: Record<ProxyMode, readonly string[]> = {
  ipvs: ['rr', 'lc', 'dh', 'sh', 'sed', 'nq'],
  userspace: ['rr', 'lc', 'dh', 'sh', 'sed', 'nq'],
  nftables: ['rr', 'sh', 'dh'],
  iptables: [],
};

function httpMetrics(r: HttpLoadResult): Record<string, number> {
  if (r.requests === 0) throw new Error(`no request succeeded (${r.errors} errors, first: ${r.firstError ?? '?'})`);
  return {
    requests: r.requests, errors: r.errors, requestsPerSecond: r.requestsPerSecond, backendsSeen: Object.keys(r.backends).length,
    durationP50Ms: r.durationMs.median, durationP90Ms: r.durationMs.p90, durationP95Ms: r.durationMs.p95, durationMeanMs: r.durationMs.mean,
    waitingP50Ms: r.waitingMs.median, waitingP90Ms: r.waitingMs.p90, waitingP95Ms: r.waitingMs.p95,
  };
}

export function abMetrics(r: AbResult): Record<string, number> {
  const out: Record<string, number> = { requests: r.completeRequests, failed: r.failedRequests - r.lengthFailures, requestsPerSecond: r.requestsPerSecond };
  for (const [phase, t] of Object.entries(r.times)) {
    for (const stat of ['min', 'mean', 'median', 'max'] as const) out[`${phase}${stat[0]!.toUpperCase()}${stat.slice(1)}Ms`] = t[stat];
  }
  return out;
}

function target(name: string, clusterIP: string, port: number, eps: { ip: string; port: number }[], scheduler?: string): TargetService {
  return { name, clusterIP, port: 80, targetPort: port, endpoints: eps.map((e) => e.ip), ...(scheduler ? { scheduler } : {}) };
}

/** The Services latency, schedulers and userspace ask for together, so one kproxy start serves them all. */
export function baseServices(mode: ProxyMode, p: Profile): TargetService[] {
  return [
    target('latency', '10.96.0.10', NGINX_PORT, pods(p.latency.endpoints, NGINX_PORT)),
    ...SCHEDULERS_BY_MODE[mode].map((scheduler, i) =>
      target(`sched-${scheduler}`, `10.96.1.${10 + i}`, DELAY_PORT, pods(p.schedulers.backends, DELAY_PORT), scheduler)),
    target('userspace', '10.96.0.30', NGINX_PORT, pods(p.userspace.backends, NGINX_PORT)),
  ];
}

const latency: TrafficExperiment = {
  plan: (mode, p) => [{
    experiment: 'latency', mode, variant: `${p.latency.endpoints} endpoints`, tool: 'kproxy http-load',
    params: { endpoints: p.latency.endpoints, clients: 1, seconds: p.latency.seconds },
    run: (ctx) => ctx.withKproxy(baseServices(mode, p), async () =>
      httpMetrics(await runHttpLoadIn(ctx.lab, { host: '10.96.0.10', port: 80, concurrency: 1, seconds: p.latency.seconds }))),
  }],
};

const schedulers: TrafficExperiment = {
  plan: (mode, p) => SCHEDULERS_BY_MODE[mode].map((scheduler, i) => {
    const ip = `10.96.1.${10 + i}`;
    const s = p.schedulers;
    return {
      experiment: 'schedulers', mode, variant: scheduler, tool: 'kproxy http-load',
      params: { scheduler, clients: s.clients, requests: s.requests, backends: s.backends, backendDelayMs: s.delayMs },
      run: (ctx) => ctx.withKproxy(baseServices(mode, p), async () =>
        httpMetrics(await runHttpLoadIn(ctx.lab, { host: ip, port: 80, concurrency: s.clients, requests: s.requests, timeoutMs: 60_000 + s.delayMs * 10 }))),
    };
  }),
};

const scale: TrafficExperiment = {
  plan: (mode, p) => p.scale.serviceCounts.map((services) => ({
    experiment: 'scale', mode, variant: String(services), tool: 'ab',
    params: { services, endpoints: services * p.scale.endpointsPerService, concurrency: p.scale.concurrency, requests: p.scale.requests },
    run: (ctx) => {
      const real = target('scale-target', '10.96.0.20', NGINX_PORT, pods(p.scale.endpointsPerService, NGINX_PORT));
      // The target is created last, as a new Service in a full node would be.
      const cluster = [...fillerServices(services - 1, p.scale.endpointsPerService), real];
      return ctx.withKproxy(cluster, async () => abMetrics(await runAb(ctx.lab, 'http://10.96.0.20/', p.scale.concurrency, p.scale.requests)));
    },
  })),
};

async function connectionsAndLatency(ctx: CaseContext, url: string): Promise<Record<string, number>> {
  const u = ctx.profile.userspace;
  const ab = await runAb(ctx.lab, url, u.concurrency, u.requests);
  const wrk = await runWrk(ctx.lab, url, u.concurrency, u.wrkSeconds);
  return {
    connectionsPerSecond: ab.requestsPerSecond, abFailed: ab.failedRequests - ab.lengthFailures, abTotalMeanMs: ab.times.total.mean, abTotalMaxMs: ab.times.total.max,
    keepAliveRequestsPerSecond: wrk.requestsPerSecond, wrkLatencyMeanMs: wrk.latencyMs.mean,
    wrkLatencyP50Ms: wrk.percentilesMs['50'] ?? Number.NaN, wrkLatencyP99Ms: wrk.percentilesMs['99'] ?? Number.NaN,
    wrkErrors: wrk.socketErrors.connect + wrk.socketErrors.read + wrk.socketErrors.write + wrk.socketErrors.timeout,
  };
}

const userspace: TrafficExperiment = {
  plan: (mode, p) => {
    if (mode !== 'userspace') return [];
    const u = p.userspace;
    const backends = pods(u.backends, NGINX_PORT);
    const params = { backends: u.backends, concurrency: u.concurrency, requests: u.requests, wrkSeconds: u.wrkSeconds };
    const variant = (name: string, run: PlannedCase['run']): PlannedCase => ({ experiment: 'userspace', mode, variant: name, tool: 'ab + wrk', params, run });
    return [
      variant('kproxy userspace', (ctx) => ctx.withKproxy(baseServices(mode, p), () => connectionsAndLatency(ctx, 'http://10.96.0.30/'))),
      variant('haproxy (tcp)', async (ctx) => {
        await startHaproxy(ctx.lab, NODE_IP, 8090, backends.map((b) => `${b.ip}:${b.port}`));
        return connectionsAndLatency(ctx, `http://${NODE_IP}:8090/`);
      }),
      variant('direct', (ctx) => connectionsAndLatency(ctx, `http://${podIP(0)}/`)),
    ];
  },
};

export const TRAFFIC_EXPERIMENTS: Record<Exclude<ExperimentName, 'sync' | 'upstream'>, TrafficExperiment> = { latency, schedulers, scale, userspace };
