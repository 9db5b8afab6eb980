// Connection counts per backend, kept by the data plane and read by lc, wlc, sed and nq. IPVS counts a
// connection as active while established and as inactive while it lingers afterwards (TIME_WAIT and the
// like, two minutes by default for TCP); a proxy never sees those states, so a closed connection stays
// "inactive" for lingerMs instead. Without that, lc would send every short sequential connection to the
// first backend, since all would show zero active connections.
//
// Lingering closes are kept in one-second groups per backend, so memory is bounded by lingerMs/1000
// groups per backend however many connections close, and backends with nothing left are dropped.
import type { ConnectionCounts } from './types.js';

const GROUP_MS = 1000;
/** IPVS's default TCP TIME_WAIT timeout. */
export const DEFAULT_LINGER_MS = 120_000;

interface LingeringGroup {
  readonly until: number;
  count: number;
}

interface BackendCounts {
  active: number;
  inactive: number;
  readonly lingering: LingeringGroup[];
}

export interface ConnectionCounterOptions {
  /** Milliseconds; Date.now by default. */
  now?: () => number;
  /** How long a closed connection still counts as inactive; 0 turns inactive counting off. */
  lingerMs?: number;
}

export class ConnectionCounter implements ConnectionCounts {
  private readonly backends = new Map<string, BackendCounts>();
  private readonly now: () => number;
  private readonly lingerMs: number;
  private lastSweep: number;

  constructor(options: ConnectionCounterOptions = {}) {
    this.now = options.now ?? Date.now;
    this.lingerMs = options.lingerMs ?? DEFAULT_LINGER_MS;
    if (!Number.isFinite(this.lingerMs) || this.lingerMs < 0) {
      throw new RangeError(`ConnectionCounter lingerMs: got ${this.lingerMs}, must be a number >= 0`);
    }
    this.lastSweep = this.now();
  }

  opened(id: string): void {
    const counts = this.backends.get(id) ?? { active: 0, inactive: 0, lingering: [] };
    counts.active++;
    this.backends.set(id, counts);
  }

  /** A close without a matching open is ignored rather than driving the count negative. */
  closed(id: string): void {
    const counts = this.backends.get(id);
    if (counts === undefined || counts.active === 0) return;
    counts.active--;
    const now = this.now();
    if (this.lingerMs > 0) this.linger(counts, now + this.lingerMs);
    this.expire(id, counts, now);
    // Backends nobody asks about any more would otherwise keep their groups forever.
    if (now - this.lastSweep >= Math.max(this.lingerMs, GROUP_MS)) this.sweep(now);
  }

  active(id: string): number {
    return this.backends.get(id)?.active ?? 0;
  }

  inactive(id: string): number {
    const counts = this.backends.get(id);
    if (counts === undefined) return 0;
    this.expire(id, counts, this.now());
    return counts.inactive;
  }

  private linger(counts: BackendCounts, until: number): void {
    const last = counts.lingering[counts.lingering.length - 1];
    if (last !== undefined && until - last.until < GROUP_MS) last.count++;
    else counts.lingering.push({ until, count: 1 });
    counts.inactive++;
  }

  private expire(id: string, counts: BackendCounts, now: number): void {
    while (counts.lingering.length > 0 && counts.lingering[0]!.until <= now) {
      counts.inactive -= counts.lingering.shift()!.count;
    }
    if (counts.active === 0 && counts.inactive === 0) this.backends.delete(id);
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [id, counts] of this.backends) this.expire(id, counts, now);
  }
}
