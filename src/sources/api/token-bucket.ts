// The client-side rate limit on API requests (--kube-api-qps, --kube-api-burst), as client-go's token
// bucket: it starts full with `burst` tokens and refills at `qps` per second. Every request (each list
// page and each watch start) takes one token, so a relist storm after an outage cannot flood the server.
//
// Waiters are served in arrival order: a take() reserves its token immediately (the balance may go
// negative) and sleeps until that token would have been refilled, like golang.org/x/time/rate's Reserve.

/** client-go's defaults when the configuration says 0. */
export const DEFAULT_QPS = 5;
export const DEFAULT_BURST = 10;

export interface TokenBucketOptions {
  /** Tokens per second; 0 means the default (5); negative disables the limit (as client-go). */
  qps: number;
  /** Bucket size; 0 means the default (10). */
  burst: number;
  now?: () => number;
  /** Waits `ms` or until `signal` aborts (rejects then). Injected by tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private tokens: number;
  private last: number;

  constructor(opts: TokenBucketOptions) {
    if (!Number.isFinite(opts.qps)) throw new Error(`kube-api-qps: got ${opts.qps}, allowed: a finite number`);
    if (!Number.isInteger(opts.burst) || opts.burst < 0) throw new Error(`kube-api-burst: got ${opts.burst}, allowed: an integer >= 0`);
    this.qps = opts.qps === 0 ? DEFAULT_QPS : opts.qps;
    this.burst = opts.burst === 0 ? DEFAULT_BURST : opts.burst;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? abortableSleep;
    this.tokens = this.burst;
    this.last = this.now();
  }

  get unlimited(): boolean {
    return this.qps < 0;
  }

  /** Takes one token; returns how long the caller must wait before using it (0: go now). */
  reserve(): number {
    if (this.unlimited) return 0;
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  /** Waits for one token. If `signal` aborts while waiting, the token is given back and this rejects. */
  async take(signal?: AbortSignal): Promise<void> {
    const wait = this.reserve();
    if (wait === 0) return;
    try {
      await this.sleep(wait, signal);
    } catch (e) {
      this.tokens += 1;
      throw e;
    }
  }
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
