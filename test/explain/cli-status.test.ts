// `kproxy status`: one line per service port read directly from manifests, and the same lines from a
// running proxy's /status (served by the metrics server from the last applied snapshot).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMetricsServer } from '../../src/observability/metrics-server.js';
import { createProxyMetrics } from '../../src/observability/metrics.js';
import { ServiceModel } from '../../src/model/service-model.js';
import { AppliedChanges, statusDocument, type StatusDocument } from '../../src/explain/status-lines.js';
import { statusURL } from '../../src/cli/status-command.js';
import { kproxy, kproxyAsync } from './cli-run.js';
import { CLUSTER, withCluster } from './manifests.js';

test('status from manifests: one line per service port, and the rejected Service as an error', async () => {
  await withCluster(async (dir) => {
    const r = kproxy(['status', '--from', dir, '--proxy-mode', 'iptables', '--hostname-override', 'node-a']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 6);
    assert.equal(
      lines.find((l) => l.startsWith('default/web:http ')),
      'default/web:http IPv4 TCP ClusterIP cluster=10.96.0.20:80 endpoints ready=2/4 serving=3 terminating=1 local=1 scheduler=random not applied (read directly)',
    );
    assert.ok(lines.some((l) => l.startsWith('default/local:http IPv4 TCP NodePort cluster=10.96.0.50:80 nodeport=30080 external=198.51.100.7:80 endpoints ready=1/1')));
    assert.match(lines.at(-1)!, /^error: .*broken-0\.json: Service default\/broken: spec\.ports\[0\]\.targetPort: got 70000/);
  });
});

test("status read directly shows an EndpointSlice's errors on its Service's line", async () => {
  const files = { ...CLUSTER, 'empty.yaml': [...CLUSTER['empty.yaml']!, { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'empty-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'empty' } }, addressType: 'IPv4', ports: [{ name: 'http', protocol: 'TCP', port: 8080 }], endpoints: [{ addresses: ['not-an-ip'] }] }] };
  await withCluster(async (dir) => {
    const r = kproxy(['status', '--from', dir, '--proxy-mode', 'iptables', '--hostname-override', 'node-a']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^default\/empty:http .* errors: .*EndpointSlice default\/empty-1: endpoints\[0\]\.addresses\[0\]: got "not-an-ip"/m);
    assert.doesNotMatch(r.stdout, /^error: .*empty-1/m);
  }, files);
});

test('/status serves the last applied snapshot with change times; kproxy status reads it', async () => {
  const model = new ServiceModel({ hostname: 'node-a', defaultScheduler: 'random', serviceProxyName: '' });
  model.replace('test', Object.values(CLUSTER).flat() as never);
  const applied = new AppliedChanges();
  applied.record(model.buildSnapshot(), Date.UTC(2026, 0, 2, 3, 4, 5));
  const metrics = createProxyMetrics({ mode: 'iptables' });
  const server = await startMetricsServer('127.0.0.1:0', {
    metrics,
    mode: 'iptables',
    configz: () => ({}),
    status: () => statusDocument('iptables', applied.snapshot(), model.errors(), applied),
  });
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/status`);
    assert.equal(res.headers.get('content-type'), 'application/json');
    const doc = (await res.json()) as StatusDocument;
    assert.equal(doc.mode, 'iptables');
    assert.equal(doc.servicePorts.length, 5);
    assert.equal(doc.servicePorts[0].lastChangeApplied, Date.UTC(2026, 0, 2, 3, 4, 5));
    assert.deepEqual(doc.servicePorts.find((p) => p.servicePort === 'default/web:http')?.endpoints, { total: 4, ready: 2, serving: 3, terminating: 1, local: 1 });
    assert.equal(doc.otherErrors.length, 1);

    const r = await kproxyAsync(['status', '--metrics-bind-address', `127.0.0.1:${server.port}`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^default\/web:http IPv4 TCP ClusterIP .* scheduler=random applied 2026-01-02T03:04:05\.000Z$/m);
  } finally {
    await server.close();
  }
});

test('status without a running kproxy says how to read the state directly', () => {
  const r = kproxy(['status', '--metrics-bind-address', '127.0.0.1:1']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /kproxy status: cannot read http:\/\/127\.0\.0\.1:1\/status: .*Give --from or --kubeconfig/);
  assert.equal(statusURL('0.0.0.0:10249'), 'http://127.0.0.1:10249/status');
  assert.equal(statusURL('[::]:10249'), 'http://[::1]:10249/status');
});
