// A fake clock for runner tests: timers fire only when the test advances time, and pending promise
// callbacks are drained between timers so async sync functions complete deterministically.
import type { RunnerTimers } from '../../src/runner/bounded-frequency-runner.js';

interface Pending {
  id: number;
  at: number;
  fn: () => void;
}

export class FakeTimers implements RunnerTimers {
  private t = 0;
  private seq = 0;
  private pending: Pending[] = [];

  now = (): number => this.t;

  setTimeout = (fn: () => void, ms: number): unknown => {
    const timer = { id: ++this.seq, at: this.t + ms, fn };
    this.pending.push(timer);
    return timer.id;
  };

  clearTimeout = (handle: unknown): void => {
    this.pending = this.pending.filter((p) => p.id !== handle);
  };

  /** Move time forward by `ms`, firing due timers in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      const next = this.pending.filter((p) => p.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }

  /** When the earliest pending timer fires, or undefined. */
  nextAt(): number | undefined {
    const ats = this.pending.map((p) => p.at);
    return ats.length ? Math.min(...ats) : undefined;
  }
}

/** Let queued microtasks and promise chains run (a macrotask turn drains them all). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
