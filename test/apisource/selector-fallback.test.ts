// API servers before 1.31 refuse Services' spec.clusterIP field selector with 400 (a real v1.28.4 does). The
// test API server plays such a version, and kproxy must still converge: ask for less at once, filter the
// rest itself (lists and watches alike), say which form it uses, and never retry the refused request.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headlessService, node, service } from '../api-server/fixtures.js';
import { RecordingSink } from './recording-sink.js';
import { startRig, waitFor } from './harness.js';

const SVC = 'api/services';

test('a 1.28 API server refuses spec.clusterIP: kproxy lists without it and drops headless Services itself', { timeout: 10_000 }, async () => {
  const rig = await startRig({
    server: { minorVersion: 28 },
    seed: (s) => {
      s.store.put('services', service('web', '10.96.0.10', 80));
      s.store.put('services', headlessService('db'));
      s.store.put('nodes', node('node-a'));
    },
  });
  try {
    const sink = new RecordingSink();
    await rig.source.start(sink);
    assert.deepEqual(sink.keys(SVC), ['Service default/web']);

    const svcLists = rig.server.requests.filter((r) => r.resource === 'services' && !r.watch);
    // One refused request, then the label-only form: no retry of the refused one, no backoff loop.
    assert.deepEqual(
      svcLists.map((r) => r.query['fieldSelector'] ?? ''),
      ['spec.clusterIP!=None', ''],
    );
    assert.equal(svcLists[1]!.query['labelSelector'], '!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless');
    assert.equal(rig.logger.lines.filter((l) => l.level === 'error').length, 0, 'a refused selector is not an outage');
    const refused = rig.logger.lines.find((l) => l.msg.startsWith('The API server refused the selectors'));
    assert.ok(refused, 'the fallback is logged');
    assert.match(String(refused.kv['err']), /not a known field selector/);
    const forms = rig.logger.lines.filter((l) => l.msg === 'Selecting objects' && l.kv['type'] === '*v1.Service');
    assert.equal(forms.length, 1, 'the form in use is said once');
    assert.equal(forms[0]!.kv['onClient'], 'fieldSelector=spec.clusterIP!=None');

    // The watch uses the accepted form too, and a Service turning headless leaves like a DELETED event.
    await waitFor(() => rig.server.openWatches === 3, 'three watches');
    const svcWatch = rig.server.requests.find((r) => r.resource === 'services' && r.watch)!;
    assert.equal(svcWatch.query['fieldSelector'], undefined);
    rig.server.store.put('services', service('new', '10.96.0.12', 80));
    await waitFor(() => sink.keys(SVC).includes('Service default/new'), 'a new Service through the watch');
    rig.server.store.put('services', headlessService('new'));
    await waitFor(() => !sink.keys(SVC).includes('Service default/new'), 'the Service that turned headless removed');
    assert.deepEqual(sink.keys(SVC), ['Service default/web']);
  } finally {
    await rig.close();
  }
});

test('a current API server gets every selector on the server and no fallback', { timeout: 10_000 }, async () => {
  const rig = await startRig({ server: { minorVersion: 31 }, seed: (s) => s.store.put('nodes', node('node-a')) });
  try {
    await rig.source.start(new RecordingSink());
    const svcLists = rig.server.requests.filter((r) => r.resource === 'services' && !r.watch);
    assert.deepEqual(svcLists.map((r) => r.query['fieldSelector']), ['spec.clusterIP!=None']);
    const form = rig.logger.lines.find((l) => l.msg === 'Selecting objects' && l.kv['type'] === '*v1.Service');
    assert.equal(form?.kv['onClient'], '(none)');
  } finally {
    await rig.close();
  }
});

test('a 400 with no smaller form left is an ordinary failure with backoff, not a tight loop', { timeout: 10_000 }, async () => {
  const rig = await startRig({ seed: (s) => s.store.put('nodes', node('node-a')) });
  try {
    rig.server.failNext(50, 400, (r) => r.resource === 'endpointslices');
    const sink = new RecordingSink();
    const started = rig.source.start(sink);
    await waitFor(() => rig.logger.lines.some((l) => l.level === 'error'), 'a logged failure');
    // The slices' only selector is a label selector: one fallback to no selector, then backoff.
    const first = rig.server.requests.filter((r) => r.resource === 'endpointslices').slice(0, 2);
    assert.deepEqual(first.map((r) => r.query['labelSelector'] ?? ''), ['!service.kubernetes.io/headless', '']);
    await rig.source.stop();
    await started;
  } finally {
    await rig.close();
  }
});

test('kproxy posts the Node event upstream posts at start', { timeout: 10_000 }, async () => {
  const rig = await startRig({ seed: (s) => s.store.put('nodes', node('node-a')) });
  try {
    await rig.source.start(new RecordingSink());
    await waitFor(() => rig.server.events.length === 1, 'one event');
    const { namespace, object } = rig.server.events[0]!;
    assert.equal(namespace, 'default');
    assert.match(String((object['metadata'] as { name: string }).name), /^node-a\.[0-9a-f]+$/);
    assert.deepEqual(object['regarding'], { kind: 'Node', name: 'node-a', uid: 'node-a' });
    assert.equal(object['reason'], 'Starting');
    assert.equal(object['action'], 'StartKubeProxy');
    assert.equal(object['type'], 'Normal');
    assert.equal(object['reportingController'], 'kube-proxy');
    assert.match(String(object['eventTime']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  } finally {
    await rig.close();
  }
});
