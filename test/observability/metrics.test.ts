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
];

test('every upstream kube-proxy metric and the process metrics are rendered with their types', () => {
  const text = createProxyMetrics().render();
  for (const [name, type] of UPSTREAM) {
    assert.ok(text.includes(`\n# TYPE ${name} ${type}\n`) || text.startsWith(`# TYPE ${name} ${type}\n`), `${name} (${type}) missing`);
  }
});

test('upstream help texts and bucket layouts', () => {
  const m = createProxyMetrics();
  m.syncProxyRulesDuration.observe(0.01);
  m.networkProgrammingDuration.observe(1);
  const text = m.render();
  assert.match(text, /# HELP kubeproxy_sync_proxy_rules_duration_seconds SyncProxyRules latency in seconds\n/);
  assert.match(text, /# HELP kubeproxy_network_programming_duration_seconds In Cluster Network Programming Latency in seconds\n/);
  const syncLe = [...text.matchAll(/kubeproxy_sync_proxy_rules_duration_seconds_bucket\{le="([^"]+)"\}/g)].map((x) => x[1]);
  assert.deepEqual(syncLe, ['0.001', '0.002', '0.004', '0.008', '0.016', '0.032', '0.064', '0.128', '0.256', '0.512', '1.024', '2.048', '4.096', '8.192', '16.384', '+Inf']);
  const npLe = [...text.matchAll(/kubeproxy_network_programming_duration_seconds_bucket\{le="([^"]+)"\}/g)].map((x) => x[1]);
  assert.equal(npLe.length, 1 + 2 + 59 + 12 + 7 + 1);
  assert.deepEqual(npLe.slice(0, 5), ['0', '0.25', '0.5', '1', '2']);
  assert.deepEqual(npLe.slice(-4), ['240', '270', '300', '+Inf']);
});

test('a mode registers only its own mode-specific metrics, as upstream', () => {
  const nft = createProxyMetrics({ mode: 'nftables' });
  nft.iptablesRulesTotal.labels({ table: 'nat' }).set(3); // handle works, not rendered
  const text = nft.render();
  assert.match(text, /kubeproxy_sync_proxy_rules_nftables_sync_failures_total/);
  assert.doesNotMatch(text, /iptables/);
  const ipvs = createProxyMetrics({ mode: 'ipvs' }).render();
  assert.match(ipvs, /kubeproxy_sync_proxy_rules_iptables_restore_failures_total/);
  assert.doesNotMatch(ipvs, /partial_restore|nftables/);
});

test('typed handles record values', () => {
  const m = createProxyMetrics({ now: () => 1_700_000_000_000 });
  m.proxyHealthzTotal.labels({ code: '503' }).inc();
  m.serviceChangesTotal.inc(4);
  m.inputErrorsTotal.labels({ kind: 'KPROXY_INVALID' }).inc();
  const text = m.render();
  assert.match(text, /\nkubeproxy_proxy_healthz_total\{code="503"\} 1\n/);
  assert.match(text, /\nkubeproxy_sync_proxy_rules_service_changes_total 4\n/);
  assert.match(text, /\nkproxy_input_errors_total\{kind="KPROXY_INVALID"\} 1\n/);
  assert.match(text, /\nprocess_resident_memory_bytes \d\.\d+e\+\d\d\n/);
  const start = Number(/\nprocess_start_time_seconds (\S+)\n/.exec(text)?.[1]);
  assert.ok(start <= 1_700_000_000 && start > 1_700_000_000 - process.uptime() - 1, `start time ${start}`);
});
