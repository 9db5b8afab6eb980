import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createProxyMetrics } from '../../src/observability/metrics.js';
import type { ProxyMode } from '../../src/dataplane/types.js';
import { describeExposition, touchEveryMetric, type RecordedFamily } from './recorded-metrics.js';

// Compiled to BUILD/test/observability: the recording stays in the source tree.
const RECORDING = fileURLToPath(new URL('../../../test/observability/recorded-metrics.json', import.meta.url));
const recorded = JSON.parse(readFileSync(RECORDING, 'utf8')) as { allModes: RecordedFamily[]; perMode: Record<ProxyMode, string[]> };

async function scrape(mode?: ProxyMode): Promise<RecordedFamily[]> {
  const metrics = createProxyMetrics(mode ? { mode } : {});
  touchEveryMetric(metrics);
  return describeExposition(await metrics.render());
}

test('/metrics offers the recorded families: names, types, help texts and label names', async () => {
  assert.deepEqual(await scrape(), recorded.allModes);
});

test('each mode offers the recorded families, as upstream registers them per mode', async () => {
  for (const [mode, names] of Object.entries(recorded.perMode)) {
    assert.deepEqual((await scrape(mode as ProxyMode)).map((f) => f.name), names, mode);
  }
});

test('the reader sees what it must: a missing family, a changed type or a lost label fails the comparison', () => {
  const text = [
    '# HELP a_total A.',
    '# TYPE a_total counter',
    'a_total{code="200"} 1',
    '# HELP h H.',
    '# TYPE h histogram',
    'h_bucket{ip_family="IPv4",le="+Inf"} 1',
    'h_sum{ip_family="IPv4"} 0',
    'h_count{ip_family="IPv4"} 1',
    '',
  ].join('\n');
  const seen = describeExposition(text);
  assert.deepEqual(seen, [
    { name: 'a_total', type: 'counter', help: 'A.', labels: ['code'] },
    { name: 'h', type: 'histogram', help: 'H.', labels: ['ip_family'] },
  ]);
  assert.notDeepEqual(describeExposition(text.replace('h_bucket{ip_family="IPv4",', 'h_bucket{')
    .replace('h_sum{ip_family="IPv4"}', 'h_sum').replace('h_count{ip_family="IPv4"}', 'h_count')), seen);
  assert.throws(() => describeExposition('x 1\n'), /sample without HELP\/TYPE: x 1/);
});
