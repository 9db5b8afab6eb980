// What a run records about the machine: kernel, CPU, memory, kproxy and tool versions. A tool that is
// missing is recorded as such rather than failing the run.

import { spawnSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import { kproxyVersion } from '../cli/version.js';

export interface SystemInfo {
  kernel: string;
  cpuModel: string;
  cpuCount: number;
  memoryMB: number;
  nodeVersion: string;
  kproxyVersion: string;
  tools: Record<string, string>;
}

/** Name in the results, command, its version flag, and the Debian package to ask when the tool cannot tell. */
const TOOL_VERSIONS: readonly (readonly [string, string, readonly string[], string?])[] = [
  ['ab', 'ab', ['-V']],
  ['wrk', 'wrk', ['-v']],
  ['nginx', 'nginx', ['-v']],
  ['haproxy', 'haproxy', ['-v']],
  ['iptables', 'iptables', ['--version']],
  ['nft', 'nft', ['--version']],
  // ipvsadm prints its version only where the kernel has IPVS (here it runs inside user-mode Linux).
  ['ipvsadm', 'ipvsadm', ['--version'], 'ipvsadm'],
  ['user-mode-linux', 'linux.uml', ['--version']],
];

/**
 * The version a tool's output names: the first dotted number (with a qualifier in parentheses, such as
 * iptables' back end), skipping lines that are about something else (modprobe errors, usage, copyright).
 * Some tools print it on stderr, some exit non-zero; undefined when there is none.
 */
export function versionOf(output: string): string | undefined {
  for (const line of output.split('\n')) {
    if (/^\s*(modprobe:|-|usage:|copyright)/i.test(line)) continue;
    const m = /(?<![\d.])v?(\d+\.\d+[\w.+~-]*)(\s+\([^)]*\))?/.exec(line);
    if (m) return `${m[1]}${m[2] ?? ''}`;
  }
  return undefined;
}

function debianPackageVersion(pkg: string): string | undefined {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 && r.stdout ? `${r.stdout.trim()} (Debian package)` : undefined;
}

export function collectSystemInfo(): SystemInfo {
  const tools: Record<string, string> = {};
  for (const [name, cmd, args, pkg] of TOOL_VERSIONS) {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
    const told = r.error ? undefined : versionOf(`${r.stdout ?? ''}\n${r.stderr ?? ''}`);
    tools[name] = told ?? (pkg ? debianPackageVersion(pkg) : undefined) ?? (r.error ? 'not installed' : 'unknown');
  }
  const cpu = cpus();
  return {
    kernel: release(),
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cpuCount: cpu.length,
    memoryMB: Math.round(totalmem() / 1024 / 1024),
    nodeVersion: process.version,
    kproxyVersion: kproxyVersion(),
    tools,
  };
}
