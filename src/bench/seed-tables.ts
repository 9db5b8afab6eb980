// The tables of the document kproxy's latency and schedulers experiments reproduce: Kubespray's "Tuning
// Kube-proxy" (Apache-2.0), which measured iptables against IPVS with k6 (one virtual user for 1 min against
// 100 nginx, p95) and each IPVS scheduler (500 virtual users, a new connection per request, 10 nginx
// answering after 1 s, p90). The reports set them row by row beside kproxy's own cases, with the statistic,
// the load and what differs, so a reader sees how far the two set-ups are apart before comparing numbers.

import type { CaseResult } from './results.js';
import { formatNumber } from './statistics.js';
import type { Table } from './report-tables.js';

export interface SeedRow {
  /** The mode (first table) or IPVS scheduler (second table). */
  name: string;
  durationMs: number;
  waitingMs: number;
  requestsPerSecond: number;
}

export interface SeedTable {
  experiment: 'latency' | 'schedulers';
  statistic: 'p95' | 'p90';
  load: string;
  rows: SeedRow[];
  /** The metrics of kproxy's cases that correspond to the seed's columns. */
  metrics: { duration: string; waiting: string };
}

export const SEED_SOURCE = 'Kubespray, "Tuning Kube-proxy"';
const SEED_MACHINE = '1 vCPU / 4 GB VMs, Ubuntu 18.04, kernel 4.15, a real cluster network';

export const SEED_TABLES: readonly SeedTable[] = [
  {
    experiment: 'latency', statistic: 'p95', load: 'k6, 1 virtual user, 1 min, 100 nginx',
    metrics: { duration: 'durationP95Ms', waiting: 'waitingP95Ms' },
    rows: [
      { name: 'iptables', durationMs: 0.31792, waitingMs: 0.25604, requestsPerSecond: 3575.62904 },
      { name: 'ipvs', durationMs: 0.29957, waitingMs: 0.24608, requestsPerSecond: 3632.013667 },
    ],
  },
  {
    experiment: 'schedulers', statistic: 'p90', load: 'k6, 500 virtual users, new connection per request, 10 nginx answering after 1 s',
    metrics: { duration: 'durationP90Ms', waiting: 'waitingP90Ms' },
    rows: [
      { name: 'rr', durationMs: 53.84, waitingMs: 0.01282, requestsPerSecond: 4206.677073 },
      { name: 'lc', durationMs: 49.51, waitingMs: 0.01223, requestsPerSecond: 4478.541861 },
      { name: 'dh', durationMs: 51.38, waitingMs: 0.01323, requestsPerSecond: 4362.282114 },
      { name: 'sh', durationMs: 44.04, waitingMs: 0.012, requestsPerSecond: 4731.799579 },
      { name: 'sed', durationMs: 46.91, waitingMs: 0.01127, requestsPerSecond: 4782.159376 },
      { name: 'nq', durationMs: 50.81, waitingMs: 0.01221, requestsPerSecond: 4331.884239 },
    ],
  },
];

/** What separates a kproxy case from the seed's numbers. */
function differs(c: CaseResult, seedSeconds: number): string {
  const parts = ['network namespaces on one 2-core machine, not VMs', "kproxy's http-load, not k6"];
  const seconds = Number(c.params.seconds);
  if (Number.isFinite(seconds) && seconds !== seedSeconds) parts.push(`${seconds} s, not ${seedSeconds} s`);
  if (c.mode === 'ipvs' || c.mode === 'iptables-uml') parts.push('inside user-mode Linux (one slow virtual CPU)');
  const clients = Number(c.params.clients);
  if (c.experiment === 'schedulers' && Number.isFinite(clients) && clients !== 500) parts.push(`${clients} clients, not 500`);
  const delay = Number(c.params.backendDelayMs);
  if (Number.isFinite(delay) && delay !== 1000) parts.push(`backends answer after ${delay} ms, not 1 s`);
  return parts.join('; ');
}

/** The seed's rows followed by kproxy's cases of the same experiment, in one table with the same columns. */
export function seedComparisonTable(seed: SeedTable, cases: readonly CaseResult[]): Table {
  const ms = (v: number | undefined) => formatNumber(v, v !== undefined && v < 1 ? 3 : undefined);
  const rows = seed.rows.map((r) => [
    `seed (${SEED_SOURCE})`, r.name, seed.statistic, ms(r.durationMs), ms(r.waitingMs), formatNumber(r.requestsPerSecond, 0), seed.load, SEED_MACHINE,
  ]);
  for (const c of cases.filter((x) => x.experiment === seed.experiment && !x.error)) {
    const name = seed.experiment === 'latency' ? c.mode : `${c.variant} (${c.mode})`;
    const load = seed.experiment === 'latency'
      ? `http-load, 1 client, ${c.params.seconds} s, ${c.params.endpoints} nginx endpoints`
      : `http-load, ${c.params.clients} clients, new connection per request, ${c.params.backends} backends answering after ${c.params.backendDelayMs} ms`;
    rows.push([
      'kproxy bench', name, seed.statistic, ms(c.metrics[seed.metrics.duration]), ms(c.metrics[seed.metrics.waiting]),
      formatNumber(c.metrics.requestsPerSecond, 0), load, differs(c, 60),
    ]);
  }
  return {
    experiment: seed.experiment,
    header: ['source', seed.experiment === 'latency' ? 'mode' : 'scheduler (mode)', 'statistic', 'duration ms', 'waiting ms', 'req/s', 'load', 'what differs'],
    rows,
  };
}

/** The seed's table for an experiment, if the seed has one. */
export function seedTableFor(experiment: string): SeedTable | undefined {
  return SEED_TABLES.find((t) => t.experiment === experiment);
}
