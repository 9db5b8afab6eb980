// The nftables reading of the scheduler table (src/schedulers/scheduler-table.ts): which nft pick a
// service port's scheduler becomes. nft has random numbers, a counter and an address hash; the table says
// which names map to which, which fall back (warned once per Service and counted by the executor), and
// that an unknown name runs rr as in every mode.

import { resolveScheduler, type NftablesPick } from '../../schedulers/scheduler-table.js';

export interface SchedulerChoice {
  readonly scheduler: NftablesPick;
  /** The requested scheduler when it could not be honoured (a fallback, or a name the table lacks). */
  readonly fallbackFrom?: string;
}

/** `requested` is ServicePort.scheduler; '' means `defaultScheduler` (the mode's default from the table). */
export function kernelScheduler(requested: string, defaultScheduler?: NftablesPick): SchedulerChoice {
  const choice = resolveScheduler('nftables', requested, defaultScheduler);
  const fellBack = choice.unknown || choice.meaning.fit === 'fallback';
  return { scheduler: choice.meaning.runs, ...(fellBack ? { fallbackFrom: choice.requested } : {}) };
}
