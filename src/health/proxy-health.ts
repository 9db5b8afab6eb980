// kube-proxy's health state (pkg/proxy/healthcheck ProxyHealthServer): a proxier of an IP family is
// unhealthy when an update was queued and not applied within healthTimeout (kube-proxy uses 2 ×
// syncPeriod). /livez reports only that; /healthz also fails while the node is being deleted or carries
// the cluster autoscaler's ToBeDeleted taint (KEP-3836), so load balancers drain the node first.

import type { IPFamily } from '../model/types.js';

/** The taint the cluster autoscaler puts on a node it is about to delete. */
export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

export interface ProxierHealthBody {
  lastUpdated: string;
  healthy: boolean;
}

/** The JSON body upstream writes (encoding/json of its ProxyHealth struct). */
export interface ProxyHealthBody {
  lastUpdated: string;
  currentTime: string;
  nodeEligible?: boolean;
  healthy: boolean;
  status?: Partial<Record<IPFamily, ProxierHealthBody>>;
}

export interface HealthResult {
  healthy: boolean;
  body: ProxyHealthBody;
}

export interface ProxyHealthOptions {
  healthTimeoutMs: number;
  now?: () => number;
}

export class ProxyHealth {
  private readonly healthTimeoutMs: number;
  private readonly now: () => number;
  private readonly lastUpdated = new Map<IPFamily, number>();
  private readonly oldestPendingQueued = new Map<IPFamily, number>();
  private nodeEligible = true;

  constructor(opts: ProxyHealthOptions) {
    if (!(opts.healthTimeoutMs > 0)) throw new Error(`healthTimeoutMs: got ${opts.healthTimeoutMs}, allowed: a number > 0`);
    this.healthTimeoutMs = opts.healthTimeoutMs;
    this.now = opts.now ?? Date.now;
  }

  /** A change arrived that the proxier of `family` has not applied yet; the oldest such change counts. */
  queued(family: IPFamily = 'IPv4'): void {
    if (!this.oldestPendingQueued.has(family)) this.oldestPendingQueued.set(family, this.now());
  }

  /** The proxier of `family` applied everything queued so far. */
  updated(family: IPFamily = 'IPv4'): void {
    this.oldestPendingQueued.delete(family);
    this.lastUpdated.set(family, this.now());
  }

  /** The node is being deleted or tainted ToBeDeletedByClusterAutoscaler (or no longer is). */
  setNodeTerminating(terminating: boolean): void {
    this.nodeEligible = !terminating;
  }

  /** The proxiers' health without the node's eligibility: what /livez reports. */
  live(): HealthResult {
    const now = this.now();
    const status: Partial<Record<IPFamily, ProxierHealthBody>> = {};
    let healthy = true;
    let latest = 0;
    // As upstream, only families that have synced at least once are judged: before its first sync a
    // proxier counts as starting up, and healthy.
    for (const [family, updatedAt] of this.lastUpdated) {
      latest = Math.max(latest, updatedAt);
      const queuedAt = this.oldestPendingQueued.get(family);
      const late = queuedAt !== undefined && now - queuedAt >= this.healthTimeoutMs;
      if (late) healthy = false;
      status[family] = { lastUpdated: goTime(updatedAt), healthy: !late };
    }
    // A healthy answer reports lastUpdated = now, as older kube-proxy releases did.
    const body: ProxyHealthBody = { lastUpdated: goTime(healthy ? now : latest), currentTime: goTime(now), healthy };
    if (Object.keys(status).length > 0) body.status = status;
    return { healthy, body };
  }

  /** What /healthz reports: the proxiers' health and the node's eligibility. */
  health(): HealthResult {
    const live = this.live();
    const healthy = live.healthy && this.nodeEligible;
    const { lastUpdated, currentTime, status } = live.body;
    const body: ProxyHealthBody = { lastUpdated, currentTime, nodeEligible: this.nodeEligible, healthy: live.healthy };
    if (status) body.status = status;
    if (!healthy && live.healthy) body.lastUpdated = this.latestUpdate();
    return { healthy, body };
  }

  private latestUpdate(): string {
    return goTime(Math.max(0, ...this.lastUpdated.values()));
  }
}

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** A time as Go's encoding/json writes time.Time (RFC 3339, trailing fraction zeros dropped; 0 = zero time). */
export function goTime(ms: number): string {
  if (ms === 0) return GO_ZERO_TIME;
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}
