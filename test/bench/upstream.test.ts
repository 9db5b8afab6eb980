// The upstream comparison's pieces that need no root: reading the proxies' metrics pages, /proc numbers,
// the ratios, the variants, the options, the tables beside the seed's, and the skip when the shared kube
// folder is not there.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROFILES, effectiveProfile, parseBenchArgs } from '../../src/bench/bench-options.js';
import { changeEndpointIP, forEachLimited } from '../../src/bench/api-loader.js';
import { histogramQuantile, histogramSince, readHistogram } from '../../src/bench/metrics-text.js';
import { relayPlace } from '../../src/bench/ns-relay.js';
import { cpuSeconds, peakRssMB } from '../../src/bench/proxy-under-api.js';
import { renderReportMarkdown } from '../../src/bench/report-markdown.js';
import { experimentTable } from '../../src/bench/report-tables.js';
import type { BenchResults, CaseResult } from '../../src/bench/results.js';
import { SEED_TABLES, seedComparisonTable } from '../../src/bench/seed-tables.js';
import { comparisonMetrics, runUpstreamExperiment, upstreamVariants } from '../../src/bench/upstream-experiment.js';
import { upstreamTargetLines } from '../../src/bench/upstream-targets.js';

// As upstream kube-proxy's Go client prints it (kproxy prints the same names and layout).
const PAGE = `# HELP kubeproxy_network_programming_duration_seconds [ALPHA] In Cluster Network Programming Latency in seconds
# TYPE kubeproxy_network_programming_duration_seconds histogram
kubeproxy_network_programming_duration_seconds_bucket{le="0.25"} 2
kubeproxy_network_programming_duration_seconds_bucket{le="0.5"} 6
kubeproxy_network_programming_duration_seconds_bucket{le="1"} 9
kubeproxy_network_programming_duration_seconds_bucket{le="+Inf"} 10
kubeproxy_network_programming_duration_seconds_sum 6.5
kubeproxy_network_programming_duration_seconds_count 10
kubeproxy_sync_proxy_rules_duration_seconds_bucket{le="0.001"} 0
kubeproxy_sync_proxy_rules_duration_seconds_bucket{le="+Inf"} 1
kubeproxy_sync_proxy_rules_duration_seconds_sum 2.5
kubeproxy_sync_proxy_rules_duration_seconds_count 1
`;

test('metrics: a histogram is read by its exact name; quantiles interpolate inside the bucket', () => {
  const h = readHistogram(PAGE, 'kubeproxy_network_programming_duration_seconds')!;
  assert.deepEqual(h.buckets.map((b) => [b.le, b.count]), [[0.25, 2], [0.5, 6], [1, 9], [Number.POSITIVE_INFINITY, 10]]);
  assert.equal(h.sum, 6.5);
  assert.equal(h.count, 10);
  assert.equal(histogramQuantile(h, 0.5), 0.25 + 0.25 * (5 - 2) / 4);
  assert.equal(histogramQuantile(h, 0.1), 0.125, 'the first bucket interpolates from 0');
  assert.equal(histogramQuantile(h, 0.99), 1, 'in the +Inf bucket: the highest finite bound');
  assert.equal(readHistogram(PAGE, 'kubeproxy_sync_proxy_rules_duration_seconds')!.sum, 2.5);
  assert.equal(readHistogram(PAGE, 'kubeproxy_sync_proxy_rules'), undefined, 'a prefix of a name is not the name');
  assert.ok(Number.isNaN(histogramQuantile({ buckets: [], sum: 0, count: 0 }, 0.5)));
});

test('metrics: what happened between two reads is their difference', () => {
  const before = readHistogram(PAGE, 'kubeproxy_network_programming_duration_seconds')!;
  const after = { ...before, buckets: before.buckets.map((b) => ({ ...b, count: b.count + (b.le >= 1 ? 4 : 0) })), sum: 10.5, count: 14 };
  const since = histogramSince(after, before);
  assert.equal(since.count, 4);
  assert.equal(since.sum, 4);
  assert.deepEqual(since.buckets.map((b) => b.count), [0, 0, 4, 4]);
  assert.equal(histogramQuantile(since, 0.5), 0.75, 'all four in (0.5, 1]');
});

test('/proc: peak RSS from VmHWM, CPU from utime+stime and the children waited for', () => {
  assert.equal(peakRssMB('Name:\tnode\nVmPeak:\t 999 kB\nVmHWM:\t  102400 kB\nVmRSS:\t 1 kB\n'), 100);
  // pid (comm) state ppid ... field 14 utime, 15 stime, 16 cutime, 17 cstime; comm may hold ") (".
  const stat = `4242 (kube proxy) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 50 20 30 20 0 12 0 100 0 0`;
  assert.equal(cpuSeconds(stat), (150 + 50 + 20 + 30) / 100);
});

test('ratios are kproxy / upstream, for what both measured; raw numbers kept under their names', () => {
  const m = comparisonMetrics({ firstSyncMs: 2000, changeP99Ms: 200, peakRssMB: 70, cpuSeconds: 4 }, { firstSyncMs: 1000, changeP99Ms: 150, peakRssMB: 100, cpuSeconds: 2, churnP50Ms: 5 });
  assert.equal(m.firstSyncMsRatio, 0.5);
  assert.equal(m.changeP99MsRatio, 0.75);
  assert.ok(Math.abs(m.peakRssMBRatio! - 100 / 70) < 1e-12);
  assert.equal(m.upstreamFirstSyncMs, 2000);
  assert.equal(m.kproxyChurnP50Ms, 5);
  assert.equal(m.churnP50MsRatio, undefined, 'upstream has no churn number here');
  const timedOut = comparisonMetrics({ peakRssMB: 300, cpuSeconds: 600, note: 'no first sync within 600 s' }, { firstSyncMs: 10000, peakRssMB: 200, cpuSeconds: 20 });
  assert.equal(timedOut.firstSyncMsRatio, undefined);
  assert.equal(timedOut.kproxyFirstSyncMs, 10000);
});

test('variants: every size once in ascending order, the smallest repeated to show the noise', () => {
  assert.deepEqual(upstreamVariants([5000, 1000, 30000, 10000], 3).map((v) => `${v.variant}/${v.services}/${v.repetition}`),
    ['1000/1000/0', '1000 (2)/1000/1', '1000 (3)/1000/2', '5000/5000/0', '10000/10000/0', '30000/30000/0']);
  assert.deepEqual(upstreamVariants([20], 0).map((v) => v.variant), ['20']);
  assert.deepEqual(PROFILES.full.upstream.serviceCounts, [1000, 5000, 10000, 30000]);
  assert.ok(PROFILES.quick.upstream.serviceCounts.every((n) => n <= 1000) && PROFILES.quick.upstream.repeatSmallest === 1);
});

test('options: the upstream binaries and kube folder, and --services for the upstream sizes', () => {
  const o = parseBenchArgs(['--experiments', 'upstream', '--kube-dir', 'k', '--apiserver-bin=a', '--upstream-bin', 'u', '--services', '20']);
  assert.deepEqual([o.experiments, o.kubeDir, o.apiserverBin, o.upstreamBin], [['upstream'], 'k', 'a', 'u']);
  assert.deepEqual(effectiveProfile(o).upstream.serviceCounts, [20]);
  assert.throws(() => parseBenchArgs(['--upstream-bin']), /needs a value/);
});

test('relay places: unix:PATH or IP:PORT', () => {
  assert.deepEqual(relayPlace('unix:/run/x.sock'), { path: '/run/x.sock' });
  assert.deepEqual(relayPlace('127.0.0.1:10249'), { host: '127.0.0.1', port: 10249 });
  assert.deepEqual(relayPlace('[::1]:443'), { host: '::1', port: 443 });
  assert.throws(() => relayPlace('/run/x.sock'), /unix:PATH or IP:PORT/);
});

test('loader: changed endpoints get addresses apart from the filler ones; at most N writes in flight', async () => {
  assert.equal(changeEndpointIP(0), '10.246.0.1');
  assert.equal(changeEndpointIP(65535), '10.247.0.0');
  let inFlight = 0;
  let most = 0;
  const done: number[] = [];
  await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    done.push(n);
  });
  assert.equal(most, 3);
  assert.deepEqual(done.sort(), [1, 2, 3, 4, 5, 6, 7]);
});

test('without the shared kube folder the experiment records why it was skipped, not a failure', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'kpt-no-kube-'));
  try {
    const cases: CaseResult[] = [];
    await runUpstreamExperiment({ modes: ['iptables', 'nftables', 'ipvs'], profile: PROFILES.smoke.upstream, kubeDir: empty, skip: [] }, { progress: () => undefined, caseDone: (c) => cases.push(c) });
    assert.deepEqual(cases.map((c) => [c.mode, c.variant, c.error]), [['ipvs', 'skipped', undefined], ['iptables', 'skipped', undefined], ['nftables', 'skipped', undefined]]);
    assert.match(cases[1]!.note!, /^skipped: needs the shared kube folder/);
    assert.match(cases[0]!.note!, /user-mode Linux/);
    assert.equal(cases[0]!.tool, '', 'a skipped case used no tool');
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

const system = { kernel: '6.1', cpuModel: 'cpu', cpuCount: 2, memoryMB: 1024, nodeVersion: 'v20', kproxyVersion: '0.1.0', tools: {} };

test('upstream table: ratios first, raw numbers of both, a note column when a case has one', () => {
  const c: CaseResult = {
    experiment: 'upstream', mode: 'nftables', variant: '10000', tool: 'kube-apiserver', params: { services: 10000 },
    metrics: { kproxyFirstSyncMs: 10000, kproxyPeakRssMB: 204 }, note: 'upstream: no first sync within 600 s', finishedAt: 'x',
  };
  const ok: CaseResult = { ...c, variant: '1000', metrics: comparisonMetrics({ firstSyncMs: 2000, peakRssMB: 70, cpuSeconds: 1 }, { firstSyncMs: 1000, peakRssMB: 100, cpuSeconds: 1 }), note: undefined };
  const t = experimentTable('upstream', [c, ok, { ...ok, variant: '1000 (2)' }]);
  assert.deepEqual(t.header.slice(0, 4), ['mode', 'services', 'first sync ratio', '1 endpoint p99 ratio']);
  assert.equal(t.header.at(-1), 'note');
  assert.deepEqual(t.rows.map((r) => r[1]), ['1000', '1000 (2)', '10000'], 'repetitions sort with their size');
  assert.equal(t.rows[0]![2], '0.50');
  assert.equal(t.rows[2]![2], '-');
  assert.equal(t.rows[2]!.at(-1), 'upstream: no first sync within 600 s');
  assert.ok(t.header.includes('first sync ms upstream') && t.header.includes('peak RSS MiB kproxy'));
});

test("seed tables: the seed's rows with its statistic, then kproxy's cases with what differs", () => {
  const latency = SEED_TABLES.find((s) => s.experiment === 'latency')!;
  const cases: CaseResult[] = [
    { experiment: 'latency', mode: 'nftables', variant: '100 endpoints', tool: 'http-load', params: { endpoints: 100, clients: 1, seconds: 30 }, metrics: { durationP95Ms: 0.4, waitingP95Ms: 0.07, requestsPerSecond: 2788 }, finishedAt: 'x' },
    { experiment: 'latency', mode: 'ipvs', variant: '100 endpoints', tool: 'http-load', params: { endpoints: 100, clients: 1, seconds: 30 }, metrics: { durationP95Ms: 2.92, waitingP95Ms: 0.97, requestsPerSecond: 414 }, finishedAt: 'x' },
  ];
  const t = seedComparisonTable(latency, cases);
  assert.deepEqual(t.rows.map((r) => [r[1], r[2], r[3], r[5]]), [['iptables', 'p95', '0.318', '3576'], ['ipvs', 'p95', '0.300', '3632'], ['nftables', 'p95', '0.400', '2788'], ['ipvs', 'p95', '2.92', '414']]);
  assert.match(t.rows[0]![6]!, /k6, 1 virtual user, 1 min, 100 nginx/);
  assert.match(t.rows[3]![7]!, /user-mode Linux/);
  assert.match(t.rows[2]![7]!, /30 s, not 60 s/);
  assert.doesNotMatch(t.rows[2]![7]!, /user-mode Linux/);
  const schedulers = SEED_TABLES.find((s) => s.experiment === 'schedulers')!;
  assert.equal(schedulers.statistic, 'p90');
  assert.deepEqual(schedulers.rows.map((r) => r.name), ['rr', 'lc', 'dh', 'sh', 'sed', 'nq']);
  const r: BenchResults = { format: 1, command: 'kproxy bench', profile: 'full', startedAt: 's', system, cases };
  assert.match(renderReportMarkdown(r).markdown, /Beside the seed's table \(Kubespray, "Tuning Kube-proxy", p95\)/);
});

test('targets: first sync ≤ 0.75 below 5,000 Services and ≤ 0.5 from there, endpoint p99 ≤ 0.5, RSS ≤ 1.0', () => {
  const at = (variant: string, services: number, metrics: Record<string, number>): CaseResult =>
    ({ experiment: 'upstream', mode: 'iptables', variant, tool: 't', params: { services }, metrics, finishedAt: 'x' });
  const lines = upstreamTargetLines([
    at('1000', 1000, { firstSyncMsRatio: 0.7, changeP99MsRatio: 0.5, peakRssMBRatio: 1.6 }),
    at('5000', 5000, { firstSyncMsRatio: 0.7, peakRssMBRatio: 0.9 }),
    { ...at('skipped', 0, {}), note: 'skipped: no kube' },
  ]);
  assert.deepEqual(lines, [
    'iptables 1000: first sync 0.70 ≤ 0.75 met; one endpoint p99 0.50 ≤ 0.5 met; peak RSS 1.60 > 1 missed',
    'iptables 5000: first sync 0.70 > 0.5 missed; one endpoint p99 not measured (target ≤ 0.5); peak RSS 0.90 ≤ 1 met',
  ]);
  const r: BenchResults = { format: 1, command: 'kproxy bench', profile: 'quick', startedAt: 's', system, cases: [at('1000', 1000, { firstSyncMsRatio: 0.4 })] };
  assert.match(renderReportMarkdown(r).markdown, /- iptables 1000: first sync 0.40 ≤ 0.75 met/);
});
