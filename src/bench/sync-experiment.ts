// The sync experiment's case runner: one sync-child process per mode and Service count, so each case's
// peak RSS is its own. Returns the child's metrics.

import { fileURLToPath } from 'node:url';
import type { ProxyMode } from '../dataplane/types.js';
import { runTool } from '../exec/run-tool.js';
import type { Profile } from './bench-options.js';

export async function runSyncCase(mode: ProxyMode, services: number, p: Profile['sync']): Promise<Record<string, number>> {
  const script = fileURLToPath(new URL('./sync-child.js', import.meta.url));
  const args = [script, mode, String(services), String(p.endpointsPerService), String(p.churnChanges), String(p.churnIntervalMs)];
  const { stdout } = await runTool(process.execPath, args, { timeoutMs: 30 * 60_000 });
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as Record<string, number>;
}
