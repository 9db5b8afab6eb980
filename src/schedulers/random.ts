// random: kproxy's addition, not an IPVS scheduler. Uniform over the backends with weight above 0,
// whatever the weight; the random source is injectable so tests (and reproductions) are deterministic.
import { isAvailable } from './backend-weight.js';
import type { Backend, PickContext, Scheduler } from './types.js';

export class RandomScheduler implements Scheduler {
  readonly name = 'random';
  private available: readonly Backend[] = [];

  /** `random` returns a number in [0, 1), like Math.random. */
  constructor(private readonly random: () => number = Math.random) {}

  update(backends: readonly Backend[]): void {
    this.available = backends.filter(isAvailable);
  }

  pick(_ctx: PickContext): Backend | undefined {
    const n = this.available.length;
    if (n === 0) return undefined;
    // Clamp so a source that returns 1 (or slightly out of range) cannot index past either end.
    const index = Math.min(n - 1, Math.max(0, Math.floor(this.random() * n)));
    return this.available[index];
  }
}
