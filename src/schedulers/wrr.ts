// wrr: interleaved weighted round robin (ip_vs_wrr). Passes over the list with a falling threshold cw:
// the first pass takes backends whose weight >= the maximum weight, each later pass lowers cw by the gcd
// of the weights, until cw reaches 1 and it starts over. Over one full cycle every backend is picked
// weight/gcd times, interleaved rather than in bursts. The kernel's update keeps cw (rounded to the new
// gcd) but moves its mark back to the list head; kproxy also keeps the mark, as rr does.
import { greatestCommonDivisor, weightOf } from './backend-weight.js';
import { carryCursor, type Cursor } from './rotation.js';
import type { Backend, PickContext, Scheduler } from './types.js';

export class WeightedRoundRobinScheduler implements Scheduler {
  readonly name = 'wrr';
  private backends: readonly Backend[] = [];
  private cursor: Cursor = -1;
  /** Current threshold, maximum (lowered by di - 1 so the last pass is at 1), and step (gcd). */
  private cw = 0;
  private mw = 0;
  private di = 1;

  update(backends: readonly Backend[]): void {
    this.cursor = carryCursor(this.backends, this.cursor, backends);
    this.backends = [...backends];
    const weights = this.backends.map(weightOf);
    this.di = weights.reduce((g, w) => (w > 0 ? greatestCommonDivisor(w, g) : g), 0) || 1;
    this.mw = weights.reduce((max, w) => Math.max(max, w), 0) - (this.di - 1);
    if (this.cw > this.mw || this.cw === 0) this.cw = this.mw;
    else if (this.di > 1) this.cw = Math.floor(this.cw / this.di) * this.di + 1;
  }

  pick(_ctx: PickContext): Backend | undefined {
    if (this.mw <= 0) return undefined;
    const n = this.backends.length;
    // Every backend with weight >= 1 qualifies at the latest on the pass with cw = 1, so this bound
    // (all passes of one cycle, plus one more lap) is never reached; it only guards against a bug looping.
    const limit = n * (Math.ceil(this.mw / this.di) + 2);
    let index = this.cursor;
    for (let step = 0; step < limit; step++) {
      index++;
      if (index >= n) {
        index = -1;
        this.cw -= this.di;
        if (this.cw <= 0) this.cw = this.mw;
        continue;
      }
      if (weightOf(this.backends[index]!) >= this.cw) {
        this.cursor = index;
        return this.backends[index];
      }
    }
    return undefined;
  }
}
