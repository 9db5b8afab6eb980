import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalDuration, formatDuration, parseDurationNs } from '../../src/config/duration.js';
import { parseDuration } from '../../src/config/load.js';

test('parseDuration reads Go durations into milliseconds', () => {
  const cases: Array<[string, number]> = [
    ['0', 0], ['0s', 0], ['30s', 30_000], ['1m', 60_000], ['1h2m3.5s', 3_723_500], ['300ms', 300],
    ['1.5h', 5_400_000], ['-2s', -2000], ['+5s', 5000], ['1500us', 1.5], ['1500\u00b5s', 1.5], ['1500\u03bcs', 1.5],
    ['2000000ns', 2], ['.5s', 500], ['1.s', 1000], ['1h1h', 7_200_000],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});

test('parseDuration rejects what Go rejects, saying why', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty/], ['30', /missing unit/], ['5x', /unknown unit "x"/], ['s', /expected a number/],
    ['.s', /expected a number/], ['1d', /unknown unit "d"/], ['-', /empty/], ['9999999999h', /out of range/],
    ['1 s', /unknown unit " s"/],
  ];
  for (const [text, pattern] of cases) assert.throws(() => parseDuration(text), pattern, text);
});

test('fractions are truncated to whole nanoseconds, as Go does', () => {
  assert.equal(parseDurationNs('1.9ns'), 1n);
  assert.equal(parseDurationNs('0.0000000019s'), 1n);
});

test('formatDuration prints what Go Duration.String() prints', () => {
  const cases: Array<[bigint, string]> = [
    [0n, '0s'], [1n, '1ns'], [1_500n, '1.5\u00b5s'], [300_000_000n, '300ms'], [1_500_000_000n, '1.5s'],
    [30_000_000_000n, '30s'], [90_000_000_000n, '1m30s'], [3_600_000_000_000n, '1h0m0s'],
    [86_400_000_000_000n, '24h0m0s'], [-2_000_000_000n, '-2s'], [3_723_500_000_000n, '1h2m3.5s'],
  ];
  for (const [ns, text] of cases) assert.equal(formatDuration(ns), text, text);
});

test('canonicalDuration re-spells a duration the way upstream writes it', () => {
  assert.equal(canonicalDuration('5m'), '5m0s');
  assert.equal(canonicalDuration('900s'), '15m0s');
  assert.equal(canonicalDuration('0'), '0s');
});
