// Reading a proxy's /metrics page (Prometheus text) the same way for kproxy and upstream kube-proxy: both
// expose kubeproxy_sync_proxy_rules_duration_seconds and kubeproxy_network_programming_duration_seconds
// as histograms. A histogram is read as its cumulative buckets, sum and count; what happened between two
// reads is their difference, and its quantiles are estimated the way Prometheus' histogram_quantile does
// (linear within the bucket), since a histogram keeps no samples.

export interface Histogram {
  /** Upper bounds ascending (the last one +Inf) with the cumulative count of observations up to each. */
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

function sampleLines(text: string, series: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(series) && (l[series.length] === ' ' || l[series.length] === '{'));
}

function lastNumber(line: string): number {
  return Number.parseFloat(line.slice(line.lastIndexOf(' ') + 1));
}

/** The histogram `name` (unlabelled apart from le), or undefined when the page does not have it. */
export function readHistogram(text: string, name: string): Histogram | undefined {
  const sum = sampleLines(text, `${name}_sum`)[0];
  const count = sampleLines(text, `${name}_count`)[0];
  if (sum === undefined || count === undefined) return undefined;
  const buckets = sampleLines(text, `${name}_bucket`)
    .map((l) => {
      const le = /le="([^"]+)"/.exec(l)?.[1] ?? '';
      return { le: le === '+Inf' ? Number.POSITIVE_INFINITY : Number.parseFloat(le), count: lastNumber(l) };
    })
    .filter((b) => !Number.isNaN(b.le))
    .sort((a, b) => a.le - b.le);
  return { buckets, sum: lastNumber(sum), count: lastNumber(count) };
}

/** What was observed after `before` and up to `after` (same buckets); `after` itself when there was no before. */
export function histogramSince(after: Histogram, before: Histogram | undefined): Histogram {
  if (!before) return after;
  const earlier = new Map(before.buckets.map((b) => [b.le, b.count]));
  return {
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (earlier.get(b.le) ?? 0) })),
    sum: after.sum - before.sum,
    count: after.count - before.count,
  };
}

/**
 * The q-quantile (0..1) estimated from the buckets: find the bucket holding rank q x count, interpolate
 * linearly inside it (from 0 for the first bucket); in the +Inf bucket, the highest finite bound. NaN when
 * nothing was observed.
 */
export function histogramQuantile(h: Histogram, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within 0..1, got ${q}`);
  if (h.count <= 0 || h.buckets.length === 0) return Number.NaN;
  const rank = q * h.count;
  let lower = 0;
  let below = 0;
  for (const b of h.buckets) {
    if (b.count >= rank && b.count > below) {
      if (b.le === Number.POSITIVE_INFINITY) return lower;
      return lower + ((b.le - lower) * (rank - below)) / (b.count - below);
    }
    if (b.le !== Number.POSITIVE_INFINITY) lower = b.le;
    below = b.count;
  }
  return lower;
}
