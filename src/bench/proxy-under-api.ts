// One proxy, kproxy or upstream kube-proxy, run in a fresh node namespace against the benchmark's
// kube-apiserver, measured from outside through its own metrics: when its first full sync is done and how
// long it took (kubeproxy_sync_proxy_rules_duration_seconds), how long an endpoint change written to the
// API takes to reach the kernel, the programming latency of a churn (kubeproxy_network_programming_duration_
// seconds), and its peak RSS and CPU time from /proc. The namespace is made for the run and removed with it.

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool } from '../exec/run-tool.js';
import { NamespaceSet, stopChild } from '../lab/namespace-set.js';
import { openApiDoor } from './api-door.js';
import type { ApiLoader } from './api-loader.js';
import { gaugeMs } from './kproxy-under-test.js';
import { histogramQuantile, histogramSince, readHistogram, type Histogram } from './metrics-text.js';
import { percentile } from './statistics.js';

export type KernelMode = 'iptables' | 'nftables';
export const NODE_NAME = 'bench-node';
export const NODE_IP = '10.77.0.1';
const METRICS = '127.0.0.1:10249';
const SYNC_DURATION = 'kubeproxy_sync_proxy_rules_duration_seconds';
const PROGRAMMING = 'kubeproxy_network_programming_duration_seconds';
const LAST_SYNC = 'kubeproxy_sync_proxy_rules_last_timestamp_seconds';

/** What a proxy's run is asked to do. */
export interface RunPlan {
  mode: KernelMode;
  /** The command and arguments that start the proxy; the kubeconfig is appended by the caller's choice. */
  command: readonly string[];
  firstSyncTimeoutMs: number;
  /** Endpoint changes one at a time, each waited for. */
  changes: number;
  /** Changes written at a steady interval without waiting, then read from the programming-latency metric. */
  churnChanges: number;
  churnIntervalMs: number;
}

export interface RunResult {
  /** Undefined when the proxy did not finish a first sync within the timeout. */
  firstSyncMs?: number;
  /** From the proxy's start until its first sync was done (listing included). */
  readyMs?: number;
  changeP50Ms?: number;
  changeP99Ms?: number;
  churnP50Ms?: number;
  churnP99Ms?: number;
  churnMeanMs?: number;
  peakRssMB: number;
  cpuSeconds: number;
  note?: string;
}

/** The flags both proxies run with in the benchmark node (namespaces cannot size conntrack). */
export function commonFlags(mode: KernelMode, kubeconfig: string): string[] {
  return [
    `--proxy-mode=${mode}`, '--kubeconfig', kubeconfig, '--hostname-override', NODE_NAME,
    `--metrics-bind-address=${METRICS}`, '--healthz-bind-address=127.0.0.1:10256', '--cluster-cidr=10.244.0.0/16',
    '--conntrack-max-per-core=0',
  ];
}

/** Peak RSS (VmHWM) in MiB from /proc/PID/status. */
export function peakRssMB(status: string): number {
  const kb = Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1]);
  return kb / 1024;
}

/** CPU seconds of a process and its waited-for children (utime+stime+cutime+cstime) from /proc/PID/stat. */
export function cpuSeconds(stat: string, ticksPerSecond = 100): number {
  // The command name may hold spaces and parentheses: fields are counted after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
  return (utime! + stime! + cutime! + cstime!) / ticksPerSecond;
}

function fetchMetrics(socketPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ socketPath, path: '/metrics', timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('metrics: no answer within 5 s')));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An endpoint change the proxy did not program in time: the run ends early with a note, not an error. */
class ChangeTimeout extends Error {}

export class ProxyRun {
  private output = '';
  private constructor(
    private readonly set: NamespaceSet<'node'>,
    private readonly child: ChildProcess,
    private readonly metricsSocket: string,
    private readonly startedAt: number,
  ) {
    const keep = (c: Buffer) => void (this.output = (this.output + c.toString()).slice(-32 * 1024));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** A fresh node namespace (loopback, a veth pair holding the node address), the API door, the proxy. */
  static async start(apiserverPort: number, command: readonly string[]): Promise<ProxyRun> {
    const set = await NamespaceSet.create(['node'] as const, 'kpt-u', async (s) => {
      // Both ends in the namespace: an interface that is up and not loopback (not every kernel has dummy).
      const wiring = [['link', 'add', 'n0', 'type', 'veth', 'peer', 'name', 'n0p'], ['addr', 'add', `${NODE_IP}/24`, 'dev', 'n0'], ['link', 'set', 'n0p', 'up'], ['link', 'set', 'n0', 'up']];
      for (const args of wiring) {
        await runTool('ip', ['-n', s.ns.node, ...args]);
      }
    });
    const dir = mkdtempSync(join(tmpdir(), 'kpt-upstream-'));
    set.onDestroy(() => rmSync(dir, { recursive: true, force: true }));
    try {
      const door = await openApiDoor((cmd, args) => set.spawnReady('node', cmd, args), apiserverPort, `127.0.0.1:${apiserverPort}`);
      set.onDestroy(() => void door.close());
      const socket = join(dir, 'metrics.sock');
      await set.spawnReady('node', process.execPath, [fileURLToPath(new URL('./ns-relay.js', import.meta.url)), `unix:${socket}`, METRICS]);
      const startedAt = Date.now();
      const child = set.spawn('node', command[0]!, command.slice(1));
      return new ProxyRun(set, child, socket, startedAt);
    } catch (err) {
      await set.destroy();
      throw err;
    }
  }

  private async metrics(): Promise<string> {
    if (this.child.exitCode !== null) throw new Error(`the proxy exited (${this.child.exitCode}):\n${this.output.slice(-3000)}`);
    return fetchMetrics(this.metricsSocket).catch(() => '');
  }

  /** Wait for the first completed sync; its duration from the proxy's own histogram. */
  async firstSync(timeoutMs: number): Promise<{ firstSyncMs: number; readyMs: number } | undefined> {
    const deadline = this.startedAt + timeoutMs;
    while (Date.now() < deadline) {
      const text = await this.metrics();
      const h = readHistogram(text, SYNC_DURATION);
      const last = gaugeMs(text, LAST_SYNC);
      // Should a second sync have followed before this read, the mean is the best the histogram can say.
      if (h && h.count >= 1 && last !== undefined) return { firstSyncMs: (h.sum / h.count) * 1000, readyMs: Math.round(last - this.startedAt) };
      await sleep(100);
    }
    return undefined;
  }

  /**
   * Whether the kernel's rules in this namespace mention `ip` (an endpoint address). In nftables mode a full
   * `nft list ruleset` of upstream's table (a chain per endpoint) took over two minutes at 10,000 Services
   * while upstream was busy, so the listing is narrowed: upstream names each endpoint's chain
   * "...__IP/port", which `nft list chains` shows without rules; kproxy keeps addresses in the maps of its
   * own table, listed alone (absent while upstream runs).
   */
  async kernelHas(mode: KernelMode, ip: string): Promise<boolean> {
    const mentions = (text: string) => text.includes(`${ip}:`) || text.includes(`${ip} `) || text.includes(`${ip}\n`) || text.includes(`${ip},`);
    if (mode === 'iptables') return mentions((await this.set.exec('node', 'iptables-save', ['-t', 'nat'], 120_000)).stdout);
    if ((await this.set.exec('node', 'nft', ['list', 'chains'], 120_000)).stdout.includes(`__${ip}/`)) return true;
    const own = await this.set.exec('node', 'nft', ['list', 'table', 'ip', 'kproxy'], 120_000).catch(() => undefined);
    return own !== undefined && mentions(own.stdout);
  }

  /**
   * Write one endpoint change and wait until a sync has put it into the kernel; the latency runs from just
   * before the write until the end of that sync (the proxy's last-sync timestamp), so the rule dump that
   * confirms it is not counted.
   */
  async oneChange(mode: KernelMode, loader: ApiLoader, timeoutMs: number): Promise<number> {
    const before = Date.now();
    const ip = await loader.changeEndpoint();
    const deadline = before + timeoutMs;
    let checked = 0;
    while (Date.now() < deadline) {
      const last = gaugeMs(await this.metrics(), LAST_SYNC);
      if (last !== undefined && last > before && last > checked) {
        if (await this.kernelHas(mode, ip)) return last - before;
        checked = last;
      }
      await sleep(20);
    }
    throw new ChangeTimeout(`an endpoint change did not reach the kernel within ${Math.round(timeoutMs / 1000)} s`);
  }

  private async programming(): Promise<Histogram | undefined> {
    return readHistogram(await this.metrics(), PROGRAMMING);
  }

  /** A steady churn through the API, then the programming latency the proxy itself recorded for it. */
  async churn(loader: ApiLoader, changes: number, intervalMs: number, timeoutMs: number): Promise<{ p50: number; p99: number; mean: number; observed: number }> {
    const before = await this.programming();
    const start = Date.now();
    for (let k = 0; k < changes; k++) {
      const wait = start + k * intervalMs - Date.now();
      if (wait > 0) await sleep(wait);
      await loader.changeEndpoint();
    }
    const deadline = Date.now() + timeoutMs;
    let since = histogramSince((await this.programming()) ?? { buckets: [], sum: 0, count: 0 }, before);
    while (since.count < changes && Date.now() < deadline) {
      await sleep(100);
      since = histogramSince((await this.programming()) ?? { buckets: [], sum: 0, count: 0 }, before);
    }
    return { p50: histogramQuantile(since, 0.5) * 1000, p99: histogramQuantile(since, 0.99) * 1000, mean: (since.sum / since.count) * 1000, observed: since.count };
  }

  resources(): { peakRssMB: number; cpuSeconds: number } {
    const pid = this.child.pid!;
    return { peakRssMB: peakRssMB(readFileSync(`/proc/${pid}/status`, 'utf8')), cpuSeconds: cpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8')) };
  }

  logs(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    await stopChild(this.child, 10_000);
    await this.set.destroy();
  }
}

/** The whole measurement of one proxy: start, first sync, changes, churn, resources, stop. */
export async function measureProxy(plan: RunPlan, apiserverPort: number, loader: ApiLoader, progress: (m: string) => void): Promise<RunResult> {
  const run = await ProxyRun.start(apiserverPort, plan.command);
  try {
    const first = await run.firstSync(plan.firstSyncTimeoutMs);
    if (!first) {
      return { ...run.resources(), note: `no first sync within ${Math.round(plan.firstSyncTimeoutMs / 1000)} s` };
    }
    progress(`first sync ${first.firstSyncMs.toFixed(0)} ms (ready after ${first.readyMs} ms)`);
    const changeTimeout = 60_000 + plan.firstSyncTimeoutMs / 4;
    const changes: number[] = [];
    try {
      for (let i = 0; i < plan.changes; i++) {
        changes.push(await run.oneChange(plan.mode, loader, changeTimeout));
        // Slow ones are worth seeing while a long run goes on.
        if (changes.at(-1)! > 5000) progress(`endpoint change ${i + 1} of ${plan.changes}: ${Math.round(changes.at(-1)!)} ms`);
        // Apart by more than the default minimum sync period (1 s), so no change waits on the last one's sync.
        await sleep(1100);
      }
    } catch (err) {
      // A proxy this slow has told what it can: the other one is still measured, the case says why this stopped.
      if (!(err instanceof ChangeTimeout)) throw err;
      return { ...first, ...run.resources(), note: `${err.message} (change ${changes.length + 1} of ${plan.changes}); no churn measured` };
    }
    const churn = await run.churn(loader, plan.churnChanges, plan.churnIntervalMs, changeTimeout);
    return {
      firstSyncMs: first.firstSyncMs, readyMs: first.readyMs,
      changeP50Ms: percentile(changes, 50), changeP99Ms: percentile(changes, 99),
      churnP50Ms: churn.p50, churnP99Ms: churn.p99, churnMeanMs: churn.mean,
      ...run.resources(),
      ...(churn.observed < plan.churnChanges ? { note: `programming latency observed for ${churn.observed} of ${plan.churnChanges} churn changes` } : {}),
    };
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nproxy log tail:\n${run.logs().slice(-2000)}`);
  } finally {
    await run.stop();
  }
}
