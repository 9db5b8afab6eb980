import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headlessService, node, service, slice } from '../api-server/fixtures.js';
import { RecordingSink } from './recording-sink.js';
import { startRig, waitFor } from './harness.js';

const SVC = 'api/services';
const EPS = 'api/endpointslices';
const NODES = 'api/nodes';

test('initial sync lists the three collections with upstream selectors, types list items, then reports synced', async () => {
  const rig = await startRig({
    seed: (s) => {
      s.store.put('services', service('web', '10.96.0.10', 80));
      s.store.put('services', service('other', '10.96.0.11', 80, { labels: { 'service.kubernetes.io/service-proxy-name': 'foreign' } }));
      s.store.put('services', headlessService('db'));
      s.store.put('endpointslices', slice('web', ['10.0.1.1'], 8080));
      s.store.put('endpointslices', slice('db', ['10.0.1.2'], 5432, { labels: { 'service.kubernetes.io/headless': '' } }));
      s.store.put('nodes', node('node-a', { zone: 'z1' }));
      s.store.put('nodes', node('node-b'));
    },
  });
  try {
    const sink = new RecordingSink();
    await rig.source.start(sink);
    assert.deepEqual(sink.keys(SVC), ['Service default/web']);
    assert.deepEqual(sink.keys(EPS), ['EndpointSlice default/web-abc']);
    assert.deepEqual(sink.keys(NODES), ['Node node-a']);
    const web = sink.get(SVC, 'Service default/web')!;
    assert.equal(web.apiVersion, 'v1');
    assert.equal(web.kind, 'Service');
    assert.equal(sink.get(EPS, 'EndpointSlice default/web-abc')!.apiVersion, 'discovery.k8s.io/v1');
    // synced comes after all three replaces.
    assert.deepEqual(sink.calls.map((c) => c.op), ['replace', 'replace', 'replace', 'synced']);
    assert.deepEqual(sink.calls.at(-1), { op: 'synced', source: 'api' });

    const lists = rig.server.requests.filter((r) => !r.watch);
    const svcList = lists.find((r) => r.resource === 'services')!;
    assert.equal(svcList.query['labelSelector'], '!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless');
    assert.equal(svcList.query['fieldSelector'], 'spec.clusterIP!=None');
    assert.equal(lists.find((r) => r.resource === 'endpointslices')!.query['labelSelector'], '!service.kubernetes.io/headless');
    assert.equal(lists.find((r) => r.resource === 'nodes')!.query['fieldSelector'], 'metadata.name=node-a');

    await waitFor(() => rig.server.openWatches === 3, 'three watches');
    for (const w of rig.server.requests.filter((r) => r.watch)) {
      assert.equal(w.query['allowWatchBookmarks'], 'true');
      assert.match(w.query['timeoutSeconds'] ?? '', /^\d+$/);
      assert.equal(w.query['resourceVersion'], String(rig.server.store.resourceVersion));
    }
  } finally {
    await rig.close();
  }
});

test('--service-proxy-name selects exactly the Services labelled with that name', async () => {
  const rig = await startRig({
    serviceProxyName: 'kproxy',
    seed: (s) => {
      s.store.put('services', service('plain', '10.96.0.10', 80));
      s.store.put('services', service('mine', '10.96.0.11', 80, { labels: { 'service.kubernetes.io/service-proxy-name': 'kproxy' } }));
    },
  });
  try {
    const sink = new RecordingSink();
    await rig.source.start(sink);
    assert.deepEqual(sink.keys(SVC), ['Service default/mine']);
  } finally {
    await rig.close();
  }
});

test('watch events: adds, updates and deletes reach the sink as upsert and remove', async () => {
  const rig = await startRig({ seed: (s) => s.store.put('nodes', node('node-a')) });
  try {
    const sink = new RecordingSink();
    await rig.source.start(sink);
    await waitFor(() => rig.server.openWatches === 3, 'three watches');
    const { store } = rig.server;
    store.put('services', service('web', '10.96.0.10', 80));
    await sink.until(() => sink.keys(SVC).length === 1, 'web added');
    store.put('services', service('web', '10.96.0.10', 81));
    await sink.until(() => (sink.get(SVC, 'Service default/web') as { spec: { ports: { port: number }[] } } | undefined)?.spec.ports[0]?.port === 81, 'web updated');
    store.put('endpointslices', slice('web', ['10.0.1.1'], 8080));
    await sink.until(() => sink.keys(EPS).length === 1, 'slice added');
    store.put('nodes', node('node-a', { taints: [{ key: 'ToBeDeletedByClusterAutoscaler', effect: 'NoSchedule' }] }));
    await sink.until(() => (sink.get(NODES, 'Node node-a') as { spec?: { taints?: unknown[] } })?.spec?.taints?.length === 1, 'node tainted');
    store.delete('endpointslices', 'default', 'web-abc');
    store.delete('services', 'default', 'web');
    await sink.until(() => sink.keys(SVC).length === 0 && sink.keys(EPS).length === 0, 'both deleted');
    assert.ok(sink.calls.some((c) => c.op === 'remove' && c.key === 'Service default/web'));
    // A label change that makes a Service stop matching arrives as a delete.
    store.put('services', service('web2', '10.96.0.12', 80));
    await sink.until(() => sink.keys(SVC).length === 1, 'web2 added');
    store.put('services', service('web2', '10.96.0.12', 80, { labels: { 'service.kubernetes.io/service-proxy-name': 'foreign' } }));
    await sink.until(() => sink.keys(SVC).length === 0, 'web2 no longer selected');
  } finally {
    await rig.close();
  }
});

test('10k Services are listed in pages of 500 and delivered in one replace', async () => {
  const rig = await startRig({
    seed: (s) => {
      for (let i = 0; i < 10_000; i++) s.store.put('services', service(`svc-${String(i).padStart(5, '0')}`, `10.96.${i >> 8}.${i & 255}`, 80));
    },
  });
  try {
    const sink = new RecordingSink();
    await rig.source.start(sink);
    const pages = rig.server.requests.filter((r) => r.resource === 'services' && !r.watch);
    assert.equal(pages.length, 20);
    assert.ok(pages.every((p) => p.query['limit'] === '500'));
    assert.equal(pages.filter((p) => p.query['continue']).length, 19);
    const replaces = sink.calls.filter((c) => c.op === 'replace' && c.origin === SVC);
    assert.deepEqual(replaces, [{ op: 'replace', origin: SVC, count: 10_000 }]);
  } finally {
    await rig.close();
  }
});

test('an expired continue token (410) makes the source list again from scratch, unpaged', async () => {
  const rig = await startRig({
    tuning: () => ({ pageSize: 2 }),
    seed: (s) => {
      for (let i = 0; i < 5; i++) s.store.put('services', service(`s${i}`, `10.96.0.${i + 1}`, 80));
      s.expireContinueTokens = true;
    },
  });
  try {
    const sink = new RecordingSink();
    await rig.source.start(sink);
    const pages = rig.server.requests.filter((r) => r.resource === 'services' && !r.watch);
    assert.equal(pages.length, 3, 'first page, expired second page, one unpaged list');
    assert.ok(pages[1]!.query['continue']);
    assert.equal(pages[2]!.query['limit'], undefined);
    assert.equal(pages[2]!.query['continue'], undefined);
    assert.deepEqual(sink.calls.filter((c) => c.op === 'replace' && c.origin === SVC), [{ op: 'replace', origin: SVC, count: 5 }]);
  } finally {
    await rig.close();
  }
});

test('stop() during an initial sync that cannot finish resolves start() without reporting synced', async () => {
  const rig = await startRig();
  await rig.server.stop();
  const sink = new RecordingSink();
  const started = rig.source.start(sink);
  await waitFor(() => rig.logger.count('Failed to watch') >= 3, 'list failures logged');
  await rig.source.stop();
  await started;
  assert.equal(sink.syncedSources.size, 0);
  assert.equal(sink.calls.length, 0);
});
