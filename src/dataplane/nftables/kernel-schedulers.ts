// Which of kproxy's schedulers the kernel can run in a rule. nft has random numbers (random), a counter
// (rr; wrr too, since Kubernetes endpoints carry no weights) and a hash of the source or destination
// address (sh, dh). The rest (lc, wlc, sed, nq, mh, ...) need connection counts or tables nft does not
// keep: they fall back to random, and the data plane warns once per Service and counts it.

import type { KernelScheduler } from './pick-chains.js';

const DIRECT: Readonly<Record<string, KernelScheduler>> = { random: 'random', rr: 'rr', wrr: 'rr', sh: 'sh', dh: 'dh' };

export interface SchedulerChoice {
  readonly scheduler: KernelScheduler;
  /** The requested scheduler when it could not be honoured. */
  readonly fallbackFrom?: string;
}

/** `requested` is ServicePort.scheduler; '' means the mode's default. */
export function kernelScheduler(requested: string, defaultScheduler: KernelScheduler = 'random'): SchedulerChoice {
  if (requested === '') return { scheduler: defaultScheduler };
  const direct = DIRECT[requested];
  return direct ? { scheduler: direct } : { scheduler: 'random', fallbackFrom: requested };
}
