// Exponential backoff with jitter for retrying failed syncs: the first retry after `initialMs` (1 s), each
// further one twice as late, never later than `maxMs` (the sync period, so a failing proxy still retries
// at least as often as it would resync anyway). Jitter spreads retries of many nodes hitting the same
// failure so they do not all hammer the same thing in lockstep.

export interface BackoffOptions {
  /** First delay (default 1000 ms). */
  initialMs?: number;
  /** Cap on any delay, jitter included. */
  maxMs: number;
  /** Growth per failure (default 2). */
  factor?: number;
  /** Up to this fraction of the delay is added at random (default 0.1, as client-go's wait.Jitter). */
  jitter?: number;
  /** Uniform in [0, 1) (default Math.random); injected by tests. */
  random?: () => number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private failures = 0;

  constructor(opts: BackoffOptions) {
    this.initialMs = opts.initialMs ?? 1000;
    this.maxMs = opts.maxMs;
    this.factor = opts.factor ?? 2;
    this.jitter = opts.jitter ?? 0.1;
    this.random = opts.random ?? Math.random;
    if (!(this.initialMs > 0)) throw new Error(`backoff initialMs: got ${this.initialMs}, allowed: > 0`);
    if (!(this.maxMs >= this.initialMs)) throw new Error(`backoff maxMs: got ${this.maxMs}, allowed: >= initialMs (${this.initialMs})`);
    if (!(this.factor >= 1)) throw new Error(`backoff factor: got ${this.factor}, allowed: >= 1`);
    if (!(this.jitter >= 0)) throw new Error(`backoff jitter: got ${this.jitter}, allowed: >= 0`);
  }

  /** The delay before the next attempt, after one more failure. */
  next(): number {
    // Exponent capped so the base cannot overflow to Infinity after very many failures.
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** Math.min(this.failures, 64));
    this.failures++;
    const delay = base * (1 + this.jitter * this.random());
    return Math.min(this.maxMs, Math.round(delay));
  }

  /** After a success: the next failure starts again from initialMs. */
  reset(): void {
    this.failures = 0;
  }

  /** Consecutive failures since the last reset. */
  get attempts(): number {
    return this.failures;
  }
}
