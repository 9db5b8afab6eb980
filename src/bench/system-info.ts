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

const TOOL_VERSIONS: readonly (readonly [string, string, readonly string[]])[] = [
  ['ab', 'ab', ['-V']],
  ['wrk', 'wrk', ['-v']],
  ['nginx', 'nginx', ['-v']],
  ['haproxy', 'haproxy', ['-v']],
  ['iptables', 'iptables', ['--version']],
  ['nft', 'nft', ['--version']],
  ['ipvsadm', 'ipvsadm', ['--version']],
  ['user-mode-linux', 'linux.uml', ['--version']],
];

/** The first line that names a version in a tool's output (some print it on stderr, some exit non-zero). */
export function versionLine(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /\b(version|v\d)/i.test(l)) ?? lines.find((l) => /\d+\.\d+/.test(l)) ?? lines[0] ?? 'unknown';
}

export function collectSystemInfo(): SystemInfo {
  const tools: Record<string, string> = {};
  for (const [name, cmd, args] of TOOL_VERSIONS) {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
    tools[name] = r.error ? 'not installed' : versionLine(`${r.stdout ?? ''}\n${r.stderr ?? ''}`);
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
