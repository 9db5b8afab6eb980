// kproxy's small metrics interface, kept over prom-client (which writes the registry and the text
// exposition). The handles keep the shape the proxier and the data planes call — `c.inc()` on an
// unlabelled metric, `c.labels({...}).inc()` on a labelled one — so no call site knows the library, and a
// label set is checked whole: a missing label throws here, as client_golang's WithLabelValues panics.

import { Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram, Registry as PromRegistry } from 'prom-client';

export type LabelValues<L extends string> = Readonly<Record<L, string>>;

export interface CounterSeries {
  inc(by?: number): void;
}
export interface GaugeSeries {
  set(value: number): void;
  inc(by?: number): void;
  dec(by?: number): void;
}
export interface HistogramSeries {
  observe(value: number): void;
}

export interface Family<L extends string, S> {
  readonly name: string;
  /** The series for these label values, created on first use. */
  labels(values: LabelValues<L>): S;
  /** Drop every series of a labelled family (for gauges recomputed from scratch on each sync). */
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
  /** Upper bounds, increasing; +Inf is added. */
  buckets: readonly number[];
}

/** The Prometheus text format 0.0.4, as client_golang serves it to a plain scrape. */
export const EXPOSITION_CONTENT_TYPE: string = PromRegistry.PROMETHEUS_CONTENT_TYPE;

type Labels = Record<string, string>;

// Label pairs in name order, as client_golang writes them; every declared label present, nothing else.
function checkedLabels(name: string, labelNames: readonly string[], values: Readonly<Labels>): Labels {
  const extra = Object.keys(values).filter((k) => !labelNames.includes(k));
  if (extra.length > 0) throw new Error(`metric ${name}: unknown label ${extra.join(', ')} (labels: ${labelNames.join(', ') || 'none'})`);
  const ordered: Labels = {};
  for (const l of [...labelNames].sort()) {
    const v = values[l];
    if (typeof v !== 'string') throw new Error(`metric ${name}: label ${l} missing (labels: ${labelNames.join(', ')})`);
    ordered[l] = v;
  }
  return ordered;
}

// An unlabelled family exposes its one series' methods on the family itself; prom-client starts that
// series at 0, so it renders before first use, as in client_golang.
function handle<S extends object>(name: string, metric: { reset(): void }, labelNames: readonly string[], series: (labels: Labels) => S): object {
  const family: Family<string, S> = {
    name,
    labels: (values) => series(checkedLabels(name, labelNames, values)),
    reset: () => {
      if (labelNames.length > 0) metric.reset();
    },
  };
  return labelNames.length > 0 ? family : Object.assign(family, series({}));
}

export class Registry {
  private readonly prom = new PromRegistry();

  counter<L extends string = never>(opts: MetricOptions<L>): Counter<L> {
    const labelNames: string[] = [...(opts.labelNames ?? [])];
    const m = new PromCounter<string>({ name: opts.name, help: opts.help, labelNames, registers: [this.prom] });
    return handle(opts.name, m, labelNames, (l): CounterSeries => ({ inc: (by = 1) => m.inc(l, by) })) as Counter<L>;
  }

  gauge<L extends string = never>(opts: MetricOptions<L>): Gauge<L> {
    const labelNames: string[] = [...(opts.labelNames ?? [])];
    const m = new PromGauge<string>({ name: opts.name, help: opts.help, labelNames, registers: [this.prom] });
    return handle(opts.name, m, labelNames, (l): GaugeSeries => ({
      set: (v) => m.set(l, v),
      inc: (by = 1) => m.inc(l, by),
      dec: (by = 1) => m.dec(l, by),
    })) as Gauge<L>;
  }

  histogram<L extends string = never>(opts: HistogramOptions<L>): Histogram<L> {
    const labelNames: string[] = [...(opts.labelNames ?? [])];
    const m = new PromHistogram<string>({ name: opts.name, help: opts.help, labelNames, buckets: [...opts.buckets], registers: [this.prom] });
    return handle(opts.name, m, labelNames, (l): HistogramSeries => ({ observe: (v) => m.observe(l, v) })) as Histogram<L>;
  }

  /** The prom-client registry underneath, for prom-client's own collectors (process metrics). */
  get client(): PromRegistry {
    return this.prom;
  }

  /** The text exposition of every registered metric (prom-client collects asynchronously). */
  render(): Promise<string> {
    return this.prom.metrics();
  }
}
