// The API source feeding the real model: the Node's topology labels and terminating state, and the
// EndpointSlice trigger-time annotation, reach what the proxier and health checks read.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServiceModel } from '../../src/model/service-model.js';
import { node, service, slice } from '../api-server/fixtures.js';
import { startRig, waitFor } from './harness.js';

test('the own Node (labels, taint) and the slice trigger time reach the model', async () => {
  const triggerTime = new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const rig = await startRig({
    seed: (s) => {
      s.store.put('nodes', node('node-a', { zone: 'zone-1', address: '10.1.1.1' }));
      s.store.put('services', service('web', '10.96.0.10', 80));
      const withTrigger = slice('web', ['10.0.1.1'], 8080, { nodeName: 'node-a' });
      withTrigger.metadata = { ...withTrigger.metadata, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': triggerTime } } as typeof withTrigger.metadata;
      s.store.put('endpointslices', withTrigger);
    },
  });
  try {
    const model = new ServiceModel({ hostname: 'node-a', defaultScheduler: 'rr', serviceProxyName: '', now: () => 0 });
    await rig.source.start(model);
    assert.equal(model.isSynced(['api']), true);
    assert.equal(model.node().labels['topology.kubernetes.io/zone'], 'zone-1');
    assert.deepEqual(model.node().addresses, ['10.1.1.1']);
    assert.equal(model.node().terminating, false);
    const snapshot = model.buildSnapshot();
    assert.deepEqual([...snapshot.triggerTimes.values()], [Date.parse(triggerTime)]);
    assert.deepEqual(model.errors(), []);

    rig.server.store.put('nodes', node('node-a', { zone: 'zone-1', taints: [{ key: 'ToBeDeletedByClusterAutoscaler', effect: 'NoSchedule' }] }));
    await waitFor(() => model.node().terminating, 'node seen as terminating');
  } finally {
    await rig.close();
  }
});
