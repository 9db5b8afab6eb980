// Order statistics for benchmark samples. Percentiles use the nearest-rank method (the value of the sample
// at rank ceil(p/100 * n)), so every reported number is one that was actually measured.

export interface Summary {
  count: number;
  min: number;
  mean: number;
  median: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of already sorted ascending samples; NaN when there are none. */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function percentile(samples: readonly number[], p: number): number {
  return percentileOfSorted([...samples].sort((a, b) => a - b), p);
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n === 0 ? Number.NaN : sorted.reduce((s, v) => s + v, 0) / n;
  return {
    count: n,
    min: n === 0 ? Number.NaN : sorted[0]!,
    mean,
    median: percentileOfSorted(sorted, 50),
    p90: percentileOfSorted(sorted, 90),
    p95: percentileOfSorted(sorted, 95),
    p99: percentileOfSorted(sorted, 99),
    max: n === 0 ? Number.NaN : sorted[n - 1]!,
  };
}

/** A number for a table cell: fixed decimals that fit its size, "-" when missing. */
export function formatNumber(v: number | undefined, decimals?: number): string {
  if (v === undefined || !Number.isFinite(v)) return '-';
  const d = decimals ?? (Number.isInteger(v) || Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
  return v.toFixed(d);
}
