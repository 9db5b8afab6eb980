// `kproxy bench`: runs the selected experiments for the selected modes (IPVS inside user-mode Linux),
// prints progress and tables, writes DIR/results.json after every case and DIR/report.html, DIR/report.md
// and its chart files at the end.
// --resume keeps the cases an earlier run in DIR measured.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchLabRequirements } from './bench-lab.js';
import { BENCH_USAGE, BenchUsageError, EXPERIMENTS, effectiveProfile, parseBenchArgs, type BenchOptions } from './bench-options.js';
import { renderReportHtml } from './report-html.js';
import { renderReportMarkdown } from './report-markdown.js';
import { UML_IPTABLES, experimentTable, iptablesReference, overtakesIptables, renderTextTable } from './report-tables.js';
import { caseKey, completedKeys, loadResults, recordCase, saveResults, type BenchResults } from './results.js';
import { runSession, type SessionEvents, type SessionSpec } from './session.js';
import { collectSystemInfo } from './system-info.js';
import { runSessionsInUml, umlRequirements } from './uml-session.js';
import { runUpstreamExperiment } from './upstream-experiment.js';
import { upstreamTargetLines } from './upstream-targets.js';

type Write = (text: string) => void;

function freshResults(o: BenchOptions, argv: readonly string[]): BenchResults {
  return { format: 1, command: ['kproxy', 'bench', ...argv].join(' '), profile: o.profile, startedAt: new Date().toISOString(), system: collectSystemInfo(), cases: [] };
}

async function runMode(spec: SessionSpec, events: SessionEvents, write: Write): Promise<void> {
  if (spec.mode !== 'ipvs') return runSession(spec, events);
  const why = umlRequirements();
  if (why) {
    write(`ipvs: skipped, user-mode Linux cannot run: ${why}\n`);
    return;
  }
  events.progress('ipvs: booting user-mode Linux (the host kernel has no IPVS); progress arrives every few seconds');
  await runSessionsInUml([spec, ...umlReference(spec)], events, 4 * 60 * 60_000);
}

/**
 * IPVS numbers from user-mode Linux cannot be set against the host's iptables, so the experiments that
 * compare IPVS with iptables (latency, scale) also run iptables in the same UML kernel.
 */
export function umlReference(spec: SessionSpec): SessionSpec[] {
  const experiments = spec.experiments.filter((e) => e === 'latency' || e === 'scale');
  return experiments.length === 0 ? [] : [{ ...spec, mode: 'iptables', label: UML_IPTABLES, kernel: 'uml', experiments }];
}

export function printSummary(r: BenchResults, write: Write): void {
  for (const e of EXPERIMENTS) {
    const t = experimentTable(e, r.cases);
    if (t.rows.length === 0) continue;
    write(`\n== ${e}\n${renderTextTable(t)}\n`);
    if (e === 'scale') {
      for (const [mode, n] of Object.entries(overtakesIptables(r.cases))) {
        const ref = iptablesReference(mode);
        write(`${mode}: ${n === undefined ? `does not overtake ${ref} at the measured counts` : `overtakes ${ref} from ${n} Services`}\n`);
      }
    }
    if (e === 'upstream') for (const line of upstreamTargetLines(r.cases)) write(`${line}\n`);
  }
}

export async function runBench(argv: readonly string[], write: Write = (t) => process.stdout.write(t)): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    write(BENCH_USAGE);
    return 0;
  }
  let o: BenchOptions;
  try {
    o = parseBenchArgs(argv);
  } catch (err) {
    if (!(err instanceof BenchUsageError)) throw err;
    process.stderr.write(`kproxy bench: ${err.message}\n${BENCH_USAGE}`);
    return 1;
  }
  const why = benchLabRequirements();
  if (why) {
    process.stderr.write(`kproxy bench: cannot run: ${why}\n`);
    return 1;
  }
  mkdirSync(o.outDir, { recursive: true });
  const earlier = o.resume ? loadResults(o.outDir) : undefined;
  const results = earlier ? { ...earlier, system: collectSystemInfo() } : freshResults(o, argv);
  delete results.finishedAt;
  const skip = [...completedKeys(earlier)];
  const started = Date.now();
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`;
  const events: SessionEvents = {
    progress: (m) => write(`${stamp()} ${m}\n`),
    caseDone: (c) => {
      recordCase(results, c);
      saveResults(o.outDir, results);
      if (c.error) write(`${stamp()} ${caseKey(c)} failed: ${c.error.slice(0, 1500)}\n`);
    },
  };
  write(`kproxy bench: profile ${o.profile}, experiments ${o.experiments.join(',')}, modes ${o.modes.join(',')}, results in ${o.outDir}${skip.length ? ` (resuming: ${skip.length} cases kept)` : ''}\n`);
  const perMode = o.experiments.filter((e) => e !== 'upstream');
  if (perMode.length > 0) {
    for (const mode of o.modes) await runMode({ mode, experiments: perMode, profile: effectiveProfile(o), skip }, events, write);
  }
  if (o.experiments.includes('upstream')) {
    const { kubeDir, apiserverBin, upstreamBin } = o;
    await runUpstreamExperiment({ modes: o.modes, profile: effectiveProfile(o).upstream, kubeDir, apiserverBin, upstreamBin, skip }, events);
  }
  results.finishedAt = new Date().toISOString();
  saveResults(o.outDir, results);
  writeFileSync(join(o.outDir, 'report.html'), renderReportHtml(results));
  const md = renderReportMarkdown(results);
  writeFileSync(join(o.outDir, 'report.md'), md.markdown);
  for (const [file, svg] of md.charts) writeFileSync(join(o.outDir, file), svg);
  printSummary(results, write);
  write(`\nwrote results.json, report.html and report.md (charts beside it) in ${o.outDir} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return results.cases.some((c) => c.error) ? 1 : 0;
}
