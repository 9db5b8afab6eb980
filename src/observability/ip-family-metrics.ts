// Since 1.33 kube-proxy labels its sync metrics by ip_family: it runs one proxier per family, and
// dashboards written for it split or filter on that label. kproxy syncs every family in one pass, so a
// handle here writes the same value under each family the node serves (set once the node's addresses are
// known); a caller that knows which family an event concerns (an iptables-restore of one family) says so
// with forFamily. The handles keep the shapes of prometheus.ts, so callers are unchanged.

import type { IPFamily } from '../model/types.js';
import type { Counter, CounterSeries, Family, Gauge, GaugeSeries, Histogram, HistogramOptions, HistogramSeries, MetricOptions, Registry } from './prometheus.js';

/** A metric handle labelled by ip_family behind the scenes: `forFamily` narrows it to one family. */
export type PerFamily<M> = M & { forFamily(family: IPFamily): M };

export const IP_FAMILY_LABEL = 'ip_family';

/** The families a handle writes to when the caller does not name one. */
export class ServedFamilies {
  private families: readonly IPFamily[] = ['IPv4'];

  get(): readonly IPFamily[] {
    return this.families;
  }

  set(families: readonly IPFamily[]): void {
    if (families.length === 0) throw new Error('served IP families: got none, want IPv4 and/or IPv6');
    this.families = [...new Set(families)];
  }
}

type Fan<S> = (each: () => S[]) => S;

const counterFan: Fan<CounterSeries> = (each) => ({ inc: (by) => each().forEach((s) => s.inc(by)) });
const gaugeFan: Fan<GaugeSeries> = (each) => ({
  set: (v) => each().forEach((s) => s.set(v)),
  inc: (by) => each().forEach((s) => s.inc(by)),
  dec: (by) => each().forEach((s) => s.dec(by)),
});
const histogramFan: Fan<HistogramSeries> = (each) => ({ observe: (v) => each().forEach((s) => s.observe(v)) });

// The families are read on every write, so handles made before the node's addresses are known follow.
function perFamily<S extends object>(inner: Family<string, S>, unlabelled: boolean, served: () => readonly IPFamily[], fan: Fan<S>): object {
  const over = (families: () => readonly IPFamily[]): object => {
    const labels = (values: Readonly<Record<string, string>>): S =>
      fan(() => families().map((f) => inner.labels({ ...values, [IP_FAMILY_LABEL]: f })));
    const handle = { name: inner.name, labels, reset: () => inner.reset() };
    return unlabelled ? Object.assign(handle, labels({})) : handle;
  };
  return Object.assign(over(served), { forFamily: (family: IPFamily) => over(() => [family]) });
}

/** Registers metrics labelled L plus ip_family, handed out as handles labelled L (see the top). */
export class FamilyMetrics {
  constructor(private readonly served: ServedFamilies) {}

  counter<L extends string = never>(r: Registry, opts: MetricOptions<L>): PerFamily<Counter<L>> {
    return this.wrap(r.counter(withFamily(opts)), opts, counterFan) as PerFamily<Counter<L>>;
  }

  gauge<L extends string = never>(r: Registry, opts: MetricOptions<L>): PerFamily<Gauge<L>> {
    return this.wrap(r.gauge(withFamily(opts)), opts, gaugeFan) as PerFamily<Gauge<L>>;
  }

  histogram(r: Registry, opts: HistogramOptions<never>): PerFamily<Histogram> {
    return this.wrap(r.histogram({ ...opts, ...withFamily(opts) }), opts, histogramFan) as PerFamily<Histogram>;
  }

  private wrap<S extends object>(inner: Family<string, S>, opts: MetricOptions<string>, fan: Fan<S>): object {
    return perFamily(inner, (opts.labelNames ?? []).length === 0, () => this.served.get(), fan);
  }
}

function withFamily<L extends string>(opts: MetricOptions<L>): MetricOptions<string> {
  return { ...opts, labelNames: [...(opts.labelNames ?? []), IP_FAMILY_LABEL] };
}
