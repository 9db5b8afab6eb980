// A small Prometheus registry: counters, gauges and histograms with optional labels, rendered in text
// exposition format 0.0.4. Families render sorted by name and series by label values, as client_golang's
// Gather does, so /metrics output is stable. Unlike client_golang, a family with no series yet still
// writes its HELP/TYPE lines, so every metric kproxy offers is discoverable from the first scrape.

import { checkLabelName, checkMetricName, escapeHelp, formatFloat, formatLabels } from './exposition.js';

export type MetricType = 'counter' | 'gauge' | 'histogram';
export type LabelValues<L extends string> = Readonly<Record<L, string>>;

export interface CounterSeries {
  inc(by?: number): void;
  get(): number;
}
export interface GaugeSeries {
  set(value: number): void;
  inc(by?: number): void;
  dec(by?: number): void;
  get(): number;
}
export interface HistogramSnapshot {
  count: number;
  sum: number;
  /** Cumulative counts per upper bound, +Inf last. */
  buckets: Array<{ le: number; count: number }>;
}
export interface HistogramSeries {
  observe(value: number): void;
  get(): HistogramSnapshot;
}

export interface Family<L extends string, S> {
  readonly name: string;
  /** The series for these label values, created on first use. */
  labels(values: LabelValues<L>): S;
  /** Drop every series (for gauges recomputed from scratch on each sync). */
  reset(): void;
}

/** Unlabelled metrics are used directly (`c.inc()`); labelled ones through `labels({...})`. */
export type Counter<L extends string = never> = [L] extends [never] ? CounterSeries & Family<never, CounterSeries> : Family<L, CounterSeries>;
export type Gauge<L extends string = never> = [L] extends [never] ? GaugeSeries & Family<never, GaugeSeries> : Family<L, GaugeSeries>;
export type Histogram<L extends string = never> = [L] extends [never] ? HistogramSeries & Family<never, HistogramSeries> : Family<L, HistogramSeries>;

export interface MetricOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}
export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds, strictly increasing; +Inf is added. */
  buckets: readonly number[];
}

interface Stored<S> {
  values: string[];
  series: S;
  sample(name: string, labels: ReadonlyArray<readonly [string, string]>): string[];
}

class MetricFamily<S> {
  private readonly series = new Map<string, Stored<S>>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    readonly labelNames: readonly string[],
    private readonly create: () => Omit<Stored<S>, 'values'>,
  ) {
    checkMetricName(name);
    for (const l of labelNames) checkLabelName(name, l);
  }

  labels(values: Readonly<Record<string, string>>): S {
    const ordered = this.labelNames.map((l) => {
      const v = values[l];
      if (typeof v !== 'string') throw new Error(`metric ${this.name}: label ${l} missing (labels: ${this.labelNames.join(', ')})`);
      return v;
    });
    const extra = Object.keys(values).filter((k) => !this.labelNames.includes(k));
    if (extra.length > 0) throw new Error(`metric ${this.name}: unknown label ${extra.join(', ')} (labels: ${this.labelNames.join(', ') || 'none'})`);
    const key = JSON.stringify(ordered);
    let stored = this.series.get(key);
    if (!stored) {
      stored = { values: ordered, ...this.create() };
      this.series.set(key, stored);
    }
    return stored.series;
  }

  reset(): void {
    // An unlabelled family's one series is bound to the family's own methods; it stays.
    if (this.labelNames.length > 0) this.series.clear();
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    const sorted = [...this.series.values()].sort((a, b) => compareValues(a.values, b.values));
    for (const s of sorted) {
      const pairs = this.labelNames.map((l, i) => [l, s.values[i] ?? ''] as const);
      lines.push(...s.sample(this.name, pairs));
    }
    return `${lines.join('\n')}\n`;
  }
}

function compareValues(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function counterSeries(): Omit<Stored<CounterSeries>, 'values'> {
  let value = 0;
  const series: CounterSeries = {
    inc(by = 1) {
      if (!(by >= 0)) throw new Error(`counter increment: got ${by}, allowed: a number >= 0`);
      value += by;
    },
    get: () => value,
  };
  return { series, sample: (name, labels) => [`${name}${formatLabels(labels)} ${formatFloat(value)}`] };
}

function gaugeSeries(): Omit<Stored<GaugeSeries>, 'values'> {
  let value = 0;
  const series: GaugeSeries = {
    set: (v) => void (value = v),
    inc: (by = 1) => void (value += by),
    dec: (by = 1) => void (value -= by),
    get: () => value,
  };
  return { series, sample: (name, labels) => [`${name}${formatLabels(labels)} ${formatFloat(value)}`] };
}

function histogramSeries(bounds: readonly number[]): Omit<Stored<HistogramSeries>, 'values'> {
  const counts = new Array<number>(bounds.length + 1).fill(0);
  let sum = 0;
  const get = (): HistogramSnapshot => {
    let running = 0;
    const buckets = [...bounds, Infinity].map((le, i) => ({ le, count: (running += counts[i] ?? 0) }));
    return { count: running, sum, buckets };
  };
  const series: HistogramSeries = {
    observe(v) {
      const i = bounds.findIndex((b) => v <= b);
      const slot = i === -1 ? bounds.length : i;
      counts[slot] = (counts[slot] ?? 0) + 1;
      sum += v;
    },
    get,
  };
  const sample = (name: string, labels: ReadonlyArray<readonly [string, string]>): string[] => {
    const snap = get();
    const lines = snap.buckets.map((b) => `${name}_bucket${formatLabels([...labels, ['le', formatFloat(b.le)]])} ${b.count}`);
    lines.push(`${name}_sum${formatLabels(labels)} ${formatFloat(snap.sum)}`, `${name}_count${formatLabels(labels)} ${snap.count}`);
    return lines;
  };
  return { series, sample };
}

function checkBuckets(name: string, buckets: readonly number[]): number[] {
  const bounds = buckets.filter((b) => b !== Infinity);
  bounds.forEach((b, i) => {
    const prev = bounds[i - 1];
    if (!Number.isFinite(b) || (prev !== undefined && b <= prev)) {
      throw new Error(`metric ${name}: buckets must be finite and strictly increasing, got [${buckets.join(', ')}]`);
    }
  });
  return bounds;
}

// Unlabelled families expose their one series' methods on the family itself. The series exists from the
// start, so an unlabelled metric renders 0 before its first use, as in client_golang.
function withDefaultSeries<S extends object>(family: MetricFamily<S>): object {
  if (family.labelNames.length > 0) return family;
  return Object.assign(family, family.labels({}));
}

export class Registry {
  private readonly families = new Map<string, MetricFamily<unknown>>();
  private readonly collectors: Array<() => void> = [];

  counter<L extends string = never>(opts: MetricOptions<L>): Counter<L> {
    return this.add(new MetricFamily(opts.name, opts.help, 'counter', opts.labelNames ?? [], counterSeries)) as Counter<L>;
  }

  gauge<L extends string = never>(opts: MetricOptions<L>): Gauge<L> {
    return this.add(new MetricFamily(opts.name, opts.help, 'gauge', opts.labelNames ?? [], gaugeSeries)) as Gauge<L>;
  }

  histogram<L extends string = never>(opts: HistogramOptions<L>): Histogram<L> {
    const bounds = checkBuckets(opts.name, opts.buckets);
    const family = new MetricFamily(opts.name, opts.help, 'histogram', opts.labelNames ?? [], () => histogramSeries(bounds));
    return this.add(family) as Histogram<L>;
  }

  /** Run `fn` before each render (for values read at scrape time, like process memory). */
  onCollect(fn: () => void): void {
    this.collectors.push(fn);
  }

  has(name: string): boolean {
    return this.families.has(name);
  }

  render(): string {
    for (const collect of this.collectors) collect();
    return [...this.families.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((f) => f.render())
      .join('');
  }

  private add<S extends object>(family: MetricFamily<S>): object {
    if (this.families.has(family.name)) throw new Error(`metric ${family.name}: registered twice`);
    this.families.set(family.name, family as MetricFamily<unknown>);
    return withDefaultSeries(family);
  }
}
