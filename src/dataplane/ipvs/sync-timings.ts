// Wall-clock time of each step of one IPVS apply, so a slow sync can be attributed to the tool that made
// it slow (the benchmark prints these). Steps may run concurrently: their times overlap and do not add up
// to the total.

export type SyncStep = 'read' | 'ipset' | 'addresses' | 'ipvsadm' | 'iptables' | 'graceful';

export interface SyncTimings {
  /** ms per step that ran in the last apply; a step that had nothing to do is absent. */
  readonly steps: Readonly<Partial<Record<SyncStep, number>>>;
  readonly totalMs: number;
  /** Tool invocations the apply made (each one is a process: the main cost in a slow kernel). */
  readonly toolRuns: number;
}

export class SyncClock {
  private readonly steps: Partial<Record<SyncStep, number>> = {};
  private readonly start: number;
  toolRuns = 0;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.start = now();
  }

  /** Runs `work`, adding its duration to `step` (whether it succeeds or not). */
  async time<T>(step: SyncStep, work: () => Promise<T>): Promise<T> {
    const t0 = this.now();
    try {
      return await work();
    } finally {
      this.steps[step] = (this.steps[step] ?? 0) + (this.now() - t0);
    }
  }

  result(): SyncTimings {
    return { steps: { ...this.steps }, totalMs: this.now() - this.start, toolRuns: this.toolRuns };
  }
}

/**
 * Waits for every started step, then throws the first failure: a sync never returns while one of its
 * tools is still changing the kernel.
 */
export async function settleAll(work: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
