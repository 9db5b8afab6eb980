import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Reflector } from '../../src/sources/api/reflector.js';
import { apiResources } from '../../src/sources/api/resources.js';
import { TestApiServer } from '../api-server/server.js';
import { node, service } from '../api-server/fixtures.js';
import { clientFor, fastTuning, recordingLogger, waitFor } from './harness.js';

const servicesSpec = apiResources('node-a', '')[0]!;

function nullSink() {
  const seen: string[] = [];
  return { seen, sink: { replace: () => void seen.push('replace'), upsert: () => void seen.push('upsert'), remove: () => void seen.push('remove') } };
}

test('bookmarks advance the resourceVersion a dropped watch resumes from', async () => {
  const server = new TestApiServer();
  server.store.put('services', service('web', '10.96.0.10', 80));
  await server.start();
  const { sink } = nullSink();
  const reflector = new Reflector({ ...fastTuning(), resource: servicesSpec, transport: clientFor(server), sink, logger: recordingLogger() });
  try {
    reflector.start();
    await reflector.synced;
    await waitFor(() => server.openWatches === 1, 'watch open');
    const listed = reflector.lastResourceVersion;
    // Changes elsewhere move the server's resourceVersion; only a bookmark tells this watch about it.
    server.store.put('nodes', node('node-x'));
    server.store.put('nodes', node('node-y'));
    const bookmarkRV = String(server.store.resourceVersion);
    assert.notEqual(listed, bookmarkRV);
    server.sendBookmarks();
    await waitFor(() => reflector.lastResourceVersion === bookmarkRV, 'bookmark applied');
    server.dropWatches();
    await waitFor(() => server.openWatches === 1, 'watch back');
    assert.equal(server.requests.filter((r) => r.watch).at(-1)!.query['resourceVersion'], bookmarkRV);
  } finally {
    await reflector.stop();
    await server.stop();
  }
});

test('a watch ERROR event with a 410 Status makes the reflector relist; other statuses are retried', async () => {
  const server = new TestApiServer();
  await server.start();
  const { seen, sink } = nullSink();
  const logger = recordingLogger();
  const reflector = new Reflector({ ...fastTuning(), resource: servicesSpec, transport: clientFor(server), sink, logger });
  try {
    reflector.start();
    await reflector.synced;
    await waitFor(() => server.openWatches === 1, 'watch open');
    server.store.compact();
    server.store.put('services', service('web', '10.96.0.10', 80));
    server.store.compact(); // the watch's resourceVersion is now older than any history
    server.dropWatches();
    await waitFor(() => seen.filter((s) => s === 'replace').length === 2, 'relisted');
    assert.equal(logger.count('Watch closed with 410 Gone; listing again'), 1);
  } finally {
    await reflector.stop();
    await server.stop();
  }
});

test('every request, each list page and each watch, takes a token from the rate limit', async () => {
  const server = new TestApiServer();
  for (let i = 0; i < 9; i++) server.store.put('services', service(`s${i}`, `10.96.0.${i + 1}`, 80));
  await server.start();
  let tokens = 0;
  const limiter = { take: async () => void tokens++ };
  const { sink } = nullSink();
  const reflector = new Reflector({ ...fastTuning({ pageSize: 2 }), resource: servicesSpec, transport: clientFor(server, { limiter }), sink, logger: recordingLogger() });
  try {
    reflector.start();
    await reflector.synced;
    await waitFor(() => server.openWatches === 1, 'watch open');
    assert.equal(server.requests.length, 6, 'five pages and one watch');
    assert.equal(tokens, server.requests.length);
  } finally {
    await reflector.stop();
    await server.stop();
  }
});
