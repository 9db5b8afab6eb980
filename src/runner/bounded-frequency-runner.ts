// kube-proxy's BoundedFrequencyRunner (pkg/util/async) for an async sync function:
// - run() asks for a sync as soon as allowed; requests made while one is pending or running coalesce
//   into exactly one more sync;
// - syncs are at least minInterval apart, from the end of one to the start of the next, except that up
//   to `burst` syncs may run back to back (tokens refill one per minInterval; iptables mode uses 2);
// - a sync runs at least every maxInterval even when nobody asks (the periodic resync);
// - retryAfter(ms) brings the next sync forward after a failure; with `retryBackoff` the runner does that
//   itself when the function throws;
// - never two syncs at once.
// Time comes from injected timers so tests can drive it.

import type { Logger } from '../observability/logger.js';
import type { Backoff } from './backoff.js';

export interface RunnerTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: RunnerTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface BoundedFrequencyRunnerOptions {
  /** Names the runner in log lines. */
  name: string;
  fn: () => Promise<void> | void;
  minIntervalMs: number;
  maxIntervalMs: number;
  /** Syncs allowed back to back before minInterval applies (default 1: no burst). */
  burst?: number;
  timers?: RunnerTimers;
  /** On a failure, schedule retryAfter(backoff.next()); reset it after a success. */
  retryBackoff?: Backoff;
  /** Told about each failure (after the retry is scheduled). */
  onError?: (err: unknown) => void;
  logger?: Logger;
}

export class BoundedFrequencyRunner {
  private readonly opts: BoundedFrequencyRunnerOptions;
  private readonly timers: RunnerTimers;
  private readonly burst: number;
  private tokens: number;
  private tokensAt: number;
  private timer: unknown = undefined;
  private timerAt = Infinity;
  private retryAt = Infinity;
  private current: Promise<void> | undefined;
  // Set synchronously before fn starts: fn may call run()/retryAfter() before `current` is assigned.
  private syncing = false;
  private requested = false;
  private wakeQueued = false;
  private started = false;
  private stopped = false;

  constructor(opts: BoundedFrequencyRunnerOptions) {
    const { name, minIntervalMs, maxIntervalMs } = opts;
    if (!(minIntervalMs >= 0)) throw new Error(`${name}: minInterval: got ${minIntervalMs} ms, allowed: >= 0`);
    if (!(maxIntervalMs >= minIntervalMs)) {
      throw new Error(`${name}: maxInterval (${maxIntervalMs} ms) must be >= minInterval (${minIntervalMs} ms)`);
    }
    this.burst = opts.burst ?? 1;
    if (!Number.isInteger(this.burst) || this.burst < 1) throw new Error(`${name}: burst: got ${String(opts.burst)}, allowed: an integer >= 1`);
    this.opts = opts;
    this.timers = opts.timers ?? realTimers;
    this.tokens = this.burst;
    this.tokensAt = this.timers.now();
  }

  /** Start the periodic timer (kube-proxy's SyncLoop); a run() requested before start() happens now. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.opts.logger?.v(3).info('Sync runner loop running', { name: this.opts.name });
    this.arm(this.timers.now() + this.opts.maxIntervalMs);
    if (this.requested) this.wake();
  }

  /** Ask for a sync as soon as the bounds allow; never runs the function synchronously. */
  run(): void {
    this.requested = true;
    if (this.started && !this.syncing) this.wake();
  }

  /** Make sure a sync starts within `ms` from now (subject to minInterval), e.g. after a failed sync. */
  retryAfter(ms: number): void {
    this.retryAt = Math.min(this.retryAt, this.timers.now() + Math.max(0, ms));
    // While a sync runs, its completion re-arms the timer and then applies the retry.
    if (!this.syncing) this.applyRetry();
  }

  /** Stop timers and wait for a sync in progress; no sync starts afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.disarm();
    await this.current;
  }

  /** True while the function is running. */
  get busy(): boolean {
    return this.syncing;
  }

  private wake(): void {
    if (this.wakeQueued) return;
    this.wakeQueued = true;
    queueMicrotask(() => {
      this.wakeQueued = false;
      this.tryRun();
    });
  }

  private tryRun(): void {
    if (this.stopped || !this.started || this.syncing) return;
    const now = this.timers.now();
    const available = this.available(now);
    if (available >= 1) {
      this.requested = false;
      this.current = this.execute();
      return;
    }
    // Not allowed yet: wake up when the next token is in, unless the timer fires sooner anyway.
    const nextPossible = now + Math.ceil((1 - available) * this.opts.minIntervalMs);
    this.opts.logger?.v(4).info('Sync runner throttled', { name: this.opts.name, nextPossibleMs: nextPossible - now });
    if (nextPossible < this.timerAt) this.arm(nextPossible);
  }

  private async execute(): Promise<void> {
    this.syncing = true;
    this.disarm();
    let failure: { err: unknown } | undefined;
    try {
      await this.opts.fn();
    } catch (err) {
      failure = { err };
    }
    const now = this.timers.now();
    // The token is spent at completion, so minInterval counts from the end of this sync.
    this.tokens = this.available(now) - 1;
    this.tokensAt = now;
    this.current = undefined;
    this.syncing = false;
    if (this.stopped) return;
    this.arm(now + this.opts.maxIntervalMs);
    this.opts.logger?.v(3).info('Sync runner ran', { name: this.opts.name, minIntervalMs: this.opts.minIntervalMs, maxIntervalMs: this.opts.maxIntervalMs });
    if (failure) {
      if (this.opts.retryBackoff) this.retryAfter(this.opts.retryBackoff.next());
      this.opts.onError?.(failure.err);
    } else {
      this.opts.retryBackoff?.reset();
    }
    this.applyRetry();
    if (this.requested) this.wake();
  }

  private available(now: number): number {
    if (this.opts.minIntervalMs === 0) return this.burst;
    const refilled = this.tokens + (now - this.tokensAt) / this.opts.minIntervalMs;
    return Math.min(this.burst, refilled);
  }

  private applyRetry(): void {
    if (this.retryAt === Infinity) return;
    const at = this.retryAt;
    this.retryAt = Infinity;
    if (at < this.timerAt) {
      this.opts.logger?.v(3).info('Sync runner retrying', { name: this.opts.name, inMs: at - this.timers.now() });
      this.arm(at);
    }
  }

  private arm(at: number): void {
    this.disarm();
    if (!this.started || this.stopped) return;
    this.timerAt = at;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.requested = true;
      this.tryRun();
    }, Math.max(0, at - this.timers.now()));
  }

  private disarm(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }
}
