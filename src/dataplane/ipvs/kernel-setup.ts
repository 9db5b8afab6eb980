// Once per process, before the first sync: the kernel settings the IPVS mode relies on (upstream's
// NewProxier), the dummy device, and proof that each scheduler's module works (upstream's
// CanUseIPVSProxier creates and deletes a throw-away virtual server).

import { release } from 'node:os';
import { runTool as runToolProcess, ToolError, type RunToolOptions } from '../../exec/run-tool.js';
import type { Logger } from '../../observability/logger.js';
import { DUMMY_DEVICE } from './renderer.js';

/** runTool, or a stand-in (tests record the commands instead of running them). */
export type RunTool = typeof runToolProcess;

export interface KernelSettings {
  readonly strictARP: boolean;
  /** Seconds; 0 leaves the kernel's value (ipvsadm --set semantics). */
  readonly tcpTimeout: number;
  readonly tcpFinTimeout: number;
  readonly udpTimeout: number;
  /** Kernel release (default: this machine's, uname -r). */
  readonly kernelRelease?: string;
}

/** Upstream issue 81775: conn_reuse_mode=0 is needed from 4.1 (when it appeared) until 5.9 fixed the delay. */
export function connReuseModeAction(kernelRelease: string): 'too-old' | 'leave' | 'set-0' {
  const [major = 0, minor = 0] = kernelRelease.split(/[.-]/).map(Number);
  const v = major * 1000 + minor;
  if (v < 4001) return 'too-old';
  if (v >= 5009) return 'leave';
  return 'set-0';
}

export function sysctlsFor(s: KernelSettings): [string, string][] {
  const out: [string, string][] = [
    ['net.ipv4.vs.conntrack', '1'],
    ['net.ipv4.vs.expire_nodest_conn', '1'],
    ['net.ipv4.vs.expire_quiescent_template', '1'],
    ['net.ipv4.ip_forward', '1'],
  ];
  if (connReuseModeAction(s.kernelRelease ?? release()) === 'set-0') out.push(['net.ipv4.vs.conn_reuse_mode', '0']);
  if (s.strictARP) out.push(['net.ipv4.conf.all.arp_ignore', '1'], ['net.ipv4.conf.all.arp_announce', '2']);
  return out;
}

export async function prepareKernel(s: KernelSettings, tool: RunToolOptions, logger?: Logger, runTool: RunTool = runToolProcess): Promise<void> {
  // Built-in IPVS needs no module; a failing modprobe then is harmless, and a missing IPVS shows below.
  // Modules load at once (modprobe -a would stop at the first missing one) and sysctls are one process:
  // each process costs ~100 ms in a slow kernel.
  await Promise.all(MODULES.map((m) => runTool('modprobe', ['-q', m], tool).catch(() => undefined)));
  try {
    await runTool('ipvsadm', ['-Ln'], tool);
  } catch (err) {
    throw new Error(`the IPVS proxy mode needs IPVS in the kernel (ip_vs) and the ipvsadm tool: ${(err as Error).message}`);
  }
  const reuse = connReuseModeAction(s.kernelRelease ?? release());
  if (reuse === 'too-old') logger?.error("Can't set sysctl, kernel version doesn't satisfy minimum version requirements", { sysctl: 'net/ipv4/vs/conn_reuse_mode', minimumKernelVersion: '4.1' });
  if (reuse === 'leave') logger?.v(2).info('Left as-is', { sysctl: 'net/ipv4/vs/conn_reuse_mode' });
  const timeouts = async (): Promise<void> => {
    if (s.tcpTimeout <= 0 && s.tcpFinTimeout <= 0 && s.udpTimeout <= 0) return;
    await runTool('ipvsadm', ['--set', String(s.tcpTimeout), String(s.tcpFinTimeout), String(s.udpTimeout)], tool).catch((err: Error) =>
      logger?.error('Failed to configure IPVS timeouts', { err: err.message }),
    );
  };
  await Promise.all([setSysctls(sysctlsFor(s), tool, runTool), timeouts(), ensureDummyDevice(tool, runTool)]);
}

const MODULES = ['ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_sh', 'nf_conntrack'];

/** All at once; when that fails, one by one, so the error names the sysctl that cannot be set. */
async function setSysctls(settings: readonly [string, string][], tool: RunToolOptions, runTool: RunTool): Promise<void> {
  const assignments = settings.map(([key, value]) => `${key}=${value}`);
  try {
    await runTool('sysctl', ['-qw', ...assignments], tool);
    return;
  } catch {
    // fall through: find the culprit
  }
  for (const assignment of assignments) {
    try {
      await runTool('sysctl', ['-qw', assignment], tool);
    } catch (err) {
      throw new Error(`can't set sysctl ${assignment}: ${(err as Error).message}`);
    }
  }
}

export async function ensureDummyDevice(tool: RunToolOptions, runTool: RunTool = runToolProcess): Promise<void> {
  try {
    await runTool('ip', ['link', 'show', DUMMY_DEVICE], tool);
  } catch {
    await runTool('ip', ['link', 'add', DUMMY_DEVICE, 'type', 'dummy'], tool);
  }
}

/** TEST-NET-2, as upstream: documentation addresses no Service uses. */
const PROBE = ['-t', '198.51.100.0:20000'];

/** Create and delete a virtual server with `scheduler`; throws a message naming the scheduler and module. */
export async function proveScheduler(scheduler: string, tool: RunToolOptions, runTool: RunTool = runToolProcess): Promise<void> {
  // Separate processes, not one --restore: ipvsadm --restore exits 0 even when a line fails.
  await runTool('ipvsadm', ['-D', ...PROBE], tool).catch(() => undefined); // a leftover of an interrupted probe
  try {
    await runTool('ipvsadm', ['-A', ...PROBE, '-s', scheduler], tool);
  } catch (err) {
    const why = err instanceof ToolError ? err.stderr.trim() || err.message : String(err);
    throw new Error(`IPVS scheduler "${scheduler}" cannot be used (is the kernel module ip_vs_${scheduler} available?): ${why}`);
  }
  await runTool('ipvsadm', ['-D', ...PROBE], tool);
}
