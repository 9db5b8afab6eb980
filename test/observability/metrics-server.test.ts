import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMetricsServer } from '../../src/observability/metrics-server.js';
import { createProxyMetrics } from '../../src/observability/metrics.js';
import { parseBindAddress } from '../../src/observability/http-listen.js';

test('metrics server endpoints over HTTP', async () => {
  const metrics = createProxyMetrics({ mode: 'iptables' });
  metrics.serviceChangesTotal.inc(7);
  const config = { kind: 'KubeProxyConfiguration', mode: 'iptables', iptables: { minSyncPeriod: '1s' } };
  const server = await startMetricsServer('127.0.0.1:0', { metrics, mode: 'iptables', configz: () => config });
  const base = `http://127.0.0.1:${server.port}`;
  try {
    const m = await fetch(`${base}/metrics`);
    assert.equal(m.status, 200);
    assert.equal(m.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.match(await m.text(), /\nkubeproxy_sync_proxy_rules_service_changes_total 7\n/);

    const mode = await fetch(`${base}/proxyMode`);
    assert.equal(mode.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await mode.text(), 'iptables');

    assert.equal(await (await fetch(`${base}/healthz`)).text(), 'ok');

    const cz = await fetch(`${base}/configz`);
    assert.equal(cz.headers.get('content-type'), 'application/json');
    assert.deepEqual(await cz.json(), { 'kubeproxy.config.k8s.io': config });

    assert.equal((await fetch(`${base}/nope`)).status, 404);
    // /status is served only by a proxy that hands the server its status (kproxy's run command does).
    assert.equal((await fetch(`${base}/status`)).status, 404);
  } finally {
    await server.close();
  }
});

test('a scrape that fails to render answers 500 with the reason, and the server keeps serving', async () => {
  const metrics = { contentType: 'text/plain', render: () => Promise.reject(new Error('collector broke')) };
  const server = await startMetricsServer('127.0.0.1:0', { metrics, mode: 'iptables', configz: () => ({}) });
  try {
    const m = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    assert.equal(m.status, 500);
    assert.equal(await m.text(), 'collector broke\n');
    assert.equal(await (await fetch(`http://127.0.0.1:${server.port}/healthz`)).text(), 'ok');
  } finally {
    await server.close();
  }
});

test('bind addresses: IPv4, bracketed IPv6, errors name the flag', () => {
  assert.deepEqual(parseBindAddress('--metrics-bind-address', '0.0.0.0:10249'), { host: '0.0.0.0', port: 10249 });
  assert.deepEqual(parseBindAddress('--metrics-bind-address', '[::1]:0'), { host: '::1', port: 0 });
  assert.deepEqual(parseBindAddress('--metrics-bind-address', ':10249'), { host: '', port: 10249 });
  for (const bad of ['::1:80', '1.2.3.4', '1.2.3.4:65536', '[1.2.3.4]:80', 'localhost:80', '[]:80']) {
    assert.throws(() => parseBindAddress('--metrics-bind-address', bad), /--metrics-bind-address: got/, bad);
  }
});

test('/status serves the status document as JSON, read on each request', async () => {
  const metrics = createProxyMetrics({ mode: 'iptables' });
  let generation = 1;
  const server = await startMetricsServer('127.0.0.1:0', { metrics, mode: 'iptables', configz: () => ({}), status: () => ({ version: 1, generation: generation++ }) });
  try {
    const first = await fetch(`http://127.0.0.1:${server.port}/status`);
    assert.equal(first.headers.get('content-type'), 'application/json');
    assert.deepEqual(await first.json(), { version: 1, generation: 1 });
    assert.deepEqual(await (await fetch(`http://127.0.0.1:${server.port}/status`)).json(), { version: 1, generation: 2 });
  } finally {
    await server.close();
  }
});
