import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from '../../src/runner/backoff.js';
import { abortableSleep } from '../../src/sources/api/token-bucket.js';
import { node, service, slice } from '../api-server/fixtures.js';
import { fastTuning, startRig, waitFor } from './harness.js';
import { RecordingSink } from './recording-sink.js';

const SVC = 'api/services';
const EPS = 'api/endpointslices';

function seedWeb(s: { store: { put: (r: 'services' | 'endpointslices' | 'nodes', o: never) => unknown } }): void {
  s.store.put('services', service('web', '10.96.0.10', 80) as never);
  s.store.put('services', service('old', '10.96.0.11', 80) as never);
  s.store.put('endpointslices', slice('web', ['10.0.1.1'], 8080) as never);
  s.store.put('nodes', node('node-a') as never);
}

test('API down: the last state stays, no delete reaches the sink, failures are logged; back after compaction: relist converges', async () => {
  const rig = await startRig({ seed: seedWeb });
  try {
    const sink = new RecordingSink();
    await rig.source.start(sink);
    await waitFor(() => rig.server.openWatches === 3, 'three watches');
    assert.equal(rig.source.healthy(), true);
    const before = sink.calls.length;

    await rig.server.stop();
    await waitFor(() => rig.logger.count('Failed to watch') >= 9, 'several failed attempts per collection');
    assert.equal(rig.source.healthy(), false);
    assert.deepEqual(sink.calls.slice(before), [], 'nothing delivered while the API is down');
    assert.deepEqual(sink.keys(SVC), ['Service default/old', 'Service default/web']);
    const failures = rig.logger.lines.filter((l) => l.msg === 'Failed to watch');
    assert.ok(failures.every((l) => l.level === 'error'));
    assert.ok(failures.some((l) => /failed to watch \*v1\.Service: .*ECONNREFUSED/.test(String(l.kv['err']))));

    // Meanwhile: one Service deleted, one added, and history compacted, so resuming the watch is impossible.
    rig.server.store.delete('services', 'default', 'old');
    rig.server.store.put('services', service('new', '10.96.0.12', 80));
    rig.server.store.compact();
    await rig.server.start();

    await sink.until(() => sink.keys(SVC).join() === 'Service default/new,Service default/web', 'services converge');
    const after = sink.calls.slice(before);
    assert.ok(after.some((c) => c.op === 'replace' && c.origin === SVC && c.count === 2), 'a relist replaced the Services');
    assert.ok(rig.logger.count('Watch closed with 410 Gone; listing again') >= 1);
    await waitFor(() => rig.source.healthy(), 'healthy again');
    assert.ok(rig.logger.count('Connection to the API server restored') >= 1);
  } finally {
    await rig.close();
  }
});

test('API back with history intact: watches resume from the last resourceVersion without relisting', async () => {
  const rig = await startRig({ seed: seedWeb });
  try {
    const sink = new RecordingSink();
    await rig.source.start(sink);
    await waitFor(() => rig.server.openWatches === 3, 'three watches');
    const rvBefore = String(rig.server.store.resourceVersion);
    await rig.server.stop();
    await waitFor(() => rig.logger.count('Failed to watch') >= 3, 'failures');
    rig.server.store.delete('services', 'default', 'old');
    rig.server.store.put('endpointslices', slice('web', ['10.0.1.1', '10.0.1.2'], 8080));
    const requestsBefore = rig.server.requests.length;
    await rig.server.start();
    await sink.until(() => sink.keys(SVC).join() === 'Service default/web', 'delete replayed');
    await sink.until(() => (sink.get(EPS, 'EndpointSlice default/web-abc') as { endpoints: unknown[] }).endpoints.length === 2, 'slice update replayed');
    const since = rig.server.requests.slice(requestsBefore);
    assert.ok(since.every((r) => r.watch), 'no list after the outage');
    assert.ok(since.filter((r) => r.resource === 'services').every((r) => r.query['resourceVersion'] === rvBefore));
    assert.ok(sink.calls.some((c) => c.op === 'remove' && c.key === 'Service default/old'));
  } finally {
    await rig.close();
  }
});

test('dropped watch connections are re-established from the last resourceVersion', async () => {
  const rig = await startRig({ seed: seedWeb });
  try {
    const sink = new RecordingSink();
    await rig.source.start(sink);
    await waitFor(() => rig.server.openWatches === 3, 'three watches');
    rig.server.store.put('services', service('third', '10.96.0.13', 80));
    await sink.until(() => sink.keys(SVC).length === 3, 'third added');
    const lastRV = String(rig.server.store.resourceVersion);
    const listsBefore = rig.server.requests.filter((r) => !r.watch).length;
    rig.server.dropWatches();
    await waitFor(() => rig.server.openWatches === 3, 'watches back');
    const rewatch = rig.server.requests.filter((r) => r.watch && r.resource === 'services').at(-1)!;
    assert.equal(rewatch.query['resourceVersion'], lastRV);
    assert.equal(rig.server.requests.filter((r) => !r.watch).length, listsBefore, 'no relist');
    rig.server.store.delete('services', 'default', 'third');
    await sink.until(() => sink.keys(SVC).length === 2, 'delete after reconnect arrives');
  } finally {
    await rig.close();
  }
});

test('a stuck watch (no bytes, not even bookmarks) is restarted by the client-side idle timer', async () => {
  const rig = await startRig({ seed: seedWeb, tuning: () => fastTuning({ watchIdleTimeoutMs: 150 }) });
  try {
    rig.server.stallWatches = true;
    const sink = new RecordingSink();
    await rig.source.start(sink);
    await waitFor(() => rig.logger.count('Watch received nothing for too long; restarting it') >= 3, 'idle restarts');
    rig.server.stallWatches = false;
    rig.server.dropWatches();
    rig.server.store.put('services', service('late', '10.96.0.14', 80));
    await sink.until(() => sink.keys(SVC).includes('Service default/late'), 'events flow after the stall');
  } finally {
    await rig.close();
  }
});

test('a hanging list request times out and is retried', async () => {
  const rig = await startRig({ seed: seedWeb, requestIdleTimeoutMs: 100 });
  try {
    rig.server.hangRequests = true;
    const sink = new RecordingSink();
    const started = rig.source.start(sink);
    await waitFor(() => rig.logger.lines.some((l) => /nothing received for 100 ms/.test(String(l.kv['err']))), 'idle timeout logged');
    rig.server.hangRequests = false;
    await started;
    assert.ok(sink.syncedSources.has('api'));
  } finally {
    await rig.close();
  }
});

test('failures back off exponentially with jitter, and the backoff resets after a success', async () => {
  const delays: number[] = [];
  const rig = await startRig({
    seed: seedWeb,
    tuning: (kind) => ({
      backoff: new Backoff({ initialMs: 800, maxMs: 30_000, factor: 2, jitter: 1, random: () => 0.5 }),
      // Record what the reflector asked to wait, but wait only 1 ms.
      sleep: (ms, signal) => {
        if (kind === 'Service') delays.push(ms);
        return abortableSleep(1, signal);
      },
    }),
  });
  try {
    rig.server.failNext(3, 500, (r) => r.resource === 'services' && !r.watch);
    const sink = new RecordingSink();
    await rig.source.start(sink);
    assert.deepEqual(delays, [1200, 2400, 4800]);
    await waitFor(() => rig.server.openWatches === 3, 'watches');
    rig.server.failNext(1, 503, (r) => r.resource === 'services' && r.watch);
    rig.server.dropWatches();
    // The cut connection and then the 503: two failures in a row, starting over from the first delay.
    await waitFor(() => delays.length >= 5, 'two more failures');
    assert.deepEqual(delays.slice(3), [1200, 2400]);
  } finally {
    await rig.close();
  }
});
