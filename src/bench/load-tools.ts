// Running the load generators in the client namespace: ab (scale, userspace connections/s), wrk
// (userspace latency over kept-alive connections) and kproxy's own http-load (latency, schedulers).
// ulimit is raised first: 1,000 concurrent clients need more than the default 1,024 descriptors.

import { fileURLToPath } from 'node:url';
import type { BenchLab } from './bench-lab.js';
import { parseAbOutput, type AbResult } from './ab-output.js';
import type { HttpLoadResult, HttpLoadSpec } from './http-load.js';
import { parseWrkOutput, type WrkResult } from './wrk-output.js';

/**
 * `sh -c` script that raises the open-file limit, then runs its arguments. Where the hard limit cannot be
 * raised (no CAP_SYS_RESOURCE), the soft limit goes up to the hard one, never down.
 */
export const RAISE_LIMIT = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';

export function abArgs(url: string, concurrency: number, requests: number): string[] {
  // -r: do not stop at the first socket error; -s: per-request timeout (s).
  return ['-r', '-s', '30', '-c', String(concurrency), '-n', String(requests), url];
}

export async function runAb(lab: BenchLab, url: string, concurrency: number, requests: number): Promise<AbResult> {
  const { stdout } = await lab.exec('client', 'sh', ['-c', RAISE_LIMIT, 'sh', 'ab', ...abArgs(url, concurrency, requests)], 15 * 60_000);
  return parseAbOutput(stdout);
}

export async function runWrk(lab: BenchLab, url: string, connections: number, seconds: number): Promise<WrkResult> {
  const args = ['--latency', '-t', '2', '-c', String(Math.max(2, connections)), '-d', `${seconds}s`, url];
  const { stdout } = await lab.exec('client', 'sh', ['-c', RAISE_LIMIT, 'sh', 'wrk', ...args], (seconds + 60) * 1000);
  return parseWrkOutput(stdout);
}

export async function runHttpLoadIn(lab: BenchLab, spec: HttpLoadSpec): Promise<HttpLoadResult> {
  const script = fileURLToPath(new URL('./http-load.js', import.meta.url));
  const limitMs = ((spec.seconds ?? 0) + 120) * 1000 + (spec.requests ?? 0) * 50;
  const { stdout } = await lab.exec('client', 'sh', ['-c', RAISE_LIMIT, 'sh', process.execPath, script, JSON.stringify(spec)], limitMs);
  return JSON.parse(stdout) as HttpLoadResult;
}
