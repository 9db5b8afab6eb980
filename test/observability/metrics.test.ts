import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProxyMetrics } from '../../src/observability/metrics.js';

const UPSTREAM: Array<[string, string]> = [
  ['kubeproxy_sync_proxy_rules_duration_seconds', 'histogram'],
  ['kubeproxy_sync_full_proxy_rules_duration_seconds', 'histogram'],
  ['kubeproxy_sync_partial_proxy_rules_duration_seconds', 'histogram'],
  ['kubeproxy_network_programming_duration_seconds', 'histogram'],
  ['kubeproxy_sync_proxy_rules_last_timestamp_seconds', 'gauge'],
  ['kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds', 'gauge'],
  ['kubeproxy_sync_proxy_rules_endpoint_changes_pending', 'gauge'],
  ['kubeproxy_sync_proxy_rules_endpoint_changes_total', 'counter'],
  ['kubeproxy_sync_proxy_rules_service_changes_pending', 'gauge'],
  ['kubeproxy_sync_proxy_rules_service_changes_total', 'counter'],
  ['kubeproxy_sync_proxy_rules_no_local_endpoints_total', 'gauge'],
  ['kubeproxy_proxy_healthz_total', 'counter'],
  ['kubeproxy_proxy_livez_total', 'counter'],
  ['kubeproxy_sync_proxy_rules_iptables_restore_failures_total', 'counter'],
  ['kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total', 'counter'],
  ['kubeproxy_sync_proxy_rules_iptables_total', 'gauge'],
  ['kubeproxy_sync_proxy_rules_iptables_last', 'gauge'],
  ['kubeproxy_iptables_ct_state_invalid_dropped_packets_total', 'counter'],
  ['kubeproxy_iptables_localhost_nodeports_accepted_packets_total', 'counter'],
  ['kubeproxy_sync_proxy_rules_nftables_sync_failures_total', 'counter'],
  ['kubeproxy_sync_proxy_rules_nftables_cleanup_failures_total', 'counter'],
  ['kubeproxy_conntrack_reconciler_sync_duration_seconds', 'histogram'],
  ['kubeproxy_conntrack_reconciler_deleted_entries_total', 'counter'],
  ['process_start_time_seconds', 'gauge'],
  ['process_resident_memory_bytes', 'gauge'],
  ['process_cpu_seconds_total', 'counter'],
  ['process_virtual_memory_bytes', 'gauge'],
  ['process_open_fds', 'gauge'],
  ['process_max_fds', 'gauge'],
];

test('every upstream kube-proxy metric and the process metrics are rendered with their types', async () => {
  const text = await createProxyMetrics().render();
  for (const [name, type] of UPSTREAM) {
    assert.ok(text.includes(`\n# TYPE ${name} ${type}\n`) || text.startsWith(`# TYPE ${name} ${type}\n`), `${name} (${type}) missing`);
  }
});

test('upstream help texts and bucket layouts', async () => {
  const m = createProxyMetrics();
  m.syncProxyRulesDuration.observe(0.01);
  m.networkProgrammingDuration.observe(1);
  // prom-client writes le first in a bucket's labels (client_golang last); Prometheus reads either.
  const text = await m.render();
  assert.match(text, /# HELP kubeproxy_sync_proxy_rules_duration_seconds SyncProxyRules latency in seconds\n/);
  assert.match(text, /# HELP kubeproxy_network_programming_duration_seconds In Cluster Network Programming Latency in seconds\n/);
  const syncLe = [...text.matchAll(/kubeproxy_sync_proxy_rules_duration_seconds_bucket\{le="([^"]+)",ip_family="IPv4"\}/g)].map((x) => x[1]);
  assert.deepEqual(syncLe, ['0.001', '0.002', '0.004', '0.008', '0.016', '0.032', '0.064', '0.128', '0.256', '0.512', '1.024', '2.048', '4.096', '8.192', '16.384', '+Inf']);
  const npLe = [...text.matchAll(/kubeproxy_network_programming_duration_seconds_bucket\{le="([^"]+)",ip_family="IPv4"\}/g)].map((x) => x[1]);
  assert.equal(npLe.length, 1 + 2 + 59 + 12 + 7 + 1);
  assert.deepEqual(npLe.slice(0, 5), ['0', '0.25', '0.5', '1', '2']);
  assert.deepEqual(npLe.slice(-4), ['240', '270', '300', '+Inf']);
});

test('a mode registers only its own mode-specific metrics, as upstream', async () => {
  const nft = createProxyMetrics({ mode: 'nftables' });
  nft.iptablesRulesTotal.labels({ table: 'nat' }).set(3); // handle works, not rendered
  const text = await nft.render();
  assert.match(text, /kubeproxy_sync_proxy_rules_nftables_sync_failures_total/);
  assert.doesNotMatch(text, /iptables/);
  const ipvs = await createProxyMetrics({ mode: 'ipvs' }).render();
  assert.match(ipvs, /kubeproxy_sync_proxy_rules_iptables_restore_failures_total/);
  assert.doesNotMatch(ipvs, /partial_restore|nftables/);
});

test('typed handles record values', async () => {
  const m = createProxyMetrics();
  m.proxyHealthzTotal.labels({ code: '503' }).inc();
  m.serviceChangesTotal.inc(4);
  m.inputErrorsTotal.labels({ kind: 'KPROXY_INVALID' }).inc();
  const before = Date.now() / 1000;
  const text = await m.render();
  assert.match(text, /\nkubeproxy_proxy_healthz_total\{code="503"\} 1\n/);
  assert.match(text, /\nkubeproxy_sync_proxy_rules_service_changes_total 4\n/);
  assert.match(text, /\nkproxy_input_errors_total\{kind="KPROXY_INVALID"\} 1\n/);
  assert.ok(Number(/\nprocess_resident_memory_bytes (\S+)\n/.exec(text)?.[1]) > 1e6, 'resident memory');
  const start = Number(/\nprocess_start_time_seconds (\S+)\n/.exec(text)?.[1]);
  assert.ok(Math.abs(start - (before - process.uptime())) < 2, `start time ${start}`);
});

test('sync metrics carry ip_family: each served family by default, one family where the caller names it', async () => {
  const m = createProxyMetrics({ mode: 'iptables' });
  m.syncProxyRulesLastTimestamp.set(1700000000);
  assert.match(await m.render(), /\nkubeproxy_sync_proxy_rules_last_timestamp_seconds\{ip_family="IPv4"\} 1700000000\n/);
  m.setIPFamilies(['IPv4', 'IPv6']);
  m.syncProxyRulesDuration.observe(0.5);
  m.iptablesRestoreFailuresTotal.forFamily('IPv6').inc();
  m.iptablesRulesTotal.forFamily('IPv6').labels({ table: 'nat' }).set(7);
  m.noLocalEndpointsTotal.labels({ traffic_policy: 'external' }).set(2);
  const text = await m.render();
  assert.match(text, /\nkubeproxy_sync_proxy_rules_duration_seconds_count\{ip_family="IPv4"\} 1\n/);
  assert.match(text, /\nkubeproxy_sync_proxy_rules_duration_seconds_count\{ip_family="IPv6"\} 1\n/);
  assert.match(text, /\nkubeproxy_sync_proxy_rules_iptables_restore_failures_total\{ip_family="IPv6"\} 1\n/);
  assert.doesNotMatch(text, /restore_failures_total\{ip_family="IPv4"\}/);
  assert.match(text, /\nkubeproxy_sync_proxy_rules_iptables_total\{ip_family="IPv6",table="nat"\} 7\n/);
  assert.match(text, /\nkubeproxy_sync_proxy_rules_no_local_endpoints_total\{ip_family="IPv4",traffic_policy="external"\} 2\n/);
  assert.match(text, /\nkubeproxy_sync_proxy_rules_no_local_endpoints_total\{ip_family="IPv6",traffic_policy="external"\} 2\n/);
  // Not family-labelled upstream either.
  assert.match(text, /\nkubeproxy_sync_proxy_rules_endpoint_changes_pending 0\n/);
  assert.throws(() => m.setIPFamilies([]), /served IP families: got none/);
});
