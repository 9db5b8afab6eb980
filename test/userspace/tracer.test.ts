// The userspace tracer on a rendered listener table: which listener a connection reaches (exact address
// before a wildcard NodePort, a wildcard only for the node's own addresses), and what it does there.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderListenerTable } from '../../src/dataplane/userspace/renderer.js';
import { userspaceTracer } from '../../src/dataplane/userspace/tracer.js';
import type { TracedConnection } from '../../src/explain/trace.js';
import { endpoint, servicePort, snapshot } from './fixtures.js';

const NODE = { localAddresses: ['192.0.2.10', '10.244.0.1'] };
const web = servicePort({
  name: 'web',
  type: 'LoadBalancer',
  clusterIP: '10.96.0.10',
  port: 80,
  nodePort: 30080,
  loadBalancerIPs: [{ ip: '198.51.100.1', ipMode: 'VIP' }],
  loadBalancerSourceRanges: ['203.0.113.0/24'],
  endpoints: [endpoint('10.244.1.5', 8080), endpoint('10.244.2.7', 8080, { isLocal: false, nodeName: 'node-b' })],
});
const sticky = servicePort({ name: 'sticky', clusterIP: '10.96.0.11', port: 80, sessionAffinity: { type: 'ClientIP', timeoutSeconds: 60 }, endpoints: [endpoint('10.244.1.6', 8080)] });
const hashed = servicePort({ name: 'hashed', clusterIP: '10.96.0.12', port: 80, scheduler: 'sh', endpoints: [endpoint('10.244.1.7', 8080)] });
const empty = servicePort({ name: 'empty', clusterIP: '10.96.0.20', port: 443 });
const localOnly = servicePort({
  name: 'local-only',
  type: 'NodePort',
  clusterIP: '10.96.0.30',
  nodePort: 30090,
  externalPolicyLocal: true,
  endpoints: [endpoint('10.244.2.9', 80, { isLocal: false, nodeName: 'node-b' })],
});
const table = renderListenerTable(snapshot([web, sticky, hashed, empty, localOnly]), []);

const tcp = (destination: string, port: number, source = '203.0.113.7'): TracedConnection => ({ protocol: 'TCP', destination, port, source, origin: 'external' });
const trace = (c: TracedConnection) => userspaceTracer.trace(table, c, NODE);

test('a ClusterIP listener relays to its backends; the backend sees the node', () => {
  const v = trace(tcp('10.96.0.10', 80));
  assert.equal(v.outcome, 'answered');
  assert.deepEqual(v.endpoints, ['10.244.1.5:8080', '10.244.2.7:8080']);
  assert.equal(v.masqueraded, true);
  assert.equal(v.sticky, false);
  assert.match(v.steps[0]!.where, /TCP\/10\.96\.0\.10:80/);
});

test('the wildcard NodePort listener serves every node address, and only those', () => {
  assert.equal(trace(tcp('192.0.2.10', 30080)).outcome, 'answered');
  assert.equal(trace(tcp('10.244.0.1', 30080)).outcome, 'answered');
  assert.equal(trace(tcp('127.0.0.1', 30080, '127.0.0.1')).outcome, 'answered');
  assert.equal(trace(tcp('198.51.100.9', 30080)).outcome, 'passed');
});

test('NodePorts bound on given addresses serve only those', () => {
  const only = renderListenerTable(snapshot([web]), ['192.0.2.10']);
  assert.equal(userspaceTracer.trace(only, tcp('192.0.2.10', 30080), NODE).outcome, 'answered');
  assert.equal(userspaceTracer.trace(only, tcp('10.244.0.1', 30080), NODE).outcome, 'passed');
});

test('protocol and port must match the listener', () => {
  assert.equal(trace({ ...tcp('10.96.0.10', 80), protocol: 'UDP' }).outcome, 'passed');
  assert.equal(trace(tcp('10.96.0.10', 81)).outcome, 'passed');
});

test('loadBalancerSourceRanges: other sources are held unanswered', () => {
  assert.equal(trace(tcp('198.51.100.1', 80, '203.0.113.7')).outcome, 'answered');
  const refused = trace(tcp('198.51.100.1', 80, '192.0.2.99'));
  assert.equal(refused.outcome, 'dropped');
  assert.deepEqual(refused.endpoints, []);
});

test('reject and drop listeners refuse as the table says', () => {
  assert.equal(trace(tcp('10.96.0.20', 443)).outcome, 'rejected');
  assert.equal(trace(tcp('192.0.2.10', 30090)).outcome, 'dropped');
});

test('ClientIP affinity and address-hashing schedulers are sticky', () => {
  assert.equal(trace(tcp('10.96.0.11', 80)).sticky, true);
  assert.equal(trace(tcp('10.96.0.12', 80)).sticky, true);
});
