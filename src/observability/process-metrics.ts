// The process_* metrics every Go component exposes (client_golang's process collector), which operators
// already graph for kube-proxy. Values are read at scrape time; Linux-only ones are left out elsewhere.

import { readdirSync, readFileSync } from 'node:fs';
import type { Registry } from './prometheus.js';

export interface ProcessMetricsOptions {
  /** Wall clock in ms since the epoch (tests). */
  now?: () => number;
}

export function registerProcessMetrics(registry: Registry, opts: ProcessMetricsOptions = {}): void {
  const now = opts.now ?? Date.now;
  const startTime = registry.gauge({ name: 'process_start_time_seconds', help: 'Start time of the process since unix epoch in seconds.' });
  const cpu = registry.counter({ name: 'process_cpu_seconds_total', help: 'Total user and system CPU time spent in seconds.' });
  const rss = registry.gauge({ name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.' });
  const vsize = registry.gauge({ name: 'process_virtual_memory_bytes', help: 'Virtual memory size in bytes.' });
  const openFds = registry.gauge({ name: 'process_open_fds', help: 'Number of open file descriptors.' });

  // Fixed for the life of the process: wall clock now minus the time the process has been up.
  startTime.set(Math.round((now() / 1000 - process.uptime()) * 1000) / 1000);

  registry.onCollect(() => {
    const usage = process.cpuUsage();
    const total = (usage.user + usage.system) / 1e6;
    cpu.inc(Math.max(0, total - cpu.get()));
    rss.set(process.memoryUsage.rss());
    const vm = virtualMemoryBytes();
    if (vm !== undefined) vsize.set(vm);
    const fds = openFdCount();
    if (fds !== undefined) openFds.set(fds);
  });
}

// /proc/self/stat field 23 is vsize in bytes; the command name (field 2) may contain spaces, so count
// fields from the closing parenthesis.
function virtualMemoryBytes(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const v = Number(fields[20]);
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function openFdCount(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}
