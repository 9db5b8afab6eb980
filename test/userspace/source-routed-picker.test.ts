// The in-cluster route of externalTrafficPolicy Local (upstream's short-circuit): which backend set a
// client gets by its address, as the TCP and UDP proxies ask per connection or flow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderListenerTable } from '../../src/dataplane/userspace/renderer.js';
import type { ListenerSpec } from '../../src/dataplane/userspace/listener-table.js';
import { SourceRoutedPicker } from '../../src/dataplane/userspace/source-routed-picker.js';
import type { ServicePort } from '../../src/model/types.js';
import { endpoint, servicePort, snapshot } from './fixtures.js';

const NODE_IP = '192.0.2.10';
const detectLocal = { mode: 'ClusterCIDR', clusterCIDR: '10.244.0.0/16', bridgeInterface: '', interfaceNamePrefix: '' } as const;
const HERE = endpoint('10.244.1.5', 8080);
const THERE = endpoint('10.244.2.7', 8080, { isLocal: false, nodeName: 'node-b' });

/** The NodePort listener of a NodePort Service with `endpoints` under externalTrafficPolicy `local`. */
function nodePortListener(endpoints = [HERE, THERE], over: Partial<ServicePort> = {}): ListenerSpec {
  const sp = servicePort({ name: 'web', type: 'NodePort', nodePort: 30080, externalPolicyLocal: true, endpoints, ...over });
  const l = renderListenerTable(snapshot([sp]), [NODE_IP], detectLocal).listeners.find((x) => x.kind === 'NodePort');
  assert.ok(l);
  return l;
}

const picker = (spec: ListenerSpec) => new SourceRoutedPicker(spec, () => 0, () => undefined, (ip) => ip === NODE_IP);

/** Every backend `client` gets over `n` picks (rr: each of its set once per round). */
function seenBy(p: SourceRoutedPicker, client: string, n = 4): string[] {
  const set = p.forClient(client);
  return [...new Set(Array.from({ length: n }, () => set.pick(client, 40000)?.id ?? 'none'))].sort();
}

test('a pod of this node (in the detect-local CIDR) and the node itself get every endpoint; others the local ones', () => {
  const p = picker(nodePortListener());
  assert.deepEqual(seenBy(p, '10.244.9.50'), ['10.244.1.5:8080', '10.244.2.7:8080'], 'pod');
  assert.deepEqual(seenBy(p, NODE_IP), ['10.244.1.5:8080', '10.244.2.7:8080'], 'node');
  assert.deepEqual(seenBy(p, '::ffff:10.244.9.50'), ['10.244.1.5:8080', '10.244.2.7:8080'], 'pod seen by a dual-stack socket');
  assert.deepEqual(seenBy(p, '198.51.100.7'), ['10.244.1.5:8080'], 'outside client');
});

test('no local endpoint: outside clients get an empty set (dropped), in-cluster ones still every endpoint', () => {
  const p = picker(nodePortListener([THERE]));
  assert.equal(p.forClient('198.51.100.7').size, 0);
  assert.equal(p.forClient('198.51.100.7').pick('198.51.100.7', 40000), undefined);
  assert.deepEqual(seenBy(p, '10.244.9.50'), ['10.244.2.7:8080']);
});

test('without an in-cluster route (policy Cluster) every client gets the same set', () => {
  const spec = nodePortListener([HERE, THERE], { externalPolicyLocal: false });
  assert.equal(spec.inCluster, undefined);
  const p = picker(spec);
  assert.equal(p.forClient('10.244.9.50'), p.forClient('198.51.100.7'));
});

test('ClientIP affinity holds within the client\'s own set', () => {
  const p = picker(nodePortListener([HERE, THERE], { sessionAffinity: { type: 'ClientIP', timeoutSeconds: 60 } }));
  const pod = p.forClient('10.244.9.50');
  const first = pod.pick('10.244.9.50', 40000);
  assert.ok(first);
  pod.chosen('10.244.9.50', first.id);
  for (let i = 0; i < 3; i++) assert.equal(p.forClient('10.244.9.50').pick('10.244.9.50', 40001 + i)?.id, first.id);
});

test('an update reports gone only the backends in neither set', () => {
  const p = picker(nodePortListener());
  // THERE leaves the Service: only the in-cluster set had it.
  assert.deepEqual(p.update(nodePortListener([HERE])), ['10.244.2.7:8080']);
  assert.ok(p.has('10.244.1.5:8080'));
  // Policy Cluster again: the route goes, its backends are still the listener's.
  assert.deepEqual(p.update(nodePortListener([HERE, THERE], { externalPolicyLocal: false })), []);
  assert.deepEqual(seenBy(p, '10.244.9.50'), ['10.244.1.5:8080', '10.244.2.7:8080']);
});
