import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatNumber, percentile, summarize } from '../../src/bench/statistics.js';

test('nearest-rank percentiles return measured samples', () => {
  const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  assert.equal(percentile(xs, 50), 5);
  assert.equal(percentile(xs, 90), 9);
  assert.equal(percentile(xs, 95), 10);
  assert.equal(percentile(xs, 0), 1);
  assert.equal(percentile(xs, 100), 10);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.throws(() => percentile(xs, 101), /0\.\.100/);
});

test('summary of samples: count, min, mean, median, p90, p95, p99, max', () => {
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted input
  assert.deepEqual(summarize(xs), { count: 100, min: 1, mean: 50.5, median: 50, p90: 90, p95: 95, p99: 99, max: 100 });
  assert.equal(summarize([]).count, 0);
  assert.ok(Number.isNaN(summarize([]).mean));
});

test('table numbers: integers plain, decimals by size, missing as "-"', () => {
  assert.equal(formatNumber(3), '3');
  assert.equal(formatNumber(1234.56), '1235');
  assert.equal(formatNumber(12.345), '12.3');
  assert.equal(formatNumber(0.1234), '0.12');
  assert.equal(formatNumber(undefined), '-');
  assert.equal(formatNumber(Number.NaN), '-');
});
