// Incremental builds: what `changed`, `staleUDP` and `triggerTimes` say, and which objects are reused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceModel } from '../../src/model/service-model.js';
import { node, service, slice, UNREADY } from './fixtures.js';

const START = Date.parse('2024-05-01T00:00:00Z');

function model() {
  return new ServiceModel({ hostname: 'me', defaultScheduler: 'rr', serviceProxyName: '', now: () => START });
}
const udp = (name: string, ip: string) => service(name, { clusterIP: ip, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] });
const udpSlice = (name: string, svc: string, ips: string[], extra: Parameters<typeof slice>[3] = {}) =>
  slice(name, svc, ips.map((ip) => ({ addresses: [ip] })), { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }], ...extra });

test('first build lists every key as changed; an unchanged rebuild lists none and reuses every object', () => {
  const m = model();
  m.replace('api', [service('a'), service('b', { clusterIP: '10.0.0.2' })]);
  const first = m.buildSnapshot();
  assert.deepEqual([...first.changed].sort(), ['ns/a:http', 'ns/b:http']);
  const second = m.buildSnapshot();
  assert.equal(second.generation, first.generation + 1);
  assert.equal(second.changed.size, 0);
  assert.equal(second.families.IPv4, first.families.IPv4, 'an untouched family is the same object');
});

test('an endpoint change rebuilds only its Service; other ServicePorts are the same objects', () => {
  const m = model();
  m.replace('api', [service('a'), service('b', { clusterIP: '10.0.0.2' }), slice('a-1', 'a', [{ addresses: ['10.1.0.1'] }])]);
  const first = m.buildSnapshot();
  m.upsert('api', slice('a-1', 'a', [{ addresses: ['10.1.0.1'] }, { addresses: ['10.1.0.2'] }]));
  const second = m.buildSnapshot();
  assert.deepEqual([...second.changed], ['ns/a:http']);
  const [a1, a2] = [first, second].map((s) => s.families.IPv4.servicePorts.get('ns/a:http'));
  assert.notEqual(a1, a2);
  assert.equal(a2?.endpoints.length, 2);
  assert.equal(second.families.IPv4.servicePorts.get('ns/b:http'), first.families.IPv4.servicePorts.get('ns/b:http'));
});

test('a change that does not alter the ServicePort (e.g. a label) keeps the object and is not listed', () => {
  const m = model();
  m.replace('api', [service('a')]);
  const first = m.buildSnapshot();
  m.upsert('api', service('a', {}, { labels: { team: 'x' } }));
  assert.equal(m.pendingServiceChanges(), 1);
  const second = m.buildSnapshot();
  assert.equal(second.changed.size, 0);
  assert.equal(second.families.IPv4.servicePorts.get('ns/a:http'), first.families.IPv4.servicePorts.get('ns/a:http'));
});

test('removed Services and ports are listed as changed', () => {
  const m = model();
  m.replace('api', [service('a', { ports: [{ name: 'x', port: 1 }, { name: 'y', port: 2 }] })]);
  m.buildSnapshot();
  m.upsert('api', service('a', { ports: [{ name: 'x', port: 1 }] }));
  assert.deepEqual([...m.buildSnapshot().changed], ['ns/a:y']);
  m.remove('api', 'Service', 'ns', 'a');
  const s = m.buildSnapshot();
  assert.deepEqual([...s.changed], ['ns/a:x']);
  assert.equal(s.families.IPv4.servicePorts.size, 0);
});

test('staleUDP: a UDP port gaining its first endpoint or losing an endpoint IP', () => {
  const m = model();
  m.replace('api', [udp('dns', '10.0.0.10'), service('web')]);
  assert.equal(m.buildSnapshot().staleUDP.size, 0, 'no endpoints yet: nothing stale');
  m.upsert('api', udpSlice('dns-1', 'dns', ['10.1.0.1']));
  assert.deepEqual([...m.buildSnapshot().staleUDP], ['ns/dns:dns'], 'first endpoint');
  m.upsert('api', udpSlice('dns-1', 'dns', ['10.1.0.1', '10.1.0.2']));
  assert.equal(m.buildSnapshot().staleUDP.size, 0, 'adding a second endpoint is not stale');
  m.upsert('api', slice('dns-1', 'dns', [{ addresses: ['10.1.0.1'] }, { addresses: ['10.1.0.2'], conditions: UNREADY }], { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }));
  assert.deepEqual([...m.buildSnapshot().staleUDP], ['ns/dns:dns'], 'an endpoint became unusable');
  m.upsert('api', slice('web-1', 'web', [{ addresses: ['10.1.0.7'] }]));
  assert.equal(m.buildSnapshot().staleUDP.size, 0, 'TCP ports are never stale');
  m.remove('api', 'Service', 'ns', 'dns');
  assert.deepEqual([...m.buildSnapshot().staleUDP], ['ns/dns:dns'], 'a removed port lost its endpoints');
});

test('triggerTimes: earliest trigger-time annotation per key, ignoring times before start and bad values', () => {
  const m = model();
  const at = (t: string) => ({ annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': t } });
  m.replace('api', [service('web'), service('db', { clusterIP: '10.0.0.2' })]);
  m.buildSnapshot();
  m.upsert('api', slice('web-1', 'web', [{ addresses: ['10.1.0.1'] }], at('2024-05-01T00:00:09Z')));
  m.upsert('api', slice('web-2', 'web', [{ addresses: ['10.1.0.2'] }], at('2024-05-01T00:00:05.5Z')));
  m.upsert('api', slice('db-1', 'db', [{ addresses: ['10.1.0.3'] }], at('2024-04-30T23:59:59Z')));
  m.upsert('api', slice('db-2', 'db', [{ addresses: ['10.1.0.4'] }], at('yesterday')));
  const s = m.buildSnapshot();
  assert.deepEqual([...s.triggerTimes], [['ns/web:http', START + 5500]]);
  assert.equal(m.buildSnapshot().triggerTimes.size, 0, 'consumed by the build');
});

test('a zone label change on the own Node re-applies topology hints to every Service', () => {
  const m = model();
  const hinted = slice('web-1', 'web', [
    { addresses: ['10.1.0.1'], hints: { forZones: [{ name: 'a' }] } },
    { addresses: ['10.1.0.2'], hints: { forZones: [{ name: 'b' }] } },
  ]);
  m.replace('api', [service('web'), hinted, node('me', { 'topology.kubernetes.io/zone': 'a' })]);
  const ips = () => m.buildSnapshot().families.IPv4.servicePorts.get('ns/web:http')?.selection.cluster.map((e) => e.ip);
  assert.deepEqual(ips(), ['10.1.0.1']);
  m.upsert('api', node('me', { 'topology.kubernetes.io/zone': 'b' }));
  assert.deepEqual(ips(), ['10.1.0.2']);
  let changes = 0;
  m.onChange(() => changes++);
  m.upsert('api', node('someone-else', { 'topology.kubernetes.io/zone': 'c' }));
  assert.equal(changes, 0, 'other Nodes do not matter');
});

test('a slice relabelled to another Service moves its endpoints', () => {
  const m = model();
  m.replace('api', [service('a'), service('b', { clusterIP: '10.0.0.2' }), slice('s-1', 'a', [{ addresses: ['10.1.0.1'] }])]);
  m.buildSnapshot();
  m.upsert('api', slice('s-1', 'b', [{ addresses: ['10.1.0.1'] }]));
  const s = m.buildSnapshot();
  assert.deepEqual([...s.changed].sort(), ['ns/a:http', 'ns/b:http']);
  assert.equal(s.families.IPv4.servicePorts.get('ns/a:http')?.endpoints.length, 0);
  assert.equal(s.families.IPv4.servicePorts.get('ns/b:http')?.endpoints.length, 1);
});
