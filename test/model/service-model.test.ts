// The model as a SourceSink: validation, origins, conflicts, errors, listeners.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceModel } from '../../src/model/service-model.js';
import type { KubeObject } from '../../src/model/objects.js';
import { InputError } from '../../src/model/input-error.js';
import { service, slice } from './fixtures.js';

function model() {
  const m = new ServiceModel({ hostname: 'me', defaultScheduler: 'rr', serviceProxyName: '' });
  const errors: InputError[] = [];
  let changes = 0;
  m.onError((e) => errors.push(e));
  m.onChange(() => changes++);
  return { m, errors, changes: () => changes };
}
const keys = (m: ServiceModel) => [...m.buildSnapshot().families.IPv4.servicePorts.keys()];
const portOf = (m: ServiceModel, key = 'ns/web:http') => m.buildSnapshot().families.IPv4.servicePorts.get(key);

test('an invalid update is reported and the last good version stays in force', () => {
  const { m, errors } = model();
  m.upsert('api', service('web', { clusterIP: '10.0.0.1' }));
  m.upsert('api', service('web', { clusterIP: 'bogus' }));
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.details.field, 'spec.clusterIP');
  assert.equal(portOf(m)?.clusterIP, '10.0.0.1');
  assert.equal(m.errors().length, 1);
  m.upsert('api', service('web', { clusterIP: '10.0.0.2' }));
  assert.equal(m.errors().length, 0, 'cleared once the object loads cleanly');
  assert.equal(portOf(m)?.clusterIP, '10.0.0.2');
});

test('replace: an invalid object keeps its last good version, the rest of the batch applies, missing objects go', () => {
  const { m, errors } = model();
  m.replace('file.yaml', [service('web'), service('db', { clusterIP: '10.0.0.2' }), service('old', { clusterIP: '10.0.0.3' })]);
  m.replace('file.yaml', [
    service('web', { ports: [{ name: 'http', port: 0 }] }),
    service('db', { clusterIP: '10.0.0.9' }),
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } } as unknown as KubeObject,
  ]);
  assert.deepEqual(keys(m), ['ns/db:http', 'ns/web:http']);
  assert.equal(portOf(m, 'ns/db:http')?.clusterIP, '10.0.0.9');
  assert.equal(portOf(m)?.port, 80);
  assert.deepEqual(errors.map((e) => e.code), ['KPROXY_INVALID', 'KPROXY_KIND']);
  m.replace('file.yaml', [service('web')]);
  assert.deepEqual(m.errors(), [], 'replacing the origin clears its errors');
});

test('the same object from two origins: the first keeps it, the second is reported until the first lets go', () => {
  const { m, errors } = model();
  m.upsert('a.yaml', service('web', { clusterIP: '10.0.0.1' }));
  m.upsert('b.yaml', service('web', { clusterIP: '10.0.0.2' }));
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.code, 'KPROXY_CONFLICT');
  assert.equal(errors[0]!.details.origin, 'b.yaml');
  assert.match(errors[0]!.message, /b\.yaml: Service ns\/web: is already defined by a\.yaml/);
  assert.equal(portOf(m)?.clusterIP, '10.0.0.1');
  m.replace('a.yaml', []);
  assert.equal(portOf(m)?.clusterIP, '10.0.0.2', 'the waiting origin takes over');
  assert.equal(m.errors().length, 0);
});

test('two Services on one IP:port/protocol: the later-created one loses that port, naming both', () => {
  const { m, errors } = model();
  const older = service('old', { clusterIP: '10.0.0.5' }, { creationTimestamp: '2024-01-01T00:00:00Z' });
  const newer = service('new', { clusterIP: '10.0.0.6', externalIPs: ['10.0.0.5'] }, { creationTimestamp: '2024-02-01T00:00:00Z' });
  m.replace('api', [newer, older]);
  assert.deepEqual(keys(m), ['ns/old:http']);
  const conflict = errors.find((e) => e.code === 'KPROXY_CONFLICT');
  assert.ok(conflict);
  assert.equal(conflict.details.name, 'new');
  assert.equal(conflict.details.field, 'spec.ports[0]');
  assert.match(conflict.message, /10\.0\.0\.5:80\/TCP is already served by Service ns\/old/);
  m.remove('api', 'Service', 'ns', 'old');
  assert.deepEqual(keys(m), ['ns/new:http'], 'the loser serves once the conflict is gone');
  assert.equal(m.errors().length, 0);
});

test('same IP on a different port or protocol is no conflict; without timestamps namespace/name decides', () => {
  const { m } = model();
  m.replace('api', [
    service('a', { clusterIP: '10.0.0.5' }),
    service('b', { clusterIP: '10.0.0.5', ports: [{ name: 'http', port: 80, protocol: 'UDP' }] }),
    service('c', { clusterIP: '10.0.0.5', ports: [{ name: 'http', port: 81 }] }),
    service('d', { clusterIP: '10.0.0.5' }),
  ]);
  assert.deepEqual(keys(m), ['ns/a:http', 'ns/b:http', 'ns/c:http']);
});

test('node port conflicts are detected too', () => {
  const { m, errors } = model();
  const np = (name: string, ip: string) => service(name, { type: 'NodePort', clusterIP: ip, ports: [{ name: 'http', port: 80, nodePort: 30080 }] });
  m.replace('api', [np('a', '10.0.0.1'), np('b', '10.0.0.2')]);
  assert.deepEqual(keys(m), ['ns/a:http']);
  assert.match(errors[0]!.message, /node port 30080\/TCP/);
});

test('onChange fires once per batch that needs a sync, not for no-op updates or unproxied objects', () => {
  const { m, changes } = model();
  m.replace('api', [service('web'), service('other', { clusterIP: '10.0.0.2' })]);
  assert.equal(changes(), 1);
  m.upsert('api', service('web'));
  assert.equal(changes(), 1, 'deep-equal update is a no-op');
  m.upsert('api', service('ext', { type: 'ExternalName', clusterIP: '', externalName: 'x.example' }));
  assert.equal(changes(), 1, 'ExternalName Services need no sync');
  m.upsert('api', slice('web-1', 'web', [{ addresses: ['10.1.0.1'] }]));
  assert.equal(changes(), 2);
  m.upsert('api', slice('nobody-1', 'nobody', [{ addresses: ['10.1.0.1'] }]));
  assert.equal(changes(), 2, 'a slice of an unknown Service needs no sync');
});

test('pending change counters count Services with unsynced changes and reset on build', () => {
  const { m } = model();
  m.replace('svc', [service('web'), service('db', { clusterIP: '10.0.0.2' })]);
  m.upsert('eps', slice('web-1', 'web', [{ addresses: ['10.1.0.1'] }]));
  m.upsert('eps', slice('web-2', 'web', [{ addresses: ['10.1.0.2'] }]));
  assert.deepEqual([m.pendingServiceChanges(), m.pendingEndpointChanges()], [2, 1]);
  m.buildSnapshot();
  assert.deepEqual([m.pendingServiceChanges(), m.pendingEndpointChanges()], [0, 0]);
});

test('isSynced needs every named source; reportError is kept and surfaced', () => {
  const { m, errors } = model();
  m.synced('files');
  assert.equal(m.isSynced(['files']), true);
  assert.equal(m.isSynced(['files', 'api']), false);
  m.reportError(new InputError({ code: 'KPROXY_PARSE', origin: 'bad.yaml', reason: 'not YAML' }));
  assert.equal(errors.length, 1);
  assert.equal(m.errors().length, 1);
  m.replace('bad.yaml', []);
  assert.equal(m.errors().length, 0, 'a later clean read of the origin clears it');
});

test('remove of an unknown object, or by an origin that does not hold it, changes nothing', () => {
  const { m, changes } = model();
  m.upsert('a', service('web'));
  m.remove('b', 'Service', 'ns', 'web');
  m.remove('a', 'Service', 'ns', 'nope');
  assert.equal(changes(), 1);
  assert.deepEqual(keys(m), ['ns/web:http']);
});
