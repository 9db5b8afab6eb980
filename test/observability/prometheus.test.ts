import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXPOSITION_CONTENT_TYPE, Registry } from '../../src/observability/prometheus.js';

test('handles keep their shapes over prom-client: unlabelled at 0 from the start, labels in name order', async () => {
  const r = new Registry();
  const requests = r.counter({ name: 'http_requests_total', help: 'Requests.', labelNames: ['path', 'code'] });
  const temp = r.gauge({ name: 'a_temperature', help: 'Temperature.' });
  const latency = r.histogram({ name: 'latency_seconds', help: 'Latency.', buckets: [0, 0.1, 1] });
  r.counter({ name: 'unused_total', help: 'Unused.', labelNames: ['code'] });
  assert.match(await r.render(), /\na_temperature 0\n/);
  requests.labels({ path: '/x"y', code: '500' }).inc();
  temp.set(-1.5);
  latency.observe(0.05);
  latency.observe(3);
  const text = await r.render();
  assert.match(text, /\nhttp_requests_total\{code="500",path="\/x\\"y"\} 1\n/);
  assert.match(text, /\na_temperature -1.5\n/);
  assert.match(text, /\nlatency_seconds_bucket\{le="0"\} 0\nlatency_seconds_bucket\{le="0.1"\} 1\nlatency_seconds_bucket\{le="1"\} 1\nlatency_seconds_bucket\{le="\+Inf"\} 2\n/);
  assert.match(text, /# HELP unused_total Unused.\n# TYPE unused_total counter\n/, 'a family without series still says what it is');
  assert.equal(EXPOSITION_CONTENT_TYPE, 'text/plain; version=0.0.4; charset=utf-8');
});

test('misuse is rejected with the metric named', () => {
  const r = new Registry();
  const c = r.counter({ name: 'x_total', help: 'X.', labelNames: ['code'] });
  assert.throws(() => c.labels({} as { code: string }), /metric x_total: label code missing/);
  assert.throws(() => c.labels({ code: '1', other: '2' } as { code: string }), /metric x_total: unknown label other/);
  assert.throws(() => c.labels({ code: '1' }).inc(-1), /not possible to decrease a counter/);
  assert.throws(() => r.counter({ name: 'x_total', help: 'again' }), /already been registered/);
});

test('reset drops the series of a labelled family', async () => {
  const r = new Registry();
  const g = r.gauge({ name: 'g', help: 'G.', labelNames: ['policy'] });
  g.labels({ policy: 'external' }).set(5);
  g.reset();
  g.labels({ policy: 'internal' }).set(1);
  assert.equal(await r.render(), '# HELP g G.\n# TYPE g gauge\ng{policy="internal"} 1\n');
});
