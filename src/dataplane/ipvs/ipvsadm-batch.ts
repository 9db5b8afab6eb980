// ipvsadm driven in batches: one process for many changes or many listings. `ipvsadm --restore` runs
// every line it reads (a listing too) but exits 0 even when lines fail, reporting them only on stderr.

import type { ToolResult } from '../../exec/run-tool.js';
import { serviceArgs } from './format.js';
import { parseConnectionCounts } from './ipvsadm-state.js';
import type { VirtualServer } from './program.js';

export type IpvsadmRunner = (args: readonly string[], stdin: string) => Promise<ToolResult>;

export class IpvsadmBatchError extends Error {
  constructor(
    readonly stderr: string,
    lines: number,
  ) {
    super(`ipvsadm --restore (${lines} lines) failed: ${stderr.trim().split('\n').slice(0, 5).join('; ')}`);
    this.name = 'IpvsadmBatchError';
  }
}

/** Applies `--restore` lines; throws when any line failed (so the caller re-reads the kernel next time). */
export async function ipvsadmRestore(run: IpvsadmRunner, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  const { stderr } = await run(['--restore'], `${lines.join('\n')}\n`);
  if (stderr.trim()) throw new IpvsadmBatchError(stderr, lines.length);
}

/**
 * Active + inactive connections per "vsKey rsKey" of the given virtual servers, listed in one process
 * (a full `ipvsadm -Ln` costs seconds with thousands of Services). A virtual server that is gone is
 * simply absent from the result.
 */
export async function connectionCounts(run: IpvsadmRunner, servers: Iterable<Pick<VirtualServer, 'protocol' | 'address' | 'port'>>): Promise<Map<string, number>> {
  const lines = new Set<string>();
  for (const vs of servers) lines.add(['-L', '-n', ...serviceArgs(vs)].join(' '));
  if (lines.size === 0) return new Map();
  const { stdout } = await run(['--restore'], `${[...lines].join('\n')}\n`);
  return parseConnectionCounts(stdout);
}
