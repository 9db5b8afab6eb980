// The reason each unused endpoint is not used, for every reason the selection rules have, read from the
// selector's own outcome (so these reasons cannot disagree with what the modes program).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointReasons } from '../../src/model/endpoint-reasons.js';
import { selectEndpoints } from '../../src/model/endpoint-selector.js';
import type { Endpoint } from '../../src/model/types.js';
import { endpoint } from '../fixtures/service-ports.js';

const NODE = { name: 'node-a', labels: { 'topology.kubernetes.io/zone': 'zone-a' } };
const OPTS = { nodeName: NODE.name, nodeLabels: NODE.labels };

function reasons(endpoints: Endpoint[], policy: 'Cluster' | 'Local', svc = { internalPolicyLocal: false, externalPolicyLocal: policy === 'Local' }): Record<string, string> {
  const selection = selectEndpoints(endpoints, svc, OPTS);
  return Object.fromEntries(endpointReasons(endpoints, selection, policy, NODE).map((u) => [u.endpoint.ip, u.used ? 'used' : u.reason!]));
}

test('not ready, and serving-but-terminating while ready endpoints exist', () => {
  assert.deepEqual(
    reasons([endpoint('10.0.0.1', 80), endpoint('10.0.0.2', 80, { ready: false, serving: false }), endpoint('10.0.0.3', 80, { ready: false, serving: true, terminating: true })], 'Cluster'),
    {
      '10.0.0.1': 'used',
      '10.0.0.2': 'not ready',
      '10.0.0.3': 'serving but terminating, and ready endpoints exist: no fallback needed',
    },
  );
});

test('serving-terminating endpoints are used when no endpoint is ready (the fallback)', () => {
  assert.deepEqual(reasons([endpoint('10.0.0.3', 80, { ready: false, serving: true, terminating: true }), endpoint('10.0.0.4', 80, { ready: false, serving: false, terminating: true })], 'Cluster'), {
    '10.0.0.3': 'used',
    '10.0.0.4': 'not ready: terminating and no longer serving',
  });
});

test('traffic policy Local leaves out endpoints on other nodes', () => {
  assert.deepEqual(reasons([endpoint('10.0.0.1', 80), endpoint('10.0.1.1', 80, { nodeName: 'node-b', isLocal: false })], 'Local'), {
    '10.0.0.1': 'used',
    '10.0.1.1': 'traffic policy Local and not on this node (on "node-b", this node is "node-a")',
  });
});

test('topology hints for another zone, or for other nodes', () => {
  const zoned = [endpoint('10.0.0.1', 80, { zoneHints: ['zone-a'] }), endpoint('10.0.1.1', 80, { zoneHints: ['zone-b'], isLocal: false, nodeName: 'node-b' })];
  assert.deepEqual(reasons(zoned, 'Cluster'), { '10.0.0.1': 'used', '10.0.1.1': 'topology hint for another zone (zone-b; this node is in "zone-a")' });
  const noded = [endpoint('10.0.0.1', 80, { nodeHints: ['node-a'] }), endpoint('10.0.1.1', 80, { nodeHints: ['node-b'], isLocal: false, nodeName: 'node-b' })];
  assert.deepEqual(reasons(noded, 'Cluster'), { '10.0.0.1': 'used', '10.0.1.1': 'topology hint for other nodes (node-b), not "node-a"' });
});

test('the reasons follow the selection: what it uses is exactly what is marked used', () => {
  const eps = [endpoint('10.0.0.1', 80, { ready: false, serving: true, terminating: true }), endpoint('10.0.1.1', 80, { isLocal: false, nodeName: 'node-b' })];
  for (const policy of ['Cluster', 'Local'] as const) {
    const svc = { internalPolicyLocal: false, externalPolicyLocal: policy === 'Local' };
    const selection = selectEndpoints(eps, svc, OPTS);
    const used = endpointReasons(eps, selection, policy, NODE).filter((u) => u.used).map((u) => u.endpoint);
    assert.deepEqual(used, policy === 'Local' ? selection.local : selection.cluster);
  }
});
