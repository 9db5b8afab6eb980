// rr: round robin (ip_vs_rr). Each pick takes the next backend after the previous pick that has a
// weight above 0, wrapping around; the position survives update().
import { isAvailable } from './backend-weight.js';
import { carryCursor, type Cursor } from './rotation.js';
import type { Backend, PickContext, Scheduler } from './types.js';

export class RoundRobinScheduler implements Scheduler {
  readonly name = 'rr';
  private backends: readonly Backend[] = [];
  private cursor: Cursor = -1;

  update(backends: readonly Backend[]): void {
    this.cursor = carryCursor(this.backends, this.cursor, backends);
    this.backends = [...backends];
  }

  pick(_ctx: PickContext): Backend | undefined {
    const n = this.backends.length;
    for (let step = 1; step <= n; step++) {
      const index = (this.cursor + step) % n;
      const candidate = this.backends[index]!;
      if (isAvailable(candidate)) {
        this.cursor = index;
        return candidate;
      }
    }
    return undefined;
  }
}
