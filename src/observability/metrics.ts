// kube-proxy's metrics (pkg/proxy/metrics) under their upstream names, help texts, types, labels and
// bucket layouts, plus the process_* metrics and a few kproxy-only ones prefixed kproxy_. As upstream,
// mode-specific metrics are registered only for their mode; without a mode, everything is registered.
// Label sets are those of kube-proxy 1.33+, which labels the sync metrics by ip_family
// (ip-family-metrics.ts says how kproxy, one proxier for both families, fills that label).

import type { ProxyMode } from '../dataplane/types.js';
import type { IPFamily } from '../model/types.js';
import { FamilyMetrics, ServedFamilies, type PerFamily } from './ip-family-metrics.js';
import { registerProcessMetrics } from './process-metrics.js';
import { EXPOSITION_CONTENT_TYPE, Registry, type Counter, type Gauge, type Histogram } from './prometheus.js';

export interface ProxyMetrics {
  readonly registry: Registry;
  syncProxyRulesDuration: PerFamily<Histogram>;
  syncFullProxyRulesDuration: PerFamily<Histogram>;
  syncPartialProxyRulesDuration: PerFamily<Histogram>;
  networkProgrammingDuration: PerFamily<Histogram>;
  syncProxyRulesLastTimestamp: PerFamily<Gauge>;
  syncProxyRulesLastQueuedTimestamp: PerFamily<Gauge>;
  endpointChangesPending: Gauge;
  endpointChangesTotal: Counter;
  serviceChangesPending: Gauge;
  serviceChangesTotal: Counter;
  noLocalEndpointsTotal: PerFamily<Gauge<'traffic_policy'>>;
  proxyHealthzTotal: Counter<'code'>;
  proxyLivezTotal: Counter<'code'>;
  conntrackReconcilerSyncDuration: PerFamily<Histogram>;
  conntrackReconcilerDeletedEntriesTotal: PerFamily<Counter>;
  iptablesRestoreFailuresTotal: PerFamily<Counter>;
  iptablesPartialRestoreFailuresTotal: PerFamily<Counter>;
  iptablesRulesTotal: PerFamily<Gauge<'table'>>;
  iptablesRulesLastSync: PerFamily<Gauge<'table'>>;
  /** Upstream reads these from nfacct at scrape time; here the iptables mode adds the deltas it reads. */
  iptablesCTStateInvalidDroppedPacketsTotal: Counter;
  iptablesLocalhostNodePortsAcceptedPacketsTotal: Counter;
  nftablesSyncFailuresTotal: PerFamily<Counter>;
  nftablesCleanupFailuresTotal: PerFamily<Counter>;
  /** kproxy-only: rejected input objects by InputError code. */
  inputErrorsTotal: Counter<'kind'>;
  /** kproxy-only: failed syncs of any mode (the runner retries them with backoff). */
  syncFailuresTotal: Counter;
  /** kproxy-only: repairs of kernel rules someone else changed, by mode and what was found (src/dataplane/rule-repairs.ts). */
  syncRepairsTotal: Counter<'mode' | 'reason'>;
  /** kproxy-only: userspace mode connections accepted / open, by protocol. */
  userspaceConnectionsTotal: Counter<'protocol'>;
  userspaceActiveConnections: Gauge<'protocol'>;
  /** The families the node serves (IPv4 until told): where family-wide values are written. */
  setIPFamilies(families: readonly IPFamily[]): void;
  /** The families set there (IPv4 until then): the ones upstream would run a proxier for. */
  ipFamilies(): readonly IPFamily[];
  /** The text exposition, and its content type. */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface ProxyMetricsOptions {
  mode?: ProxyMode;
}

/** prometheus.ExponentialBuckets(start, factor, count). */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start * factor ** i);
}

/** prometheus.LinearBuckets(start, width, count). */
export function linearBuckets(start: number, width: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + width * i);
}

// Upstream merges these ranges after a leading 0 bucket, so le="0" is part of the layout.
const NETWORK_PROGRAMMING_BUCKETS = [
  0,
  ...linearBuckets(0.25, 0.25, 2),
  ...linearBuckets(1, 1, 59),
  ...linearBuckets(60, 5, 12),
  ...linearBuckets(120, 30, 7),
];
const SYNC_BUCKETS = exponentialBuckets(0.001, 2, 15);
const P = 'kubeproxy_';

export function createProxyMetrics(opts: ProxyMetricsOptions = {}): ProxyMetrics {
  const registry = new Registry();
  // Metrics of modes other than opts.mode live in a throwaway registry: handles always work, nothing renders.
  const unused = new Registry();
  const only = (...modes: ProxyMode[]): Registry => (opts.mode === undefined || modes.includes(opts.mode) ? registry : unused);
  const served = new ServedFamilies();
  const byFamily = new FamilyMetrics(served);
  const syncHistogram = (r: Registry, name: string, help: string): PerFamily<Histogram> =>
    byFamily.histogram(r, { name: P + name, help, buckets: SYNC_BUCKETS });

  const metrics: Omit<ProxyMetrics, 'render' | 'setIPFamilies' | 'ipFamilies' | 'contentType'> = {
    registry,
    syncProxyRulesDuration: syncHistogram(registry, 'sync_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds'),
    syncFullProxyRulesDuration: syncHistogram(only('iptables'), 'sync_full_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds for full resyncs'),
    syncPartialProxyRulesDuration: syncHistogram(only('iptables'), 'sync_partial_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds for partial resyncs'),
    networkProgrammingDuration: byFamily.histogram(registry, {
      name: `${P}network_programming_duration_seconds`,
      help: 'In Cluster Network Programming Latency in seconds',
      buckets: NETWORK_PROGRAMMING_BUCKETS
    }),
    syncProxyRulesLastTimestamp: byFamily.gauge(registry, { name: `${P}sync_proxy_rules_last_timestamp_seconds`, help: 'The last time proxy rules were successfully synced' }),
    syncProxyRulesLastQueuedTimestamp: byFamily.gauge(registry, { name: `${P}sync_proxy_rules_last_queued_timestamp_seconds`, help: 'The last time a sync of proxy rules was queued' }),
    endpointChangesPending: registry.gauge({ name: `${P}sync_proxy_rules_endpoint_changes_pending`, help: 'Pending proxy rules Endpoint changes' }),
    endpointChangesTotal: registry.counter({ name: `${P}sync_proxy_rules_endpoint_changes_total`, help: 'Cumulative proxy rules Endpoint changes' }),
    serviceChangesPending: registry.gauge({ name: `${P}sync_proxy_rules_service_changes_pending`, help: 'Pending proxy rules Service changes' }),
    serviceChangesTotal: registry.counter({ name: `${P}sync_proxy_rules_service_changes_total`, help: 'Cumulative proxy rules Service changes' }),
    noLocalEndpointsTotal: byFamily.gauge(registry, {
      name: `${P}sync_proxy_rules_no_local_endpoints_total`,
      help: 'Number of services with a Local traffic policy and no endpoints',
      labelNames: ['traffic_policy'],
    }),
    proxyHealthzTotal: registry.counter({ name: `${P}proxy_healthz_total`, help: 'Cumulative proxy healthz HTTP status', labelNames: ['code'] }),
    proxyLivezTotal: registry.counter({ name: `${P}proxy_livez_total`, help: 'Cumulative proxy livez HTTP status', labelNames: ['code'] }),
    conntrackReconcilerSyncDuration: syncHistogram(registry, 'conntrack_reconciler_sync_duration_seconds', 'ReconcileConntrackFlowsLatency latency in seconds'),
    conntrackReconcilerDeletedEntriesTotal: byFamily.counter(registry, {
      name: `${P}conntrack_reconciler_deleted_entries_total`,
      help: 'Cumulative conntrack flows deleted by conntrack reconciler'
    }),
    iptablesRestoreFailuresTotal: byFamily.counter(only('iptables', 'ipvs'), { name: `${P}sync_proxy_rules_iptables_restore_failures_total`, help: 'Cumulative proxy iptables restore failures' }),
    iptablesPartialRestoreFailuresTotal: byFamily.counter(only('iptables'), {
      name: `${P}sync_proxy_rules_iptables_partial_restore_failures_total`,
      help: 'Cumulative proxy iptables partial restore failures'
    }),
    iptablesRulesTotal: byFamily.gauge(only('iptables'), { name: `${P}sync_proxy_rules_iptables_total`, help: 'Total number of iptables rules owned by kube-proxy', labelNames: ['table'] }),
    iptablesRulesLastSync: byFamily.gauge(only('iptables'), { name: `${P}sync_proxy_rules_iptables_last`, help: 'Number of iptables rules written by kube-proxy in last sync', labelNames: ['table'] }),
    iptablesCTStateInvalidDroppedPacketsTotal: only('iptables').counter({ name: `${P}iptables_ct_state_invalid_dropped_packets_total`, help: 'packets dropped by iptables to work around conntrack problems' }),
    iptablesLocalhostNodePortsAcceptedPacketsTotal: only('iptables').counter({ name: `${P}iptables_localhost_nodeports_accepted_packets_total`, help: 'Number of packets accepted on nodeports of loopback interface' }),
    nftablesSyncFailuresTotal: byFamily.counter(only('nftables'), { name: `${P}sync_proxy_rules_nftables_sync_failures_total`, help: 'Cumulative proxy nftables sync failures' }),
    nftablesCleanupFailuresTotal: byFamily.counter(only('nftables'), { name: `${P}sync_proxy_rules_nftables_cleanup_failures_total`, help: 'Cumulative proxy nftables cleanup failures' }),
    inputErrorsTotal: registry.counter({ name: 'kproxy_input_errors_total', help: 'Input objects kproxy rejected, by error code', labelNames: ['kind'] }),
    syncFailuresTotal: registry.counter({ name: 'kproxy_sync_failures_total', help: 'Proxy rule syncs that failed and were retried' }),
    syncRepairsTotal: only('iptables', 'nftables', 'ipvs').counter({
      name: 'kproxy_sync_repairs_total',
      help: 'Syncs that found kernel rules changed by someone else and rewrote them, by mode and what was found missing',
      labelNames: ['mode', 'reason'],
    }),
    userspaceConnectionsTotal: only('userspace').counter({ name: 'kproxy_userspace_connections_total', help: 'Connections (TCP) or flows (UDP) the userspace proxy accepted', labelNames: ['protocol'] }),
    userspaceActiveConnections: only('userspace').gauge({ name: 'kproxy_userspace_active_connections', help: 'Connections (TCP) or flows (UDP) the userspace proxy has open', labelNames: ['protocol'] }),
  };
  registerProcessMetrics(registry.client);
  return {
    ...metrics,
    setIPFamilies: (families) => served.set(families),
    ipFamilies: () => served.get(),
    render: () => registry.render(),
    contentType: EXPOSITION_CONTENT_TYPE,
  };
}
