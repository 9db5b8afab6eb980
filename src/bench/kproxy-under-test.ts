// kproxy itself, run as its CLI in the lab's node namespace with --from a manifest directory: the
// benchmarks load Services through the real program, not through its internals. Readiness is kproxy's own
// metric: a sync completed after the start with nothing queued behind it.

import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProxyMode } from '../dataplane/types.js';
import { POD_CIDR, stopProcess, type BenchLab } from './bench-lab.js';
import { RAISE_LIMIT } from './load-tools.js';
import { gaugeMs } from '../observability/read-gauge.js';

export { gaugeMs };

export const NODE_NAME = 'bench-node';
const METRICS = '127.0.0.1:10249';
const LAST = 'kubeproxy_sync_proxy_rules_last_timestamp_seconds';
const QUEUED = 'kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds';

export function kproxyCliPath(): string {
  return process.env.KPROXY_CLI ?? fileURLToPath(new URL('../cli/main.js', import.meta.url));
}

/** Where a session runs: on the host, or inside user-mode Linux (IPVS, and iptables as its reference). */
export type BenchKernel = 'host' | 'uml';

/** The flags each mode runs with besides the common ones. */
export function modeFlags(mode: ProxyMode, kernel: BenchKernel = mode === 'ipvs' ? 'uml' : 'host'): string[] {
  if (mode === 'userspace') return ['--userspace-portals=iptables'];
  // The UML kernel has only the legacy iptables back end.
  if (kernel === 'uml') return ['--iptables-backend=legacy'];
  return [];
}

export function kproxyArgs(mode: ProxyMode, manifestsDir: string, kernel?: BenchKernel): string[] {
  return [
    kproxyCliPath(), `--proxy-mode=${mode}`, '--from', manifestsDir, '--hostname-override', NODE_NAME,
    `--metrics-bind-address=${METRICS}`, '--healthz-bind-address=127.0.0.1:10256', `--cluster-cidr=${POD_CIDR}`,
    ...modeFlags(mode, kernel),
  ];
}

/**
 * The log lines in which kproxy says a Service is not served (userspace mode past its open-file limit). A
 * case measured then would time a Service kproxy does not serve, so it fails with kproxy's own words.
 */
export function unservedWarnings(output: string): string[] {
  return output.split('\n').filter((l) => l.includes('not served'));
}

const FETCH = `require('http').get('http://${METRICS}/metrics',r=>{let b='';r.on('data',c=>b+=c);r.on('end',()=>process.stdout.write(b))}).on('error',e=>{process.stderr.write(e.message);process.exit(1)})`;

export class KproxyUnderTest {
  private output = '';
  private constructor(private readonly lab: BenchLab, private readonly child: ChildProcess) {
    const keep = (c: Buffer) => {
      this.output = (this.output + c.toString()).slice(-64 * 1024);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static start(lab: BenchLab, mode: ProxyMode, manifestsDir: string, kernel?: BenchKernel): KproxyUnderTest {
    // Userspace mode holds a descriptor per listener: 30,000 Services need a raised limit, as a DaemonSet's
    // container runtime gives it.
    return new KproxyUnderTest(lab, lab.spawn('node', 'sh', ['-c', RAISE_LIMIT, 'sh', process.execPath, ...kproxyArgs(mode, manifestsDir, kernel)]));
  }

  /** Wait until a sync that began after `sinceMs` is done and nothing is queued; returns when that was. */
  async waitForSync(sinceMs: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let seen = 'no metrics yet';
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`kproxy exited (${this.child.exitCode}):\n${this.output.slice(-3000)}`);
      const text = await this.lab.exec('node', process.execPath, ['-e', FETCH], 10_000).then((r) => r.stdout, (e: Error) => `error ${e.message}`);
      const last = gaugeMs(text, LAST);
      const queued = gaugeMs(text, QUEUED, 'newest');
      if (last !== undefined && last > sinceMs && (queued === undefined || queued <= last)) return last;
      seen = last === undefined ? text.slice(0, 200) : `last sync at ${last}, queued ${queued}`;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`kproxy did not complete a sync within ${timeoutMs} ms (${seen}):\n${this.output.slice(-3000)}`);
  }

  /** Throws when kproxy said it could not serve some Services (see unservedWarnings). */
  assertEveryServiceServed(): void {
    const unserved = unservedWarnings(this.output);
    if (unserved.length === 0) return;
    const reasons = [...new Set(unserved.map((l) => /not served \(([^)]+)\)/.exec(l)?.[1]).filter(Boolean))];
    throw new Error(`kproxy served only some of the Services (${reasons.join(', ') || 'see its log'}):\n${unserved.slice(-3).join('\n')}`);
  }

  logs(): string {
    return this.output;
  }

  stop(): Promise<void> {
    return stopProcess(this.child, 10_000);
  }
}
