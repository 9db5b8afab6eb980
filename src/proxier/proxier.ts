// The Proxier joins the shared front half to one data plane: the model tells it something changed, the
// bounded-frequency runner decides when to sync, and each sync is snapshot → render → apply. It owns the
// bookkeeping every mode shares (full vs partial, retry after failure, stale UDP conntrack entries,
// metrics, health), so the modes stay pure renderers and executors (the contract: dataplane/types.ts).

import type { ApplyResult, DataPlane, SyncInput } from '../dataplane/types.js';
import type { ServiceModel } from '../model/service-model.js';
import type { Snapshot } from '../model/types.js';
import type { Logger } from '../observability/logger.js';
import type { ProxyMetrics } from '../observability/metrics.js';
import type { ProxyHealth } from '../health/proxy-health.js';
import { BoundedFrequencyRunner } from '../runner/bounded-frequency-runner.js';
import { Backoff } from '../runner/backoff.js';
import { noLocalEndpointCounts } from './no-local-endpoints.js';
import { PortQuarantine, type HeldPort } from './port-quarantine.js';

export interface ProxierOptions {
  model: ServiceModel;
  dataPlane: DataPlane;
  /** Names of the sources that must have synced before anything is programmed. */
  sources: readonly string[];
  syncPeriodMs: number;
  minSyncPeriodMs: number;
  logger: Logger;
  metrics: ProxyMetrics;
  health: ProxyHealth;
  /** Health-check node port servers for externalTrafficPolicy Local, updated after each successful sync. */
  serviceHealth?: { sync(snapshot: Snapshot): Promise<void> };
  /** Told after each successful apply what is now in force (`kproxy status` reads it through /status). */
  onApplied?: (snapshot: Snapshot, atMs: number) => void;
  now?: () => number;
}

/** Upstream's full-sync period (an hour): however slow, a full sync comes at least this often. */
const FULL_SYNC_INTERVAL_CAP_MS = 3_600_000;

export class Proxier {
  private readonly runner: BoundedFrequencyRunner;
  private readonly now: () => number;
  /** Snapshot of the last successful apply; undefined forces the next sync to be full. */
  private lastApplied: Snapshot | undefined;
  /** Snapshot of the last successful apply, kept across failures: what held-back ports fall back to. */
  private lastGood: Snapshot | undefined;
  /** Service port versions a tool refused, held back so the others are applied. */
  private readonly quarantine = new PortQuarantine();
  /** When the last full sync ended, and how long it took (the next one is due fullSyncInterval() after that end). */
  private lastFullSyncEnd = 0;
  private lastFullSyncMs = 0;
  private syncs = 0;
  private stopMonitor: (() => void) | undefined;
  /** Warnings of the last apply: each is logged when it first appears, not on every sync. */
  private warnings = new Set<string>();

  constructor(private readonly opts: ProxierOptions) {
    this.now = opts.now ?? Date.now;
    this.runner = new BoundedFrequencyRunner({
      name: 'sync-runner',
      fn: () => this.sync(),
      minIntervalMs: opts.minSyncPeriodMs,
      maxIntervalMs: opts.syncPeriodMs,
      burst: 2,
      // A failed sync is retried after 1 s, doubling up to syncPeriod (the periodic resync caps it anyway).
      retryBackoff: new Backoff({ initialMs: 1000, maxMs: Math.max(1000, opts.syncPeriodMs) }),
      onError: (err) => {
        // The executor left the previous program in force; the retry rewrites everything.
        this.lastApplied = undefined;
        opts.metrics.syncFailuresTotal.inc();
        opts.logger.error('Failed to sync proxy rules, will retry', { err: err instanceof Error ? err.message : String(err) });
      },
    });
    opts.model.onChange(() => {
      opts.health.queued();
      opts.health.setNodeTerminating(opts.model.node().terminating);
      opts.metrics.syncProxyRulesLastQueuedTimestamp.set(this.now() / 1000);
      opts.metrics.serviceChangesPending.set(opts.model.pendingServiceChanges());
      opts.metrics.endpointChangesPending.set(opts.model.pendingEndpointChanges());
      if (this.isReady()) this.runner.run();
    });
  }

  /** Number of successful syncs so far (for tests and --init-only). */
  get completedSyncs(): number {
    return this.syncs;
  }

  start(): void {
    // Upstream checks its canary every max(syncPeriod, 1 min); damage forces the next sync to be full.
    this.stopMonitor = this.opts.dataPlane.executor.monitor?.(Math.max(this.opts.syncPeriodMs, 60_000), () => {
      this.opts.logger.info('Proxy rules were changed by someone else, resyncing everything');
      this.lastApplied = undefined;
      this.runner.run();
    });
    this.runner.start();
    if (this.isReady()) this.runner.run();
  }

  async stop(): Promise<void> {
    this.stopMonitor?.();
    await this.runner.stop();
  }

  /** Ask for a sync now (a source finished its initial sync, or an operator asked). */
  requestSync(): void {
    if (this.isReady()) this.runner.run();
  }

  private isReady(): boolean {
    return this.opts.model.isSynced(this.opts.sources);
  }

  /** One sync: snapshot → render → apply. Throwing makes the runner retry after a backoff (onError). */
  async sync(): Promise<void> {
    const { model, dataPlane, metrics, health, logger } = this.opts;
    if (!this.isReady()) {
      logger.v(2).info('Not syncing rules until Services and Endpoints have been received from the source');
      return;
    }
    const start = this.now();
    let full = this.lastApplied === undefined || start - this.lastFullSyncEnd >= this.fullSyncInterval();
    metrics.serviceChangesTotal.inc(model.pendingServiceChanges());
    metrics.endpointChangesTotal.inc(model.pendingEndpointChanges());
    const filtered = this.quarantine.filter(model.buildSnapshot(), this.lastGood);
    for (const ref of filtered.released) logger.info('Service port changed since a tool refused it, applying it again', { servicePort: ref.key, family: ref.family });
    let snapshot = filtered.snapshot;
    metrics.serviceChangesPending.set(0);
    metrics.endpointChangesPending.set(0);
    const input: SyncInput = { snapshot, previous: full ? undefined : this.lastApplied, full };
    this.lastApplied = undefined; // until this apply succeeds
    let result: ApplyResult;
    try {
      result = await dataPlane.executor.apply(dataPlane.renderer.render(input), input);
    } catch (err) {
      const isolated = await this.isolateFailedPorts(snapshot, err as Error);
      if (!isolated) throw err;
      ({ snapshot, result } = isolated);
      full = true;
    }
    await this.clearStaleConntrack(snapshot);
    for (const w of result.warnings) if (!this.warnings.has(w)) logger.warn(w);
    this.warnings = new Set(result.warnings);
    const end = this.now();
    const seconds = (end - start) / 1000;
    metrics.syncProxyRulesDuration.observe(seconds);
    (full ? metrics.syncFullProxyRulesDuration : metrics.syncPartialProxyRulesDuration).observe(seconds);
    metrics.syncProxyRulesLastTimestamp.set(end / 1000);
    for (const t of snapshot.triggerTimes.values()) metrics.networkProgrammingDuration.observe(Math.max(0, end - t) / 1000);
    for (const family of metrics.ipFamilies()) {
      const counts = noLocalEndpointCounts(snapshot.families[family]);
      const gauge = metrics.noLocalEndpointsTotal.forFamily(family);
      gauge.labels({ traffic_policy: 'internal' }).set(counts.internal);
      gauge.labels({ traffic_policy: 'external' }).set(counts.external);
    }
    health.updated();
    await this.opts.serviceHealth?.sync(snapshot).catch((err: Error) => logger.error('Failed to update health-check node port servers', { err: err.message }));
    if (full) {
      this.lastFullSyncEnd = end;
      this.lastFullSyncMs = end - start;
    }
    this.lastApplied = snapshot;
    this.lastGood = snapshot;
    this.syncs++;
    this.opts.onApplied?.(snapshot, end);
    logger.v(2).info('SyncProxyRules complete', { elapsed: `${end - start}ms`, full, changed: snapshot.changed.size });
  }

  /**
   * How long after the end of the last full sync the next periodic one is due: syncPeriod, or ten times
   * that sync's own duration when that is longer. A full rewrite that takes longer than syncPeriod (40 s
   * for 30,000 Services in iptables mode) would otherwise follow itself back to back, and every change
   * would wait behind one; capped, full syncs take at most a tenth of the time and changes go in partial
   * syncs between them. Upstream does full syncs only hourly (repairs wait for its canary); kproxy keeps
   * checking every syncPeriod where that costs little, and at least hourly.
   */
  private fullSyncInterval(): number {
    return Math.max(this.opts.syncPeriodMs, Math.min(10 * this.lastFullSyncMs, FULL_SYNC_INTERVAL_CAP_MS));
  }

  /** After a successful apply: the UDP conntrack entries it made stale go, in every kernel mode. */
  private async clearStaleConntrack(snapshot: Snapshot): Promise<void> {
    const cleaner = this.opts.dataPlane.conntrack;
    if (!cleaner || snapshot.staleUDP.size === 0) return;
    // A failure costs a client a few more datagrams sent to a dead endpoint, not the sync: log and go on.
    const failures = await cleaner.clearStaleUDP(snapshot, this.lastGood).catch((err: Error) => [err.message]);
    for (const f of failures) this.opts.logger.error('Failed to delete stale UDP conntrack entries', { err: f });
  }

  /**
   * A failed apply: finds the service ports whose new versions the tool refuses, holds them back with an
   * error naming each, and applies the rest (see port-quarantine.ts). Undefined when no port is to blame.
   */
  private async isolateFailedPorts(snapshot: Snapshot, failure: Error): Promise<{ snapshot: Snapshot; result: ApplyResult } | undefined> {
    const { dataPlane, logger, metrics } = this.opts;
    logger.error('Failed to apply proxy rules, looking for the service ports responsible', { err: failure.message });
    metrics.syncFailuresTotal.inc();
    let lastOk: { snapshot: Snapshot; result: ApplyResult } | undefined;
    const isolation = await this.quarantine.isolate(snapshot, this.lastGood, failure, async (candidate) => {
      const input: SyncInput = { snapshot: candidate, previous: undefined, full: true };
      try {
        lastOk = { snapshot: candidate, result: await dataPlane.executor.apply(dataPlane.renderer.render(input), input) };
        return undefined;
      } catch (err) {
        return err as Error;
      }
    });
    if (!isolation || lastOk?.snapshot !== isolation.applied) return undefined;
    for (const held of isolation.held) logger.error(heldPortMessage(held), { err: held.reason });
    return lastOk;
  }
}

function heldPortMessage(held: HeldPort): string {
  const { namespace, name, portName } = held.port;
  const what = `Service ${namespace}/${name} port ${portName === '' ? '(unnamed)' : JSON.stringify(portName)} (${held.family})`;
  const instead = held.keptOlder ? 'its last applied version stays in force' : 'it is not served';
  if (!held.tried) return `${what} was left out of the rules while others were tried; ${instead} until the next sync tries it`;
  return `${what} was refused by the proxy tool and left out of the rules; ${instead} until the Service or its endpoints change`;
}
