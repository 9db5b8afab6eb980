// ClientIP session affinity for the userspace data plane, shared by every scheduler: a client that was
// sent to a backend keeps going there until it has been idle for timeoutSeconds. As with IPVS persistence
// (and kube-proxy's userspace affinity), every use restarts the timeout.
//
// Entries live in a Map kept in order of last use (an entry is re-inserted whenever it is used), so the
// expired ones are always at the front and sweep() stops at the first live one: amortised O(1) per
// record(), and memory bounded by the clients seen within one timeout.

interface AffinityEntry {
  readonly backendId: string;
  expiresAt: number;
}

export class ClientIPAffinity {
  private readonly entries = new Map<string, AffinityEntry>();
  private readonly timeoutMs: number;

  /** `now` returns milliseconds (Date.now in production, a fake clock in tests). */
  constructor(timeoutSeconds: number, private readonly now: () => number) {
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
      throw new RangeError(`ClientIP affinity timeoutSeconds: got ${timeoutSeconds}, must be a number above 0`);
    }
    this.timeoutMs = timeoutSeconds * 1000;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The backend id this client is bound to, if the binding is still live; using it refreshes it. */
  lookup(clientIP: string): string | undefined {
    const entry = this.entries.get(clientIP);
    if (entry === undefined) return undefined;
    const now = this.now();
    this.entries.delete(clientIP);
    if (entry.expiresAt <= now) return undefined;
    entry.expiresAt = now + this.timeoutMs;
    this.entries.set(clientIP, entry);
    return entry.backendId;
  }

  record(clientIP: string, backendId: string): void {
    this.entries.delete(clientIP);
    this.entries.set(clientIP, { backendId, expiresAt: this.now() + this.timeoutMs });
    this.sweep();
  }

  /** A backend left (or drains): its clients must be scheduled afresh. */
  forget(backendId: string): void {
    for (const [clientIP, entry] of this.entries) {
      if (entry.backendId === backendId) this.entries.delete(clientIP);
    }
  }

  sweep(): void {
    const now = this.now();
    for (const [clientIP, entry] of this.entries) {
      if (entry.expiresAt > now) return;
      this.entries.delete(clientIP);
    }
  }
}
