import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyHealth, goTime } from '../../src/health/proxy-health.js';
import { startHealthServer } from '../../src/health/health-server.js';
import { createProxyMetrics } from '../../src/observability/metrics.js';
import { silentLogger } from '../../src/observability/logger.js';

const T0 = Date.UTC(2024, 10, 21, 11, 44, 30, 120);

function clock() {
  let t = T0;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

test('health state machine: healthy at start, late update unhealthy, healthy after update', () => {
  const c = clock();
  const h = new ProxyHealth({ healthTimeoutMs: 60_000, now: c.now });
  assert.equal(h.health().healthy, true);
  h.updated('IPv4');
  h.queued('IPv4');
  c.advance(59_999);
  assert.equal(h.health().healthy, true, 'not late yet');
  h.queued('IPv4'); // a later change does not move the oldest pending one
  c.advance(1);
  assert.equal(h.health().healthy, false);
  assert.equal(h.live().healthy, false);
  assert.deepEqual(h.health().body.status, { IPv4: { lastUpdated: goTime(T0), healthy: false } });
  assert.equal(h.health().body.lastUpdated, goTime(T0));
  h.updated('IPv4');
  const ok = h.health();
  assert.equal(ok.healthy, true);
  assert.equal(ok.body.lastUpdated, goTime(c.now()), 'a healthy answer reports now');
});

test('each IP family is judged on its own', () => {
  const c = clock();
  const h = new ProxyHealth({ healthTimeoutMs: 1000, now: c.now });
  h.updated('IPv4');
  h.updated('IPv6');
  h.queued('IPv6');
  c.advance(1000);
  const r = h.live();
  assert.equal(r.healthy, false);
  assert.equal(r.body.status?.IPv4?.healthy, true);
  assert.equal(r.body.status?.IPv6?.healthy, false);
});

test('goTime spells times as Go encoding/json does', () => {
  assert.equal(goTime(0), '0001-01-01T00:00:00Z');
  assert.equal(goTime(T0), '2024-11-21T11:44:30.12Z');
  assert.equal(goTime(Date.UTC(2024, 0, 1)), '2024-01-01T00:00:00Z');
});

async function get(port: number, path: string) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, headers: res.headers, body: await res.text() };
}

test('/healthz and /livez over HTTP; a terminating node fails /healthz only', async () => {
  const c = clock();
  const health = new ProxyHealth({ healthTimeoutMs: 60_000, now: c.now });
  const metrics = createProxyMetrics();
  const server = await startHealthServer('127.0.0.1:0', health, metrics, silentLogger);
  try {
    const first = await get(server.port, '/healthz');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('content-type'), 'application/json');
    assert.equal(first.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(JSON.parse(first.body), { lastUpdated: goTime(T0), currentTime: goTime(T0), nodeEligible: true, healthy: true });

    health.updated('IPv4');
    health.queued('IPv4');
    c.advance(60_000);
    assert.equal((await get(server.port, '/healthz')).status, 503);
    assert.equal((await get(server.port, '/livez')).status, 503);
    health.updated('IPv4');
    assert.equal((await get(server.port, '/healthz')).status, 200);

    health.setNodeTerminating(true);
    const hz = await get(server.port, '/healthz');
    assert.equal(hz.status, 503);
    assert.equal(JSON.parse(hz.body).nodeEligible, false);
    const lz = await get(server.port, '/livez');
    assert.equal(lz.status, 200);
    assert.equal('nodeEligible' in JSON.parse(lz.body), false, '/livez has no nodeEligible');
    assert.equal((await get(server.port, '/other')).status, 404);

    const text = await metrics.render();
    assert.match(text, /kubeproxy_proxy_healthz_total\{code="200"\} 2\n/);
    assert.match(text, /kubeproxy_proxy_healthz_total\{code="503"\} 2\n/);
    assert.match(text, /kubeproxy_proxy_livez_total\{code="200"\} 1\n/);
    assert.match(text, /kubeproxy_proxy_livez_total\{code="503"\} 1\n/);
  } finally {
    await server.close();
  }
});

test('a bad bind address is rejected naming the flag', async () => {
  const health = new ProxyHealth({ healthTimeoutMs: 1000 });
  await assert.rejects(startHealthServer('localhost:80', health, createProxyMetrics(), silentLogger), /--healthz-bind-address: got "localhost:80"/);
});
