// report.md plus one SVG file per chart: the same tables and charts as report.html, in the form
// docs/benchmarks.md carries them (Markdown shows an SVG file as an image; it would not show inline SVG).

import { experimentChart, scaleVerdictLines } from './report-html.js';
import { experimentTable, experimentTools, experimentsIn, renderMarkdownTable } from './report-tables.js';
import type { BenchResults } from './results.js';
import { SEED_SOURCE, seedComparisonTable, seedTableFor } from './seed-tables.js';
import { upstreamTargetLines } from './upstream-targets.js';

export interface MarkdownReport {
  markdown: string;
  /** File name (beside report.md) → SVG text. */
  charts: Map<string, string>;
}

export function renderReportMarkdown(r: BenchResults): MarkdownReport {
  const charts = new Map<string, string>();
  const sections = experimentsIn(r.cases).map((e) => {
    const chart = experimentChart(e, r.cases);
    const file = `chart-${e}.svg`;
    if (chart) charts.set(file, `${chart}\n`);
    const lines = e === 'scale' ? scaleVerdictLines(r.cases) : e === 'upstream' ? upstreamTargetLines(r.cases) : [];
    const verdict = e === 'upstream' ? lines.map((l) => `- ${l}`).join('\n') : lines.map((l) => `${l}.`).join(' ');
    const seed = seedTableFor(e);
    const beside = seed ? `Beside the seed's table (${SEED_SOURCE}, ${seed.statistic}):\n\n${renderMarkdownTable(seedComparisonTable(seed, r.cases))}` : '';
    return [`## ${e}`, `Load: ${experimentTools(e, r.cases)}.`, chart ? `![${e}](${file})` : '', renderMarkdownTable(experimentTable(e, r.cases)), verdict, beside]
      .filter(Boolean).join('\n\n');
  });
  const s = r.system;
  const machine = `${s.cpuModel} x ${s.cpuCount}, ${s.memoryMB} MB, kernel ${s.kernel}, Node ${s.nodeVersion}, kproxy ${s.kproxyVersion}; ` +
    Object.entries(s.tools).map(([k, v]) => `${k} ${v}`).join(', ');
  const head = `# kproxy bench\n\n\`${r.command}\` (profile ${r.profile}), ${r.startedAt} to ${r.finishedAt ?? 'unfinished'}.\n\nMachine: ${machine}.`;
  return { markdown: `${[head, ...sections].join('\n\n')}\n`, charts };
}
