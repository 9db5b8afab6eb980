import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '../../src/observability/prometheus.js';
import { formatFloat } from '../../src/observability/exposition.js';

test('a small registry renders the exact text exposition format', () => {
  const r = new Registry();
  const requests = r.counter({ name: 'http_requests_total', help: 'Requests.\nBy code \\ path.', labelNames: ['code', 'path'] });
  const temp = r.gauge({ name: 'a_temperature', help: 'Temperature.' });
  const latency = r.histogram({ name: 'latency_seconds', help: 'Latency.', buckets: [0.1, 1] });
  requests.labels({ path: '/x"y\n', code: '500' }).inc();
  requests.labels({ code: '200', path: '/' }).inc(2);
  temp.set(-1.5);
  latency.observe(0.05);
  latency.observe(0.5);
  latency.observe(3);
  assert.equal(
    r.render(),
    [
      '# HELP a_temperature Temperature.',
      '# TYPE a_temperature gauge',
      'a_temperature -1.5',
      '# HELP http_requests_total Requests.\\nBy code \\\\ path.',
      '# TYPE http_requests_total counter',
      'http_requests_total{code="200",path="/"} 2',
      'http_requests_total{code="500",path="/x\\"y\\n"} 1',
      '# HELP latency_seconds Latency.',
      '# TYPE latency_seconds histogram',
      'latency_seconds_bucket{le="0.1"} 1',
      'latency_seconds_bucket{le="1"} 2',
      'latency_seconds_bucket{le="+Inf"} 3',
      'latency_seconds_sum 3.55',
      'latency_seconds_count 3',
      '',
    ].join('\n'),
  );
});

test('labelled histograms put le last; empty families keep HELP/TYPE; unlabelled ones start at 0', () => {
  const r = new Registry();
  const h = r.histogram({ name: 'h', help: 'H.', buckets: [1], labelNames: ['ip_family'] });
  r.counter({ name: 'c_total', help: 'C.', labelNames: ['code'] });
  r.counter({ name: 'd_total', help: 'D.' });
  h.labels({ ip_family: 'IPv6' }).observe(2);
  assert.equal(
    r.render(),
    '# HELP c_total C.\n# TYPE c_total counter\n# HELP d_total D.\n# TYPE d_total counter\nd_total 0\n' +
      '# HELP h H.\n# TYPE h histogram\nh_bucket{ip_family="IPv6",le="1"} 0\nh_bucket{ip_family="IPv6",le="+Inf"} 1\n' +
      'h_sum{ip_family="IPv6"} 2\nh_count{ip_family="IPv6"} 1\n',
  );
});

test('floats are spelled as Go client_golang spells them', () => {
  assert.equal(formatFloat(1), '1');
  assert.equal(formatFloat(0.001), '0.001');
  assert.equal(formatFloat(16.384), '16.384');
  assert.equal(formatFloat(123456), '123456');
  assert.equal(formatFloat(1e6), '1e+06');
  assert.equal(formatFloat(1700000000.25), '1.70000000025e+09');
  assert.equal(formatFloat(0.00001), '1e-05');
  assert.equal(formatFloat(Infinity), '+Inf');
  assert.equal(formatFloat(-Infinity), '-Inf');
  assert.equal(formatFloat(NaN), 'NaN');
});

test('misuse is rejected with the metric named', () => {
  const r = new Registry();
  const c = r.counter({ name: 'x_total', help: 'X.', labelNames: ['code'] });
  assert.throws(() => c.labels({} as { code: string }), /metric x_total: label code missing/);
  assert.throws(() => c.labels({ code: '1', other: '2' } as { code: string }), /unknown label other/);
  assert.throws(() => c.labels({ code: '1' }).inc(-1), /counter increment: got -1/);
  assert.throws(() => r.counter({ name: 'x_total', help: 'again' }), /registered twice/);
  assert.throws(() => r.gauge({ name: 'bad-name', help: '' }), /metric name/);
  assert.throws(() => r.histogram({ name: 'h', help: '', buckets: [1, 1] }), /strictly increasing/);
});

test('reset drops series; collectors run before each render', () => {
  const r = new Registry();
  const g = r.gauge({ name: 'g', help: 'G.', labelNames: ['policy'] });
  let reads = 0;
  r.onCollect(() => g.labels({ policy: 'internal' }).set(++reads));
  g.labels({ policy: 'external' }).set(5);
  g.reset();
  assert.equal(r.render(), '# HELP g G.\n# TYPE g gauge\ng{policy="internal"} 1\n');
  assert.match(r.render(), /g\{policy="internal"\} 2\n/);
});
