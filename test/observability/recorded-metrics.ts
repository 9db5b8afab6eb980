// What a /metrics scrape offers, reduced to what dashboards and alerts depend on: each family's name,
// type, help text and label names. Read from the exposition text itself, so the check covers what a
// scraper sees, whichever library writes it. Kept with its recording (recorded-metrics.json).

import type { ProxyMetrics } from '../../src/observability/metrics.js';

export interface RecordedFamily {
  name: string;
  type: string;
  help: string;
  /** Label names seen on the family's samples, sorted; `le` (histogram buckets) left out. */
  labels: string[];
}

/** Families in the exposition text, sorted by name. */
export function describeExposition(text: string): RecordedFamily[] {
  const families = new Map<string, RecordedFamily & { labelSet: Set<string> }>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: '', help: '', labels: [], labelSet: new Set() }));
    return f;
  };
  for (const line of text.split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const f = family(meta[2]!);
      if (meta[1] === 'HELP') f.help = meta[3]!;
      else f.type = meta[3]!;
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!sample) continue;
    const owner = [...families.values()].find((f) => sampleBelongsTo(sample[1]!, f));
    if (!owner) throw new Error(`sample without HELP/TYPE: ${line}`);
    for (const [, label] of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g)) {
      if (label !== 'le') owner.labelSet.add(label!);
    }
  }
  return [...families.values()]
    .map(({ labelSet, ...f }) => ({ ...f, labels: [...labelSet].sort() }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

function sampleBelongsTo(sample: string, f: RecordedFamily): boolean {
  if (sample === f.name) return true;
  return f.type === 'histogram' && [`${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`].includes(sample);
}

/** Label values for each labelled ProxyMetrics handle (a labelled handle missing here fails the touch). */
const LABEL_VALUES: Record<string, Record<string, string>> = {
  noLocalEndpointsTotal: { traffic_policy: 'internal' },
  proxyHealthzTotal: { code: '200' },
  proxyLivezTotal: { code: '200' },
  iptablesRulesTotal: { table: 'nat' },
  iptablesRulesLastSync: { table: 'nat' },
  inputErrorsTotal: { kind: 'KPROXY_INVALID' },
  syncRepairsTotal: { mode: 'iptables', reason: 'missing-chain' },
  userspaceConnectionsTotal: { protocol: 'TCP' },
  userspaceActiveConnections: { protocol: 'TCP' },
};

type Touchable = { labels?(v: Record<string, string>): Touchable; inc?(by?: number): void; observe?(v: number): void };

/** Write a zero into every handle, so each family has a sample and its labels show. */
export function touchEveryMetric(metrics: ProxyMetrics): void {
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value !== 'object' || value === null || key === 'registry') continue;
    const handle = value as Touchable;
    const series = key in LABEL_VALUES ? handle.labels!(LABEL_VALUES[key]!) : handle;
    if (series.observe) series.observe(0);
    else if (series.inc) series.inc(0);
    else throw new Error(`metric handle ${key}: labelled? add its label values to LABEL_VALUES`);
  }
}
