// The tables every output shares (terminal, HTML, docs): for each experiment, which metrics are its
// columns, and the rows its cases make. Also the scale experiment's verdict: the Service count from which
// each mode is faster than iptables.

import { EXPERIMENTS, type ExperimentName } from './bench-options.js';
import type { CaseResult } from './results.js';
import { formatNumber } from './statistics.js';

export interface Column {
  metric: string;
  label: string;
}

export const TABLE_COLUMNS: Record<ExperimentName, Column[]> = {
  latency: [
    { metric: 'durationP95Ms', label: 'p95 duration ms' }, { metric: 'waitingP95Ms', label: 'p95 waiting ms' },
    { metric: 'requestsPerSecond', label: 'req/s' }, { metric: 'errors', label: 'errors' },
  ],
  schedulers: [
    { metric: 'durationP90Ms', label: 'p90 duration ms' }, { metric: 'waitingP90Ms', label: 'p90 waiting ms' },
    { metric: 'requestsPerSecond', label: 'req/s' }, { metric: 'backendsSeen', label: 'backends used' }, { metric: 'errors', label: 'errors' },
  ],
  scale: ['connect', 'processing', 'waiting', 'total'].flatMap((phase) =>
    ['Min', 'Mean', 'Median', 'Max'].map((s) => ({ metric: `${phase}${s}Ms`, label: `${phase[0]!.toUpperCase()}${phase.slice(1)} ${s.toLowerCase()}` })),
  ).concat([{ metric: 'requestsPerSecond', label: 'req/s' }, { metric: 'failed', label: 'failed' }]),
  sync: [
    { metric: 'fullSyncMs', label: 'full sync ms' }, { metric: 'fullRenderMs', label: 'render ms' }, { metric: 'fullApplyMs', label: 'apply ms' },
    { metric: 'oneChangeMs', label: '1 endpoint ms' }, { metric: 'churnP50Ms', label: 'churn p50 ms' }, { metric: 'churnP99Ms', label: 'churn p99 ms' },
    { metric: 'churnSyncs', label: 'churn syncs' }, { metric: 'peakRssMB', label: 'peak RSS MB' },
  ],
  userspace: [
    { metric: 'connectionsPerSecond', label: 'conn/s (ab)' }, { metric: 'abTotalMeanMs', label: 'ab mean ms' },
    { metric: 'keepAliveRequestsPerSecond', label: 'req/s keep-alive (wrk)' }, { metric: 'wrkLatencyP50Ms', label: 'wrk p50 ms' },
    { metric: 'wrkLatencyP99Ms', label: 'wrk p99 ms' }, { metric: 'abFailed', label: 'failed' },
  ],
  // The ratios (kproxy / upstream) first: they are what the targets are stated in; the raw numbers follow.
  upstream: [
    { metric: 'firstSyncMsRatio', label: 'first sync ratio' }, { metric: 'changeP99MsRatio', label: '1 endpoint p99 ratio' },
    { metric: 'peakRssMBRatio', label: 'peak RSS ratio' }, { metric: 'cpuSecondsRatio', label: 'CPU ratio' },
    ...(
      [['firstSyncMs', 'first sync ms'], ['readyMs', 'ready ms'], ['changeP50Ms', '1 endpoint p50 ms'], ['changeP99Ms', '1 endpoint p99 ms'],
        ['churnP50Ms', 'churn p50 ms'], ['churnP99Ms', 'churn p99 ms'], ['peakRssMB', 'peak RSS MiB'], ['cpuSeconds', 'CPU s']] as const
    ).flatMap(([m, label]) => [
      { metric: `upstream${m[0].toUpperCase()}${m.slice(1)}`, label: `${label} upstream` },
      { metric: `kproxy${m[0].toUpperCase()}${m.slice(1)}`, label: `${label} kproxy` },
    ]),
  ],
};

/** The experiments these cases come from, in the order the reports show them. */
export function experimentsIn(cases: readonly CaseResult[]): ExperimentName[] {
  return EXPERIMENTS.filter((e) => cases.some((c) => c.experiment === e));
}

/** The load tools an experiment's cases used, as the reports name them (a skipped case used none: ''). */
export function experimentTools(experiment: ExperimentName, cases: readonly CaseResult[]): string {
  return [...new Set(cases.filter((c) => c.experiment === experiment && c.tool !== '').map((c) => c.tool))].join(', ') || 'none';
}

export interface Table {
  experiment: ExperimentName;
  header: string[];
  rows: string[][];
}

/** A mode's cases together, Service counts ascending: a resumed run appends its cases at the end. */
function inTableOrder(cases: readonly CaseResult[]): CaseResult[] {
  const modes = [...new Set(cases.map((c) => c.mode))];
  // "1000" and its repetitions "1000 (2)" sort as 1000; named variants as 0.
  const count = (c: CaseResult) => Number(/^\d+/.exec(c.variant)?.[0] ?? 0);
  return [...cases].sort((a, b) => modes.indexOf(a.mode) - modes.indexOf(b.mode) || count(a) - count(b));
}

export function experimentTable(experiment: ExperimentName, cases: readonly CaseResult[]): Table {
  const cols = TABLE_COLUMNS[experiment];
  const mine = inTableOrder(cases.filter((c) => c.experiment === experiment));
  const noted = mine.some((c) => c.note);
  const rows = mine.map((c) => [
    c.mode,
    c.variant,
    ...(c.error ? [`error: ${c.error.split('\n')[0]!.slice(0, 80)}`, ...cols.slice(1).map(() => '')] : cols.map((col) => formatNumber(c.metrics[col.metric]))),
    ...(noted ? [c.note ?? ''] : []),
  ]);
  const counted = experiment === 'scale' || experiment === 'sync' || experiment === 'upstream';
  return { experiment, header: ['mode', counted ? 'services' : 'case', ...cols.map((c) => c.label), ...(noted ? ['note'] : [])], rows };
}

/** Plain-text table with aligned columns. */
export function renderTextTable(t: Table): string {
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(t.header), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n');
}

/** Markdown table (for docs/benchmarks.md). */
export function renderMarkdownTable(t: Table): string {
  return [`| ${t.header.join(' | ')} |`, `|${t.header.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** iptables measured inside user-mode Linux: the reference IPVS is compared with. */
export const UML_IPTABLES = 'iptables-uml';

/** The mode a mode's scale results are compared with: iptables in the same kernel. */
export function iptablesReference(mode: string): string {
  return mode === 'ipvs' ? UML_IPTABLES : 'iptables';
}

/**
 * For each mode other than iptables: the smallest measured Service count from which its mean total ab
 * time stays below iptables' (in the same kernel) at every larger count; undefined when it never does.
 * Modes without their iptables reference are left out.
 */
export function overtakesIptables(cases: readonly CaseResult[], metric = 'totalMeanMs'): Record<string, number | undefined> {
  const scale = cases.filter((c) => c.experiment === 'scale' && !c.error && Number.isFinite(c.metrics[metric]));
  const byMode = new Map<string, Map<number, number>>();
  for (const c of scale) {
    const m = byMode.get(c.mode) ?? new Map<number, number>();
    m.set(Number(c.variant), c.metrics[metric]!);
    byMode.set(c.mode, m);
  }
  const out: Record<string, number | undefined> = {};
  for (const [mode, values] of byMode) {
    const iptables = byMode.get(iptablesReference(mode));
    if (mode === 'iptables' || mode === UML_IPTABLES || !iptables) continue;
    const counts = [...values.keys()].filter((n) => iptables.has(n)).sort((a, b) => a - b);
    let from: number | undefined;
    for (const n of counts) {
      if (values.get(n)! < iptables.get(n)!) from ??= n;
      else from = undefined;
    }
    out[mode] = from;
  }
  return out;
}
