import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderReportHtml } from '../../src/bench/report-html.js';
import { renderReportMarkdown } from '../../src/bench/report-markdown.js';
import { experimentTable, overtakesIptables, renderMarkdownTable, renderTextTable } from '../../src/bench/report-tables.js';
import { caseKey, completedKeys, recordCase, type BenchResults, type CaseResult } from '../../src/bench/results.js';
import { barChart, lineChart } from '../../src/bench/svg-chart.js';

function scaleCase(mode: string, services: number, totalMeanMs: number): CaseResult {
  return { experiment: 'scale', mode, variant: String(services), tool: 'ab', params: { services }, metrics: { totalMeanMs, requestsPerSecond: 1000 }, finishedAt: 'now' };
}

const system = { kernel: '6.1', cpuModel: 'cpu <x>', cpuCount: 2, memoryMB: 1024, nodeVersion: 'v20', kproxyVersion: '0.1.0', tools: { ab: '2.3' } };

test('overtakes iptables: first count from which a mode stays faster', () => {
  const cases = [
    scaleCase('iptables', 100, 10), scaleCase('iptables', 1000, 20), scaleCase('iptables', 4000, 40),
    scaleCase('ipvs', 100, 12), scaleCase('ipvs', 1000, 18), scaleCase('ipvs', 4000, 20),
    scaleCase('nftables', 100, 9), scaleCase('nftables', 1000, 25), scaleCase('nftables', 4000, 30), // dips, then wins again
    scaleCase('userspace', 100, 50), scaleCase('userspace', 4000, 60),
  ];
  assert.deepEqual(overtakesIptables(cases), { nftables: 4000, userspace: undefined }, 'IPVS (in UML) is never set against the host');
  assert.deepEqual(overtakesIptables(cases.filter((c) => c.mode !== 'iptables')), {});
  const withUmlReference = [...cases, scaleCase('iptables-uml', 100, 11), scaleCase('iptables-uml', 1000, 19), scaleCase('iptables-uml', 4000, 45)];
  assert.deepEqual(overtakesIptables(withUmlReference), { ipvs: 1000, nftables: 4000, userspace: undefined });
});

test('tables: one row per case, errors shown in the row, text and markdown aligned', () => {
  const cases: CaseResult[] = [
    { experiment: 'latency', mode: 'nftables', variant: '100 endpoints', tool: 'http-load', params: {}, metrics: { durationP95Ms: 0.512, waitingP95Ms: 0.2, requestsPerSecond: 2500, errors: 0 }, finishedAt: 'x' },
    { experiment: 'latency', mode: 'ipvs', variant: '100 endpoints', tool: 'http-load', params: {}, metrics: {}, error: 'kproxy exited (1)\nmore', finishedAt: 'x' },
  ];
  const t = experimentTable('latency', cases);
  assert.deepEqual(t.header, ['mode', 'case', 'p95 duration ms', 'p95 waiting ms', 'req/s', 'errors']);
  assert.deepEqual(t.rows[0], ['nftables', '100 endpoints', '0.51', '0.20', '2500', '0']);
  assert.equal(t.rows[1]![2], 'error: kproxy exited (1)');
  const text = renderTextTable(t).split('\n');
  assert.equal(text.length, 4);
  assert.match(renderMarkdownTable(t), /^\| mode \| case \|.*\n\|---\|---\|/);
});

test('tables: the rows of a mode stay together in Service-count order, whatever order the cases came in', () => {
  const cases = [scaleCase('iptables', 100, 1), scaleCase('ipvs', 100, 1), scaleCase('iptables', 30000, 1), scaleCase('iptables', 500, 1)];
  assert.deepEqual(experimentTable('scale', cases).rows.map((r) => `${r[0]} ${r[1]}`), ['iptables 100', 'iptables 500', 'iptables 30000', 'ipvs 100']);
});

test('results: a re-run case replaces the old one; only error-free cases count as done', () => {
  const r: BenchResults = { format: 1, command: 'kproxy bench', profile: 'quick', startedAt: 's', system, cases: [] };
  recordCase(r, scaleCase('ipvs', 100, 5));
  recordCase(r, { ...scaleCase('ipvs', 1000, 5), error: 'boom' });
  recordCase(r, scaleCase('ipvs', 100, 7));
  assert.equal(r.cases.length, 2);
  assert.equal(r.cases[0]!.metrics.totalMeanMs, 7);
  assert.deepEqual([...completedKeys(r)], ['scale/ipvs/100']);
  assert.equal(caseKey(r.cases[1]!), 'scale/ipvs/1000');
});

test('charts are inline SVG with a bar or point per measured value, skipping missing ones', () => {
  const bars = barChart('t', 'ms', ['rr', 'lc'], [{ name: 'ipvs', values: [1, 2] }, { name: 'userspace', values: [3, Number.NaN] }]);
  assert.equal(bars.match(/<rect [^>]*><title>/g)?.length, 3);
  const xs = [100, 500, 1000, 2000, 3000, 4000, 10000, 30000];
  const lines = lineChart('t', 'ms', xs, [{ name: 'iptables', values: xs.map((x) => x / 100), color: '#123456' }]);
  assert.equal(lines.match(/<circle /g)?.length, 8);
  assert.match(lines, /<polyline fill="none" stroke="#123456"/);
  const xLabels = [...lines.matchAll(/<text x="[\d.]+" y="266" [^>]*>(\w+)<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(xLabels, ['100', '500', '1000', '2000', '3000', '10k', '30k'], '4000 would print over 3000 on the log scale');
});

test('report.html is self-contained: machine, every experiment section, escaped text, nothing fetched', () => {
  const r: BenchResults = {
    format: 1, command: 'kproxy bench --quick', profile: 'quick', startedAt: 's', finishedAt: 'f', system,
    cases: [scaleCase('iptables', 100, 10), scaleCase('iptables-uml', 100, 20), scaleCase('ipvs', 100, 5),
      { experiment: 'sync', mode: 'nftables', variant: '1000', tool: 'in-process', params: {}, metrics: { fullSyncMs: 50 }, finishedAt: 'x' }],
  };
  const html = renderReportHtml(r);
  assert.match(html, /<section id="scale">/);
  assert.match(html, /<section id="sync">/);
  assert.match(html, /ipvs overtakes iptables-uml from 100 Services/);
  assert.match(html, /cpu &lt;x&gt;/);
  assert.equal((html.match(/<svg /g) ?? []).length, 2);
  assert.doesNotMatch(html, /<script|<link|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
});

test('report.md: a section, chart file and Markdown table per experiment, and the scale verdict', () => {
  const r: BenchResults = {
    format: 1, command: 'kproxy bench', profile: 'full', startedAt: 's', finishedAt: 'f', system,
    cases: [scaleCase('iptables', 100, 10), scaleCase('iptables', 1000, 30), scaleCase('nftables', 100, 11), scaleCase('nftables', 1000, 12),
      { experiment: 'sync', mode: 'nftables', variant: '1000', tool: 'in-process', params: {}, metrics: {}, error: 'boom', finishedAt: 'x' }],
  };
  const { markdown, charts } = renderReportMarkdown(r);
  assert.deepEqual([...charts.keys()], ['chart-scale.svg'], 'an experiment with only failed cases has no chart');
  assert.match(charts.get('chart-scale.svg')!, /^<svg [\s\S]*<\/svg>\n$/);
  assert.match(markdown, /## scale\n\nLoad: ab\.\n\n!\[scale\]\(chart-scale\.svg\)\n\n\| mode \| services \|/);
  assert.match(markdown, /nftables overtakes iptables from 1000 Services on/);
  assert.match(markdown, /## sync[\s\S]*\| nftables \| 1000 \| error: boom \|/);
  assert.match(markdown, /Machine: cpu <x> x 2, 1024 MB, kernel 6\.1/);
});
