import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectEndpoints, type SelectionOptions, type SelectionService } from '../../src/model/endpoint-selector.js';
import type { Endpoint } from '../../src/model/types.js';
import { endpoint, TERMINATING, UNREADY } from './fixtures.js';

const ON_NODE: SelectionOptions = { nodeName: 'me', nodeLabels: { 'topology.kubernetes.io/zone': 'zone-a' } };
const CLUSTER: SelectionService = { internalPolicyLocal: false, externalPolicyLocal: false, externallyAccessible: false };
const INTERNAL_LOCAL: SelectionService = { internalPolicyLocal: true, externalPolicyLocal: false, externallyAccessible: false };
const EXTERNAL_LOCAL: SelectionService = { internalPolicyLocal: false, externalPolicyLocal: true, externallyAccessible: true };

const ips = (eps: readonly Endpoint[]): string[] => eps.map((e) => e.ip);
const local = (ip: string, fields: Partial<Endpoint> = {}): Endpoint => endpoint(ip, { nodeName: 'me', isLocal: true, ...fields });

test('no endpoints: everything empty and hasAny false', () => {
  const s = selectEndpoints([], CLUSTER, ON_NODE);
  assert.deepEqual([s.cluster.length, s.local.length, s.allReachable.length, s.hasAny], [0, 0, 0, false]);
});

test('Cluster policy uses every ready endpoint and no local set', () => {
  const s = selectEndpoints([endpoint('10.1.0.1'), endpoint('10.1.0.2', UNREADY), local('10.1.0.3')], CLUSTER, ON_NODE);
  assert.deepEqual(ips(s.cluster), ['10.1.0.1', '10.1.0.3']);
  assert.deepEqual(ips(s.local), []);
  assert.deepEqual(ips(s.allReachable), ['10.1.0.1', '10.1.0.3']);
  assert.equal(s.hasAny, true);
});

test('Cluster policy falls back to serving-terminating endpoints when none is ready', () => {
  const eps = [endpoint('10.1.0.1', TERMINATING), endpoint('10.1.0.2', UNREADY), endpoint('10.1.0.3', { ...TERMINATING, serving: false })];
  const s = selectEndpoints(eps, CLUSTER, ON_NODE);
  assert.deepEqual(ips(s.cluster), ['10.1.0.1']);
  assert.equal(s.hasAny, true);
  assert.ok(s.notes.some((n) => n.includes('serving-terminating')));
});

test('only unready endpoints: nothing usable, hasAny false (upstream rejects such a port)', () => {
  const s = selectEndpoints([endpoint('10.1.0.1', UNREADY)], CLUSTER, ON_NODE);
  assert.deepEqual([s.cluster.length, s.hasAny], [0, false]);
});

test('internal Local policy uses only local ready endpoints and no cluster set', () => {
  const s = selectEndpoints([endpoint('10.1.0.1'), local('10.1.0.2'), local('10.1.0.3', TERMINATING)], INTERNAL_LOCAL, ON_NODE);
  assert.deepEqual(ips(s.cluster), []);
  assert.deepEqual(ips(s.local), ['10.1.0.2']);
  assert.deepEqual(ips(s.allReachable), ['10.1.0.2']);
  assert.equal(s.hasAny, true);
});

test('Local policy falls back to local serving-terminating endpoints, independently of Cluster', () => {
  const eps = [endpoint('10.1.0.1'), local('10.1.0.2', TERMINATING)];
  const s = selectEndpoints(eps, EXTERNAL_LOCAL, ON_NODE);
  assert.deepEqual(ips(s.cluster), ['10.1.0.1']);
  assert.deepEqual(ips(s.local), ['10.1.0.2']);
  assert.deepEqual(ips(s.allReachable), ['10.1.0.1', '10.1.0.2']);
});

test('Local policy without local endpoints: local empty but hasAny true (traffic is dropped, not rejected)', () => {
  const s = selectEndpoints([endpoint('10.1.0.1')], INTERNAL_LOCAL, ON_NODE);
  assert.deepEqual([s.local.length, s.hasAny], [0, true]);
});

test('internal Local but externally accessible also computes Cluster endpoints (for external traffic)', () => {
  const svc = { internalPolicyLocal: true, externalPolicyLocal: false, externallyAccessible: true };
  const s = selectEndpoints([endpoint('10.1.0.1'), local('10.1.0.2')], svc, ON_NODE);
  assert.deepEqual(ips(s.cluster), ['10.1.0.1', '10.1.0.2']);
  assert.deepEqual(ips(s.local), ['10.1.0.2']);
});

test('external Local on a port that is not externally accessible does not use Local endpoints', () => {
  const svc = { internalPolicyLocal: false, externalPolicyLocal: true, externallyAccessible: false };
  const s = selectEndpoints([endpoint('10.1.0.1'), local('10.1.0.2')], svc, ON_NODE);
  assert.deepEqual(ips(s.local), []);
});

const zoned = (ip: string, zones: string[], fields: Partial<Endpoint> = {}): Endpoint => endpoint(ip, { zoneHints: zones, ...fields });

test('zone hints restrict Cluster endpoints to those hinted for the node zone', () => {
  const eps = [zoned('10.1.0.1', ['zone-a']), zoned('10.1.0.2', ['zone-b'])];
  assert.deepEqual(ips(selectEndpoints(eps, CLUSTER, ON_NODE).cluster), ['10.1.0.1']);
});

test('zone hints are ignored when an endpoint lacks one, when none is for this zone, or the node has no zone', () => {
  const missing = [zoned('10.1.0.1', ['zone-a']), endpoint('10.1.0.2')];
  assert.deepEqual(ips(selectEndpoints(missing, CLUSTER, ON_NODE).cluster), ['10.1.0.1', '10.1.0.2']);
  const otherZone = [zoned('10.1.0.1', ['zone-b']), zoned('10.1.0.2', ['zone-c'])];
  const s = selectEndpoints(otherZone, CLUSTER, ON_NODE);
  assert.deepEqual(ips(s.cluster), ['10.1.0.1', '10.1.0.2']);
  assert.ok(s.notes.some((n) => n.includes('zone-a')));
  const noLabel = selectEndpoints([zoned('10.1.0.1', ['zone-a']), zoned('10.1.0.2', ['zone-b'])], CLUSTER, { nodeName: 'me', nodeLabels: {} });
  assert.deepEqual(ips(noLabel.cluster), ['10.1.0.1', '10.1.0.2']);
});

test('only ready endpoints are judged for hints; unready ones without hints do not disable topology', () => {
  const eps = [zoned('10.1.0.1', ['zone-a']), zoned('10.1.0.2', ['zone-b']), endpoint('10.1.0.3', UNREADY)];
  assert.deepEqual(ips(selectEndpoints(eps, CLUSTER, ON_NODE).cluster), ['10.1.0.1']);
});

test('node hints (PreferSameNode) win over zone hints, and can be switched off', () => {
  const eps = [
    endpoint('10.1.0.1', { zoneHints: ['zone-a'], nodeHints: ['me'] }),
    endpoint('10.1.0.2', { zoneHints: ['zone-a'], nodeHints: ['other'] }),
  ];
  assert.deepEqual(ips(selectEndpoints(eps, CLUSTER, ON_NODE).cluster), ['10.1.0.1']);
  assert.deepEqual(ips(selectEndpoints(eps, CLUSTER, { ...ON_NODE, preferSameNode: false }).cluster), ['10.1.0.1', '10.1.0.2']);
});

test('node hints for other nodes only fall back to zone hints', () => {
  const eps = [
    endpoint('10.1.0.1', { zoneHints: ['zone-a'], nodeHints: ['x'] }),
    endpoint('10.1.0.2', { zoneHints: ['zone-b'], nodeHints: ['y'] }),
  ];
  assert.deepEqual(ips(selectEndpoints(eps, CLUSTER, ON_NODE).cluster), ['10.1.0.1']);
});

test('requireTopologyOptIn: hints apply only with trafficDistribution or the topology annotation', () => {
  const eps = [zoned('10.1.0.1', ['zone-a']), zoned('10.1.0.2', ['zone-b'])];
  const opts = { ...ON_NODE, requireTopologyOptIn: true };
  assert.deepEqual(ips(selectEndpoints(eps, CLUSTER, opts).cluster), ['10.1.0.1', '10.1.0.2']);
  assert.deepEqual(ips(selectEndpoints(eps, { ...CLUSTER, trafficDistribution: 'PreferClose' }, opts).cluster), ['10.1.0.1']);
  assert.deepEqual(ips(selectEndpoints(eps, { ...CLUSTER, topologyAnnotation: 'Auto' }, opts).cluster), ['10.1.0.1']);
  assert.deepEqual(ips(selectEndpoints(eps, { ...CLUSTER, topologyAnnotation: 'Disabled' }, opts).cluster), ['10.1.0.1', '10.1.0.2']);
});

test('topology-filtered Cluster plus Local: allReachable merges a local endpoint hinted elsewhere', () => {
  const eps = [zoned('10.1.0.1', ['zone-a']), local('10.1.0.2', { zoneHints: ['zone-b'] })];
  const s = selectEndpoints(eps, EXTERNAL_LOCAL, ON_NODE);
  assert.deepEqual(ips(s.cluster), ['10.1.0.1']);
  assert.deepEqual(ips(s.local), ['10.1.0.2']);
  assert.deepEqual(ips(s.allReachable), ['10.1.0.1', '10.1.0.2']);
});

test('serving-terminating Cluster fallback ignores topology', () => {
  const eps = [zoned('10.1.0.1', ['zone-b'], TERMINATING), zoned('10.1.0.2', ['zone-a'], TERMINATING)];
  assert.deepEqual(ips(selectEndpoints(eps, CLUSTER, ON_NODE).cluster), ['10.1.0.1', '10.1.0.2']);
});

test('IPv6 endpoints are selected the same way', () => {
  const s = selectEndpoints([endpoint('fd00::1'), local('fd00::2')], INTERNAL_LOCAL, ON_NODE);
  assert.deepEqual(ips(s.local), ['fd00::2']);
});

test('the selection is frozen', () => {
  const s = selectEndpoints([endpoint('10.1.0.1'), endpoint('10.1.0.2', UNREADY)], CLUSTER, ON_NODE);
  assert.ok(Object.isFrozen(s) && Object.isFrozen(s.cluster) && Object.isFrozen(s.allReachable) && Object.isFrozen(s.notes));
});
