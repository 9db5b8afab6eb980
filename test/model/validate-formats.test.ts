// The API server's formats that files skip: object and port names, special endpoint and external IPs, an
// external IP of a family the Service does not have, and an endpoint that is the Service's own ClusterIP.
// Each bad value is refused with origin, object and field; other objects keep working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateObject } from '../../src/model/validate.js';
import { ServiceModel } from '../../src/model/service-model.js';
import type { InputError } from '../../src/model/input-error.js';
import { service, slice } from './fixtures.js';

const ORIGIN = 'manifests/app.yaml#1';

function errorsOf(obj: unknown, limits = {}): string[] {
  const r = validateObject(obj, ORIGIN, limits);
  assert.equal(r.object === undefined, r.errors.length > 0);
  return r.errors.map((e) => `${e.details.field}: ${e.details.reason}`);
}

test('a port name a tool cannot quote (a"b) is refused naming the field', () => {
  const [e, ...rest] = validateObject(service('q', { ports: [{ name: 'a"b', port: 80 }] }), ORIGIN).errors;
  assert.deepEqual(rest, []);
  assert.equal(e!.message, `${ORIGIN}: Service ns/q: spec.ports[0].name: got "a\\"b", must be an IANA service name: only lower-case letters, digits and "-"`);
});

test('Service port names follow IANA_SVC_NAME: at most 15, lower-case alnum and "-", a letter, no "--"', () => {
  for (const bad of ['http-alternative', 'HTTP', '8080', 'a--b', '-a', 'a-', 'a b', 'a_b']) {
    assert.equal(errorsOf(service('s', { ports: [{ name: bad, port: 80 }] })).length, 1, bad);
  }
  for (const good of ['http', 'h2c', 'a-b-c', 'p8080', 'abcdefghijklmno']) assert.deepEqual(errorsOf(service('s', { ports: [{ name: good, port: 80 }] })), [], good);
  assert.equal(errorsOf(service('s', { ports: [{ name: 'http', port: 80, targetPort: 'Bad Name' }] })).length, 1);
});

test('names: Service a DNS-1035 label (63), namespace a DNS-1123 label, EndpointSlice a DNS-1123 subdomain', () => {
  const long = 'a'.repeat(300);
  assert.match(errorsOf(service(long))[0]!, /^metadata\.name: got "a+\.\.\., is 300 characters long, at most 63 are allowed$/);
  assert.equal(errorsOf(service('a'.repeat(64))).length, 1);
  assert.deepEqual(errorsOf(service('a'.repeat(63))), []);
  assert.match(errorsOf(service('1web'))[0]!, /DNS-1035 label/);
  assert.match(errorsOf(service('web', {}, { namespace: 'Prod' }))[0]!, /^metadata\.namespace: .*DNS-1123 label/);
  assert.deepEqual(errorsOf(slice('web.abc-1', 'web', [{ addresses: ['10.1.0.1'] }])), []);
  assert.match(errorsOf(slice('web_1', 'web', [{ addresses: ['10.1.0.1'] }]))[0]!, /DNS-1123 subdomain/);
  assert.match(errorsOf(slice('web-1', 'web', [{ addresses: ['10.1.0.1'] }], { ports: [{ name: 'a"b', port: 80 }] }))[0]!, /^ports\[0\]\.name: .*DNS-1123 label/);
  assert.match(errorsOf(slice('web-1', 'we"b', [{ addresses: ['10.1.0.1'] }]))[0]!, /^metadata\.labels\["kubernetes\.io\/service-name"\]: .*label value/);
});

test('endpoint addresses: unspecified, loopback, link-local, multicast and broadcast are refused', () => {
  for (const ip of ['0.0.0.0', '255.255.255.255', '127.0.0.1', '169.254.169.254', '224.0.0.5', '239.1.2.3']) {
    const errors = errorsOf(slice('web-1', 'web', [{ addresses: ['10.1.0.1'] }, { addresses: [ip] }]));
    assert.equal(errors.length, 1, ip);
    assert.match(errors[0]!, new RegExp(`^endpoints\\[1\\]\\.addresses\\[0\\]: got "${ip.replaceAll('.', '\\.')}", may not be`), ip);
  }
  for (const ip of ['::', '::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1']) {
    assert.equal(errorsOf(slice('web-1', 'web', [{ addresses: [ip] }], { addressType: 'IPv6' })).length, 1, ip);
  }
  assert.deepEqual(errorsOf(slice('web-1', 'web', [{ addresses: ['127.0.20.1'] }]), { allowLoopbackEndpoints: true }), [], 'userspace mode');
  assert.equal(errorsOf(slice('web-1', 'web', [{ addresses: ['0.0.0.0'] }]), { allowLoopbackEndpoints: true }).length, 1);
});

test('external IPs: special addresses are refused; one of a family without a ClusterIP is accepted with a warning', () => {
  assert.match(errorsOf(service('web', { externalIPs: ['127.0.0.1'] }))[0]!, /^spec\.externalIPs\[0\]: .*loopback/);
  const r = validateObject(service('web', { externalIPs: ['203.0.113.7', '2001:db8::7'] }), ORIGIN);
  assert.deepEqual(r.errors, []);
  assert.ok(r.object);
  assert.equal(r.warnings?.length, 1);
  assert.equal(r.warnings![0]!.code, 'KPROXY_UNSUPPORTED');
  assert.equal(
    r.warnings![0]!.message,
    `${ORIGIN}: Service ns/web: spec.externalIPs[1]: got "2001:db8::7", an IPv6 address, but the Service has only IPv4 ClusterIPs; this external IP is ignored`,
  );
});

test('the model: a bad update keeps the last good version, other Services apply, the warning is said once', () => {
  const errors: InputError[] = [];
  const m = new ServiceModel({ hostname: 'me', defaultScheduler: 'rr', serviceProxyName: '' });
  m.onError((e) => errors.push(e));
  m.replace('a.yaml', [service('q', { clusterIP: '10.0.0.9' }), service('web', { clusterIP: '10.0.0.1' })]);
  m.replace('a.yaml', [
    service('q', { clusterIP: '10.0.0.9', ports: [{ name: 'a"b', port: 81 }] }),
    service('web', { clusterIP: '10.0.0.1', ports: [{ name: 'http', port: 8080 }], externalIPs: ['fd00::1'] }),
  ]);
  const ports = m.buildSnapshot().families.IPv4.servicePorts;
  assert.equal(ports.get('ns/q:http')?.port, 80, 'last good version of q');
  assert.equal(ports.get('ns/web:http')?.port, 8080, 'web applied');
  assert.deepEqual(errors.map((e) => `${e.code} ${e.details.name} ${e.details.field}`), ['KPROXY_INVALID q spec.ports[0].name', 'KPROXY_UNSUPPORTED web spec.externalIPs[0]']);
  m.upsert('a.yaml', service('web', { clusterIP: '10.0.0.1', ports: [{ name: 'http', port: 8080 }], externalIPs: ['fd00::1'] }));
  assert.equal(errors.length, 2, 'not repeated');
});

test('an endpoint that is its own Service ClusterIP is left out and reported naming the slice; fixed, the error goes', () => {
  const errors: InputError[] = [];
  const m = new ServiceModel({ hostname: 'me', defaultScheduler: 'rr', serviceProxyName: '' });
  m.onError((e) => errors.push(e));
  m.replace('a.yaml', [service('web', { clusterIP: '10.0.0.1' }), slice('web-1', 'web', [{ addresses: ['10.1.0.1'] }, { addresses: ['10.0.0.1'] }])]);
  const ep = m.buildSnapshot().families.IPv4.servicePorts.get('ns/web:http')!.endpoints;
  assert.deepEqual(ep.map((e) => e.ip), ['10.1.0.1']);
  assert.equal(
    errors[0]?.message,
    'a.yaml: EndpointSlice ns/web-1: endpoints[1].addresses[0]: got "10.0.0.1", the ClusterIP of its own Service ns/web; traffic to it would loop, so this endpoint is left out',
  );
  assert.equal(m.errors().length, 1);
  m.upsert('a.yaml', slice('web-1', 'web', [{ addresses: ['10.1.0.1'] }]));
  m.buildSnapshot();
  assert.equal(m.errors().length, 0);
});

test('an IPv6 address with a zone ("fe80::1%eth0", accepted by node:net) is not an IP, as the API server says', () => {
  assert.match(errorsOf(service('web', { clusterIP: 'fd00::1%eth0', clusterIPs: ['fd00::1%eth0'] }))[0]!, /^spec\.clusterIP: .*must be an IPv4 or IPv6 address/);
  assert.match(errorsOf(service('web', { loadBalancerSourceRanges: ['fd00::%1/64'] }))[0]!, /must be a CIDR/);
});

test('IPv6 addresses are compared as upstream prints them: FD96::A and fd96::a are one ClusterIP', () => {
  const errors: InputError[] = [];
  const m = new ServiceModel({ hostname: 'me', defaultScheduler: 'rr', serviceProxyName: '' });
  m.onError((e) => errors.push(e));
  const v6 = (name: string, ip: string) => service(name, { clusterIP: ip, clusterIPs: [ip], ipFamilies: ['IPv6'] }, { creationTimestamp: name === 'a' ? '2024-01-01T00:00:00Z' : '2024-01-02T00:00:00Z' });
  m.replace('a.yaml', [v6('a', 'FD96::A'), v6('b', 'fd96:0::a'), slice('a-1', 'a', [{ addresses: ['FD44::5'] }], { addressType: 'IPv6' })]);
  const ports = m.buildSnapshot().families.IPv6.servicePorts;
  assert.equal(ports.get('ns/a:http')?.clusterIP, 'fd96::a');
  assert.deepEqual(ports.get('ns/a:http')?.endpoints.map((e) => e.ip), ['fd44::5']);
  assert.equal(ports.get('ns/b:http'), undefined, 'b claims the same address and is younger');
  assert.match(errors[0]?.message ?? '', /Service ns\/b: spec\.ports\[0\]: \[fd96::a\]:80\/TCP is already served by Service ns\/a/);
});
