// The per-listener choice of backend, shared by the TCP and UDP proxies: source-range check, ClientIP
// affinity, then the scheduler. It lives as long as the listener so the scheduler's state (rr rotation,
// mh table) and the affinity entries survive endpoint updates.

import { BlockList, isIP } from 'node:net';
import type { SessionAffinity } from '../../model/types.js';
import { ClientIPAffinity } from '../../schedulers/affinity.js';
import { ConnectionCounter } from '../../schedulers/connection-counts.js';
import { createScheduler } from '../../schedulers/registry.js';
import { resolveScheduler, schedulerWarning } from '../../schedulers/scheduler-table.js';
import type { Backend, Scheduler } from '../../schedulers/types.js';
import type { ListenerSpec } from './listener-table.js';

/** Affinity entries are swept at most this often; lookups already ignore expired ones. */
const AFFINITY_SWEEP_MS = 10_000;

export class BackendPicker {
  readonly counts: ConnectionCounter;
  private scheduler: Scheduler;
  private schedulerName: string;
  private affinity: ClientIPAffinity | undefined;
  private affinityKey = 'None';
  private backends = new Map<string, Backend>();
  private allowed: BlockList | undefined;
  private lastSweep: number;
  private readonly destinationIP: string;

  /** `onFallback` hears about a scheduler userspace does not run as asked (see the scheduler table). */
  constructor(
    spec: ListenerSpec,
    private readonly now: () => number,
    private readonly onFallback: (message: string) => void = () => undefined,
  ) {
    this.counts = new ConnectionCounter({ now });
    this.destinationIP = spec.address;
    this.schedulerName = spec.scheduler;
    this.scheduler = this.makeScheduler(spec);
    this.lastSweep = now();
    this.update(spec);
  }

  /** Take the listener's new backends; returns the ids that went away (their traffic must drain). */
  update(spec: ListenerSpec): string[] {
    if (spec.scheduler !== this.schedulerName) {
      this.schedulerName = spec.scheduler;
      this.scheduler = this.makeScheduler(spec);
    }
    this.updateAffinity(spec.affinity);
    this.allowed = spec.sourceRanges.length > 0 ? blockListOf(spec.sourceRanges) : undefined;
    const next = new Map(spec.backends.map((b) => [b.id, b]));
    const removed = [...this.backends.keys()].filter((id) => !next.has(id));
    this.backends = next;
    this.scheduler.update(spec.backends);
    for (const id of removed) this.affinity?.forget(id);
    return removed;
  }

  has(backendId: string): boolean {
    return this.backends.has(backendId);
  }

  get size(): number {
    return this.backends.size;
  }

  /** loadBalancerSourceRanges: false when the client may not use this listener. */
  admits(clientIP: string): boolean {
    if (!this.allowed) return true;
    const ip = unmapped(clientIP);
    return this.allowed.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
  }

  /** The backend for a new connection or flow, avoiding `exclude` (backends that already failed it). */
  pick(clientIP: string, clientPort: number, exclude: ReadonlySet<string> = new Set()): Backend | undefined {
    const client = unmapped(clientIP);
    this.sweepAffinity();
    const sticky = this.affinity?.lookup(client);
    if (sticky && !exclude.has(sticky)) {
      const b = this.backends.get(sticky);
      if (b) return b;
    }
    const chosen = this.scheduler.pick({ clientIP: client, clientPort, destinationIP: this.destinationIP });
    if (chosen && !exclude.has(chosen.id)) return chosen;
    // Hashing schedulers keep answering the same backend; walk on to one not tried yet.
    for (const b of this.backends.values()) if (!exclude.has(b.id) && b.weight > 0) return b;
    return undefined;
  }

  /** The connection to `backendId` worked: affinity sticks the client to it. */
  chosen(clientIP: string, backendId: string): void {
    this.affinity?.record(unmapped(clientIP), backendId);
  }

  /** The plugin the scheduler table's userspace column names; a fallback or unknown name is warned. */
  private makeScheduler(spec: ListenerSpec): Scheduler {
    const choice = resolveScheduler('userspace', spec.scheduler);
    const warning = schedulerWarning('userspace', spec.servicePort, choice);
    if (warning) this.onFallback(warning);
    return createScheduler(choice.meaning.runs, this.counts);
  }

  private updateAffinity(a: SessionAffinity): void {
    const key = a.type === 'ClientIP' ? `ClientIP/${a.timeoutSeconds}` : 'None';
    if (key === this.affinityKey) return;
    this.affinityKey = key;
    // Upstream's default (3 h) stands in for a timeout the API would have defaulted anyway.
    const seconds = a.type === 'ClientIP' && a.timeoutSeconds > 0 ? a.timeoutSeconds : 10_800;
    this.affinity = a.type === 'ClientIP' ? new ClientIPAffinity(seconds, this.now) : undefined;
  }

  private sweepAffinity(): void {
    if (!this.affinity || this.now() - this.lastSweep < AFFINITY_SWEEP_MS) return;
    this.lastSweep = this.now();
    this.affinity.sweep();
  }
}

/** loadBalancerSourceRanges as a BlockList (also what the userspace tracer admits by). */
export function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [ip = '', bits = ''] = cidr.split('/');
    const v = isIP(ip);
    if (v === 0) continue; // the model validated these; an odd one simply admits nobody extra
    list.addSubnet(ip, bits === '' ? (v === 4 ? 32 : 128) : Number(bits), v === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/** A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; affinity and ranges want a.b.c.d. */
export function unmapped(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}
