// report.html: one self-contained page (inline CSS and SVG, nothing fetched) with the machine, each
// experiment's table and chart, which load tool produced it, and the scale verdict.

import type { ExperimentName } from './bench-options.js';
import { experimentTable, experimentTools, experimentsIn, iptablesReference, overtakesIptables, type Table } from './report-tables.js';
import type { BenchResults, CaseResult } from './results.js';
import { SEED_SOURCE, seedComparisonTable, seedTableFor } from './seed-tables.js';
import { upstreamTargetLines } from './upstream-targets.js';
import { barChart, escapeXml, lineChart, type Series } from './svg-chart.js';

const TITLES: Record<ExperimentName, string> = {
  latency: 'Latency: one client, requests one after another, one Service with many nginx endpoints',
  schedulers: 'Schedulers: many concurrent clients, new connection per request, delayed backends',
  scale: 'Scale: ab against one Service while the node holds N Services',
  sync: 'Sync: control-plane cost per kernel mode',
  userspace: 'Userspace mode against HAProxy (TCP mode) and direct connections',
  upstream: 'Upstream: kproxy against upstream kube-proxy on a real kube-apiserver (ratios kproxy / upstream; below 1 is kproxy ahead)',
};

const CHART: Record<ExperimentName, { metric: string; label: string }> = {
  latency: { metric: 'durationP95Ms', label: 'p95 duration (ms)' },
  schedulers: { metric: 'durationP90Ms', label: 'p90 duration (ms)' },
  scale: { metric: 'totalMeanMs', label: 'ab Total mean (ms)' },
  sync: { metric: 'fullSyncMs', label: 'full sync (ms)' },
  userspace: { metric: 'connectionsPerSecond', label: 'connections/s' },
  upstream: { metric: 'firstSyncMsRatio', label: 'first sync, kproxy / upstream' },
};

const distinct = <T>(xs: T[]): T[] => [...new Set(xs)];

/** One color per mode in every chart (iptables in user-mode Linux a lighter shade of iptables'). */
const MODE_COLORS: Record<string, string> = {
  userspace: '#1f77b4', iptables: '#ff7f0e', nftables: '#2ca02c', ipvs: '#d62728', 'iptables-uml': '#ffbb78',
};

/** The chart for one experiment's cases: lines over Service counts for scale/sync, bars otherwise. */
export function experimentChart(experiment: ExperimentName, cases: readonly CaseResult[]): string {
  const ok = cases.filter((c) => c.experiment === experiment && !c.error);
  if (ok.length === 0) return '';
  const { metric, label } = CHART[experiment];
  const modes = distinct(ok.map((c) => c.mode));
  const value = (mode: string, variant: string) => ok.find((c) => c.mode === mode && c.variant === variant)?.metrics[metric] ?? Number.NaN;
  if (experiment === 'scale' || experiment === 'sync') {
    const xs = distinct(ok.map((c) => Number(c.variant))).sort((a, b) => a - b);
    const series: Series[] = modes.map((m) => ({ name: m, color: MODE_COLORS[m], values: xs.map((x) => value(m, String(x))) }));
    return lineChart(TITLES[experiment].split(':')[0]!, label, xs, series);
  }
  const variants = distinct(ok.map((c) => c.variant));
  const series: Series[] = modes.map((m) => ({ name: m, color: MODE_COLORS[m], values: variants.map((v) => value(m, v)) }));
  return barChart(TITLES[experiment].split(':')[0]!, label, variants, series);
}

function htmlTable(t: Table): string {
  const head = t.header.map((h) => `<th>${escapeXml(h)}</th>`).join('');
  const rows = t.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

/** One sentence per mode: from which Service count it is faster than iptables in the same kernel. */
export function scaleVerdictLines(cases: readonly CaseResult[]): string[] {
  return Object.entries(overtakesIptables(cases)).map(([mode, n]) =>
    n === undefined
      ? `${mode} never overtakes ${iptablesReference(mode)} at the measured counts (ab Total mean)`
      : `${mode} overtakes ${iptablesReference(mode)} from ${n} Services on (ab Total mean)`);
}

function scaleVerdict(cases: readonly CaseResult[]): string {
  const lines = scaleVerdictLines(cases);
  return lines.length === 0 ? '' : `<p class="verdict">${lines.map(escapeXml).join('; ')}.</p>`;
}

/** Each measured case against issue 18's ratio targets. */
function upstreamVerdict(cases: readonly CaseResult[]): string {
  const lines = upstreamTargetLines(cases);
  return lines.length === 0 ? '' : `<ul class="verdict">${lines.map((l) => `<li>${escapeXml(l)}</li>`).join('')}</ul>`;
}

/** The seed's own table beside this run's cases, when the seed published one for the experiment. */
function seedBeside(e: ExperimentName, cases: readonly CaseResult[]): string {
  const seed = seedTableFor(e);
  return seed ? `<h3>Beside the seed's table (${escapeXml(SEED_SOURCE)}, ${seed.statistic})</h3>\n${htmlTable(seedComparisonTable(seed, cases))}` : '';
}

export function renderReportHtml(r: BenchResults): string {
  const experiments = experimentsIn(r.cases);
  const sections = experiments.map((e) => {
    return [
      `<section id="${e}"><h2>${escapeXml(TITLES[e])}</h2>`,
      `<p class="tool">Load: ${escapeXml(experimentTools(e, r.cases))}. Parameters: ${escapeXml(JSON.stringify(r.cases.find((c) => c.experiment === e)?.params ?? {}))}</p>`,
      e === 'scale' ? scaleVerdict(r.cases) : '',
      e === 'upstream' ? upstreamVerdict(r.cases) : '',
      experimentChart(e, r.cases),
      htmlTable(experimentTable(e, r.cases)),
      seedBeside(e, r.cases),
      '</section>',
    ].join('\n');
  });
  const s = r.system;
  const tools = Object.entries(s.tools).map(([k, v]) => `<li>${escapeXml(k)}: ${escapeXml(v)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kproxy bench ${escapeXml(r.startedAt)}</title>
<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;font-size:13px;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td:first-child,td:nth-child(2){text-align:left}.verdict{font-weight:bold}.tool{color:#555}</style>
</head><body>
<h1>kproxy bench</h1>
<p>Command: <code>${escapeXml(r.command)}</code>; profile ${escapeXml(r.profile)}; started ${escapeXml(r.startedAt)}, finished ${escapeXml(r.finishedAt ?? 'unfinished')}.</p>
<h2>Machine</h2>
<ul><li>kproxy ${escapeXml(s.kproxyVersion)}, node ${escapeXml(s.nodeVersion)}</li><li>kernel ${escapeXml(s.kernel)}</li>
<li>CPU: ${escapeXml(s.cpuModel)} x ${s.cpuCount}; memory ${s.memoryMB} MB</li>${tools}</ul>
${sections.join('\n')}
</body></html>
`;
}
