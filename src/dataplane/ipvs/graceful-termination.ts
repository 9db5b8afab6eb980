// Real servers removed from a TCP virtual server stay at weight 0 until their connections are gone
// (upstream's GracefulTerminationManager): established connections finish, new ones go elsewhere.
// Checked after each sync and every `intervalMs`; an endpoint that comes back is simply re-weighted.

import { runTool as runToolProcess, type RunToolOptions } from '../../exec/run-tool.js';
import type { RunTool } from './kernel-setup.js';
import type { Logger } from '../../observability/logger.js';
import { serviceArgs } from './format.js';
import type { DrainingRealServer, IpvsDiff } from './ipvs-diff.js';
import { connectionCounts, ipvsadmRestore, type IpvsadmRunner } from './ipvsadm-batch.js';
import { realServerKey } from './program.js';

export class GracefulTermination {
  private readonly draining = new Map<string, DrainingRealServer>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  /** Told the "vsKey rsKey"s deleted, so the executor's picture of the kernel stays true between syncs. */
  onDeleted: ((keys: readonly string[]) => void) | undefined;

  constructor(
    private readonly tool: RunToolOptions,
    private readonly intervalMs: number,
    private readonly logger?: Logger,
    private readonly runTool: RunTool = runToolProcess,
  ) {}

  get size(): number {
    return this.draining.size;
  }

  keys(): ReadonlySet<string> {
    return new Set(this.draining.keys());
  }

  entries(): DrainingRealServer[] {
    return [...this.draining.values()];
  }

  /** Take in a sync's outcome: new drains, restored endpoints, and drains whose virtual server is gone. */
  update(diff: IpvsDiff, liveServices: ReadonlySet<string>): void {
    for (const key of diff.restored) this.draining.delete(key);
    for (const [key, d] of diff.draining) this.draining.set(key, d);
    for (const key of [...this.draining.keys()]) if (!liveServices.has(key.split(' ')[0] ?? '')) this.draining.delete(key);
    if (this.draining.size > 0 && !this.timer) {
      this.timer = setInterval(() => void this.collect(), this.intervalMs);
      this.timer.unref?.();
    } else if (this.draining.size === 0) this.stop();
  }

  /** Delete the draining real servers without connections; returns the keys deleted. */
  async collect(): Promise<string[]> {
    if (this.busy || this.draining.size === 0) return [];
    this.busy = true;
    try {
      const counts = await connectionCounts(this.ipvsadm, [...this.draining.values()].map((d) => d.vs));
      const done: string[] = [];
      const lines: string[] = [];
      for (const [key, d] of this.draining) {
        const n = counts.get(key);
        if (n !== undefined && n > 0) continue;
        if (n !== undefined) lines.push(['-d', ...serviceArgs(d.vs), '-r', realServerKey(d.rs)].join(' '));
        done.push(key);
      }
      await ipvsadmRestore(this.ipvsadm, lines);
      for (const key of done) this.draining.delete(key);
      this.onDeleted?.(done);
      if (done.length > 0) this.logger?.v(2).info('Deleted drained IPVS real servers', { realServers: done });
      if (this.draining.size === 0) this.stop();
      return done;
    } catch (err) {
      this.logger?.error('Failed to delete drained IPVS real servers', { err: (err as Error).message });
      return [];
    } finally {
      this.busy = false;
    }
  }

  private readonly ipvsadm: IpvsadmRunner = (args, stdin) => this.runTool('ipvsadm', args, { ...this.tool, stdin });

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
