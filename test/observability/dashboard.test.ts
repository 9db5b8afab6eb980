import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RecordedFamily } from './recorded-metrics.js';
import { labelValuesSelectors, selectors, type Selector } from './promql-selectors.js';

// Compiled to BUILD/test/observability: the dashboard and the recording stay in the source tree.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dashboard = JSON.parse(readFileSync(`${ROOT}deploy/grafana-dashboard.json`, 'utf8'));
const recorded = (JSON.parse(readFileSync(`${ROOT}test/observability/recorded-metrics.json`, 'utf8')) as { allModes: RecordedFamily[] }).allModes;

/** Labels Prometheus adds to every scraped series. */
const TARGET_LABELS = ['instance', 'job'];
const HISTOGRAM_SERIES: Record<string, string[]> = { _bucket: ['le'], _sum: [], _count: [] };

/** Why a selector does not match what kproxy offers, or undefined when it does. */
function problem(s: Selector, families: readonly RecordedFamily[]): string | undefined {
  const byName = new Map(families.map((f) => [f.name, f]));
  let family = byName.get(s.metric);
  let extra: string[] = [];
  if (!family) {
    for (const [suffix, labels] of Object.entries(HISTOGRAM_SERIES)) {
      const base = byName.get(s.metric.slice(0, -suffix.length));
      if (s.metric.endsWith(suffix) && base?.type === 'histogram') [family, extra] = [base, labels];
    }
  }
  if (!family) return `${s.metric}: no such metric`;
  const unknown = s.labels.filter((l) => ![...family.labels, ...extra, ...TARGET_LABELS].includes(l));
  return unknown.length > 0 ? `${s.metric}: no label ${unknown.join(', ')}` : undefined;
}

function dashboardSelectors(): Selector[] {
  const panels = (dashboard.panels as Array<{ targets?: Array<{ expr: string }> }>).flatMap((p) => p.targets ?? []);
  const variables = (dashboard.templating.list as Array<{ type: string; query: { query: string } }>).filter((v) => v.type === 'query');
  return [...panels.flatMap((t) => selectors(t.expr)), ...variables.flatMap((v) => labelValuesSelectors(v.query.query))];
}

test('every metric and label the dashboard queries is one kproxy offers (histogram series by their suffixes)', () => {
  const used = dashboardSelectors();
  assert.ok(used.length > 30, `${used.length} selectors read`);
  assert.deepEqual(used.map((s) => problem(s, recorded)).filter(Boolean), []);
});

test("the dashboard graphs every kube-proxy and kproxy metric: syncs, programming latency, changes, failures, repairs, each mode's", () => {
  const graphed = new Set(dashboardSelectors().map((s) => s.metric.replace(/_(bucket|sum|count)$/, '')));
  const missing = recorded.filter((f) => /^(kubeproxy|kproxy)_/.test(f.name) && !graphed.has(f.name)).map((f) => f.name);
  assert.deepEqual(missing, []);
});

test('the check finds an unknown metric, a wrong suffix and a label the metric does not have', () => {
  const read = (expr: string) => selectors(expr).map((s) => problem(s, recorded)).filter(Boolean);
  assert.deepEqual(read('histogram_quantile(0.99, sum by (le, ip_family) (rate(kubeproxy_sync_proxy_rules_duration_seconds_bucket{instance=~"$i"}[$__rate_interval])))'), []);
  assert.deepEqual(read('rate(kubeproxy_sync_proxy_rules_latency_microseconds_bucket[5m])'), ['kubeproxy_sync_proxy_rules_latency_microseconds_bucket: no such metric']);
  assert.deepEqual(read('kproxy_sync_failures_total_bucket'), ['kproxy_sync_failures_total_bucket: no such metric']);
  assert.deepEqual(read('kubeproxy_sync_proxy_rules_endpoint_changes_pending{ip_family="IPv4"} - time()'), ['kubeproxy_sync_proxy_rules_endpoint_changes_pending: no label ip_family']);
  assert.deepEqual(labelValuesSelectors('label_values(kproxy_sync_failures_total, mode)').map((s) => problem(s, recorded)), ['kproxy_sync_failures_total: no label mode']);
});
