// results.json: every case a run measured, keyed experiment/mode/variant so a later run can resume (keep
// what is there, run the rest), plus the machine it ran on. Metrics are flat name → number maps so the
// terminal tables, the HTML report and docs all read them the same way.

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentName, ProfileName } from './bench-options.js';
import type { SystemInfo } from './system-info.js';

export interface CaseResult {
  experiment: ExperimentName;
  mode: string;
  /** What distinguishes cases of one experiment and mode: a scheduler, a Service count, "haproxy". */
  variant: string;
  /** The load generator or measurement: ab, wrk, kproxy http-load, in-process. */
  tool: string;
  params: Record<string, number | string>;
  metrics: Record<string, number>;
  /** Set when the case could not run; metrics are then empty. */
  error?: string;
  /** What the numbers cannot say: skipped and why, a proxy that did not sync in time. Not a failure. */
  note?: string;
  finishedAt: string;
}

export interface BenchResults {
  format: 1;
  command: string;
  profile: ProfileName;
  startedAt: string;
  finishedAt?: string;
  system: SystemInfo;
  cases: CaseResult[];
}

export function caseKey(c: Pick<CaseResult, 'experiment' | 'mode' | 'variant'>): string {
  return `${c.experiment}/${c.mode}/${c.variant}`;
}

export function resultsPath(outDir: string): string {
  return join(outDir, 'results.json');
}

/** The earlier run's results in `outDir`, or undefined when there are none or they are unreadable. */
export function loadResults(outDir: string): BenchResults | undefined {
  const path = resultsPath(outDir);
  if (!existsSync(path)) return undefined;
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as BenchResults;
    return r.format === 1 && Array.isArray(r.cases) ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Written after every case (atomically), so an interrupted run keeps what it measured. */
export function saveResults(outDir: string, r: BenchResults): void {
  const path = resultsPath(outDir);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(r, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/** Replace the case with the same key, or add it. */
export function recordCase(r: BenchResults, c: CaseResult): void {
  const key = caseKey(c);
  const i = r.cases.findIndex((x) => caseKey(x) === key);
  if (i >= 0) r.cases[i] = c;
  else r.cases.push(c);
}

/** Keys of cases that completed without error (what --resume skips). */
export function completedKeys(r: BenchResults | undefined): Set<string> {
  return new Set((r?.cases ?? []).filter((c) => !c.error).map(caseKey));
}
