// The Proxier's bookkeeping, with the real model and a recording data plane: when it syncs, full versus
// partial, what a failed apply does to the next sync, and what it reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Proxier } from '../../src/proxier/proxier.js';
import { reportRejectedInput } from '../../src/proxier/rejected-input.js';
import { ServiceModel } from '../../src/model/service-model.js';
import type { DataPlane, SyncInput } from '../../src/dataplane/types.js';
import type { KubeObject } from '../../src/model/objects.js';
import { createProxyMetrics } from '../../src/observability/metrics.js';
import { ProxyHealth } from '../../src/health/proxy-health.js';
import type { Logger } from '../../src/observability/logger.js';
import { service as bareService, slice as bareSlice } from '../fixtures/bare-objects.js';

function service(name: string, ip: string): KubeObject {
  return bareService(name, { clusterIP: ip }, { namespace: 'default' });
}

function slice(name: string, ips: string[]): KubeObject {
  return bareSlice(`${name}-1`, name, ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })), { namespace: 'default' });
}

function recordingLogger(lines: string[]): Logger {
  const log = (level: string) => (msg: string) => lines.push(`${level} ${msg}`);
  return { info: log('I'), warn: log('W'), error: log('E'), v: () => ({ info: () => undefined }) };
}

function setup(opts: { fail?: () => boolean; warnings?: string[]; applyMs?: (input: SyncInput) => number } = {}) {
  const model = new ServiceModel({ hostname: 'node-a', defaultScheduler: 'rr', serviceProxyName: '' });
  const applied: SyncInput[] = [];
  const dataPlane: DataPlane<SyncInput> = {
    mode: 'userspace',
    renderer: { render: (input) => input, format: () => '' },
    executor: {
      apply: async (program) => {
        if (opts.fail?.()) throw new Error('the kernel said no');
        now += opts.applyMs?.(program) ?? 0;
        applied.push(program);
        return { warnings: opts.warnings ?? [] };
      },
      cleanup: async () => undefined,
      close: async () => undefined,
    },
  };
  const logs: string[] = [];
  const metrics = createProxyMetrics();
  let now = 1_000_000;
  const proxier = new Proxier({
    model,
    dataPlane,
    sources: ['file'],
    syncPeriodMs: 30_000,
    minSyncPeriodMs: 1_000,
    logger: recordingLogger(logs),
    metrics,
    health: new ProxyHealth({ healthTimeoutMs: 60_000, now: () => now }),
    now: () => now,
  });
  return { model, proxier, applied, logs, metrics, advance: (ms: number) => (now += ms) };
}

test('nothing is programmed until every source has synced once', async () => {
  const { model, proxier, applied } = setup();
  model.replace('f', [service('web', '10.96.0.1'), slice('web', ['10.244.0.5'])]);
  await proxier.sync();
  assert.equal(applied.length, 0);
  model.synced('file');
  await proxier.sync();
  assert.equal(applied.length, 1);
});

test('the first sync is full, the next partial with the previous snapshot and exactly the changed keys', async () => {
  const { model, proxier, applied } = setup();
  model.replace('f', [service('web', '10.96.0.1'), slice('web', ['10.244.0.5']), service('db', '10.96.0.2')]);
  model.synced('file');
  await proxier.sync();
  model.upsert('f', slice('web', ['10.244.0.5', '10.244.0.6']));
  await proxier.sync();
  const [first, second] = applied;
  assert.equal(first!.full, true);
  assert.equal(first!.previous, undefined);
  assert.equal(second!.full, false);
  assert.equal(second!.previous, first!.snapshot);
  assert.deepEqual([...second!.snapshot.changed], ['default/web:http']);
});

test('a failed apply makes the next sync full; a full sync comes again after syncPeriod', async () => {
  let fail = false;
  const { model, proxier, applied, advance, metrics } = setup({ fail: () => fail });
  model.replace('f', [service('web', '10.96.0.1'), slice('web', ['10.244.0.5'])]);
  model.synced('file');
  await proxier.sync();
  fail = true;
  model.upsert('f', slice('web', ['10.244.0.6']));
  await assert.rejects(proxier.sync(), /the kernel said no/);
  fail = false;
  await proxier.sync();
  assert.equal(applied.at(-1)!.full, true, 'the sync after a failure rewrites everything');
  await proxier.sync();
  assert.equal(applied.at(-1)!.full, false);
  advance(30_000);
  await proxier.sync();
  assert.equal(applied.at(-1)!.full, true, 'syncPeriod elapsed');
  assert.match(await metrics.render(), /^kubeproxy_sync_proxy_rules_last_timestamp_seconds\{ip_family="IPv4"\} \d+/m);
});

test('a full sync that takes long comes again only after ten times its own duration, not back to back', async () => {
  // 30,000 Services in iptables mode: a full rewrite took 40 s, longer than the 30 s syncPeriod, so every
  // sync was full and an endpoint change waited behind one (46 s p50 in the upstream benchmark).
  const { model, proxier, applied, advance } = setup({ applyMs: (input) => (input.full ? 40_000 : 100) });
  model.replace('f', [service('web', '10.96.0.1'), slice('web', ['10.244.0.5'])]);
  model.synced('file');
  await proxier.sync();
  assert.equal(applied.at(-1)!.full, true);
  advance(30_000);
  model.upsert('f', slice('web', ['10.244.0.6']));
  await proxier.sync();
  assert.equal(applied.at(-1)!.full, false, 'syncPeriod has passed, but a full sync took 40 s: the change goes in a partial sync');
  advance(369_800); // 439,900 ms after the first full sync began, 399,900 after it ended
  await proxier.sync();
  assert.equal(applied.at(-1)!.full, false, 'not yet ten full-sync durations since that sync ended');
  await proxier.sync(); // the partial sync took the last 100 ms
  assert.equal(applied.at(-1)!.full, true, 'ten full-sync durations after the end of the last one');
});

test('however slow a full sync, the next one comes within an hour of its end', async () => {
  const { model, proxier, applied, advance } = setup({ applyMs: (input) => (input.full ? 600_000 : 0) });
  model.replace('f', [service('web', '10.96.0.1')]);
  model.synced('file');
  await proxier.sync();
  advance(3_599_999);
  await proxier.sync();
  assert.equal(applied.at(-1)!.full, false, 'ten times 10 minutes would be 100 minutes');
  advance(1);
  await proxier.sync();
  assert.equal(applied.at(-1)!.full, true, 'an hour after the last full sync ended');
});

test('a warning is logged when it first appears, not on every sync', async () => {
  const { model, proxier, logs } = setup({ warnings: ['default/x:sctp: SCTP is not supported'] });
  model.replace('f', [service('web', '10.96.0.1')]);
  model.synced('file');
  await proxier.sync();
  await proxier.sync();
  assert.deepEqual(logs.filter((l) => l.startsWith('W')), ['W default/x:sctp: SCTP is not supported']);
});

test('rejected input is logged and counted by kind', async () => {
  const { model, logs, metrics } = setup();
  reportRejectedInput(model, metrics, recordingLogger(logs));
  model.replace('f', [service('bad', 'not-an-ip')]);
  assert.ok(logs.some((l) => l.startsWith('E Rejected input')), logs.join('\n'));
  assert.match(await metrics.render(), /kproxy_input_errors_total\{kind="KPROXY_INVALID"\} 1/);
});

test('each sync publishes how many Local-policy service ports have no endpoint on this node', async () => {
  const { model, proxier, metrics } = setup();
  const local = bareService('local', { clusterIP: '10.96.0.9', internalTrafficPolicy: 'Local' }, { namespace: 'default' });
  const elsewhere = bareSlice('local-1', 'local', [{ addresses: ['10.244.2.5'], conditions: { ready: true }, nodeName: 'node-b' }], { namespace: 'default' });
  model.replace('f', [local, elsewhere]);
  model.synced('file');
  await proxier.sync();
  const text = await metrics.render();
  assert.match(text, /^kubeproxy_sync_proxy_rules_no_local_endpoints_total\{ip_family="IPv4",traffic_policy="internal"\} 1$/m);
  assert.match(text, /^kubeproxy_sync_proxy_rules_no_local_endpoints_total\{ip_family="IPv4",traffic_policy="external"\} 0$/m);
  assert.doesNotMatch(text, /no_local_endpoints_total\{[^}]*IPv6/, 'only the families the node serves');
});
