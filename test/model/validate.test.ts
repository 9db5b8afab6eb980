import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateObject } from '../../src/model/validate.js';
import { service, slice, node } from './fixtures.js';

const ORIGIN = 'manifests/app.yaml#2';

/** Validates and returns the single error's details (fails when there is not exactly one). */
function onlyError(obj: unknown, limits = {}) {
  const { object, errors } = validateObject(obj, ORIGIN, limits);
  assert.equal(object, undefined);
  assert.equal(errors.length, 1, errors.map((e) => e.message).join('\n'));
  return errors[0]!.details;
}

test('valid objects pass and namespaced kinds get the default namespace', () => {
  const svc = service('web');
  delete (svc.metadata as { namespace?: string }).namespace;
  const r = validateObject(svc, ORIGIN);
  assert.deepEqual(r.errors, []);
  assert.equal(r.object?.metadata.namespace, 'default');
  assert.deepEqual(validateObject(slice('web-1', 'web', [{ addresses: ['10.1.0.1'] }]), ORIGIN).errors, []);
  assert.deepEqual(validateObject(node('n1'), ORIGIN).errors, []);
});

test('unsupported kind or apiVersion is KPROXY_KIND naming what is read', () => {
  const d = onlyError({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
  assert.equal(d.code, 'KPROXY_KIND');
  assert.match(d.reason, /ConfigMap/);
  assert.match(d.reason, /discovery\.k8s\.io\/v1 EndpointSlice/);
  const v = onlyError({ ...slice('s', 'web', []), apiVersion: 'discovery.k8s.io/v1beta1' });
  assert.equal(v.field, 'apiVersion');
  assert.equal(onlyError('text').code, 'KPROXY_KIND');
});

test('each error names origin, kind, namespace/name and field', () => {
  const d = onlyError(service('web', { ports: [{ name: 'http', port: 70000 }] }));
  assert.deepEqual(
    { origin: d.origin, kind: d.kind, namespace: d.namespace, name: d.name, field: d.field, code: d.code },
    { origin: ORIGIN, kind: 'Service', namespace: 'ns', name: 'web', field: 'spec.ports[0].port', code: 'KPROXY_INVALID' },
  );
  assert.match(d.reason, /70000.*1 to 65535/);
});

test('metadata.name is required', () => {
  const d = onlyError({ ...service('web'), metadata: { namespace: 'ns' } });
  assert.equal(d.field, 'metadata.name');
});

const serviceCases: [string, Parameters<typeof service>[1], string, RegExp][] = [
  ['bad clusterIP', { clusterIP: '10.0.0.300' }, 'spec.clusterIP', /10\.0\.0\.300/],
  ['bad externalIP', { externalIPs: ['1.2.3.4', 'nope'] }, 'spec.externalIPs[1]', /nope/],
  ['bad protocol', { ports: [{ port: 80, protocol: 'HTTP' as 'TCP' }] }, 'spec.ports[0].protocol', /TCP, UDP, SCTP/],
  ['port 0', { ports: [{ port: 0 }] }, 'spec.ports[0].port', /1 to 65535/],
  ['duplicate port/protocol', { ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80, protocol: 'TCP' }] }, 'spec.ports[1]', /80\/TCP.*spec\.ports\[0\]/],
  ['duplicate port name', { ports: [{ name: 'a', port: 80 }, { name: 'a', port: 81 }] }, 'spec.ports[1].name', /already used/],
  ['unnamed port among several', { ports: [{ name: 'a', port: 80 }, { port: 81 }] }, 'spec.ports[1].name', /needs a name/],
  ['bad source range', { type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/33'] }, 'spec.loadBalancerSourceRanges[0]', /10\.0\.0\.0\/33/],
  ['clusterIPs same family', { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1', '10.0.0.2'] }, 'spec.clusterIPs', /one IPv4 and one IPv6/],
  ['clusterIPs vs ipFamilies', { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ipFamilies: ['IPv6'] }, 'spec.ipFamilies[0]', /IPv4/],
  ['clusterIPs[0] differs', { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.2'] }, 'spec.clusterIPs[0]', /must equal spec.clusterIP/],
  ['affinity timeout', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } } }, 'spec.sessionAffinityConfig.clientIP.timeoutSeconds', /1 to 86400/],
  ['nodePort on ClusterIP', { ports: [{ port: 80, nodePort: 30080 }] }, 'spec.ports[0].nodePort', /NodePort or LoadBalancer/],
  ['bad traffic policy', { externalTrafficPolicy: 'Nearby' as 'Local' }, 'spec.externalTrafficPolicy', /Cluster, Local/],
];

for (const [what, spec, field, reason] of serviceCases) {
  test(`Service: ${what} is rejected at ${field}`, () => {
    const d = onlyError(service('web', spec));
    assert.equal(d.field, field);
    assert.match(d.reason, reason);
  });
}

test('Service: nodePort outside the configured range is rejected, inside accepted', () => {
  const spec = { type: 'NodePort' as const, ports: [{ port: 80, nodePort: 8080 }] };
  assert.equal(onlyError(service('web', spec), { nodePortRange: [30000, 32767] }).field, 'spec.ports[0].nodePort');
  assert.deepEqual(validateObject(service('web', spec), ORIGIN).errors, []);
});

test('Service: dual-stack clusterIPs, headless None, and LB ingress ipMode are accepted; a bad ingress IP is not', () => {
  const dual = service('web', { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1', 'fd00::1'], ipFamilies: ['IPv4', 'IPv6'] });
  assert.deepEqual(validateObject(dual, ORIGIN).errors, []);
  assert.deepEqual(validateObject(service('web', { clusterIP: 'None', clusterIPs: ['None'] }), ORIGIN).errors, []);
  const lb = { ...service('web', { type: 'LoadBalancer' }), status: { loadBalancer: { ingress: [{ ip: '1.2.3.4', ipMode: 'Proxy' as const }] } } };
  assert.deepEqual(validateObject(lb, ORIGIN).errors, []);
  const bad = { ...lb, status: { loadBalancer: { ingress: [{ ip: '1.2.3' }] } } };
  assert.equal(onlyError(bad).field, 'status.loadBalancer.ingress[0].ip');
});

test('EndpointSlice: addresses must match addressType; FQDN takes names', () => {
  const d = onlyError(slice('s', 'web', [{ addresses: ['fd00::1'] }]));
  assert.equal(d.field, 'endpoints[0].addresses[0]');
  assert.match(d.reason, /IPv4/);
  assert.deepEqual(validateObject(slice('s', 'web', [{ addresses: ['db.example'] }], { addressType: 'FQDN' }), ORIGIN).errors, []);
  assert.equal(onlyError({ ...slice('s', 'web', []), addressType: 'IPX' }).field, 'addressType');
});

test('EndpointSlice: empty addresses, bad conditions, bad port and duplicate port names are rejected', () => {
  assert.equal(onlyError(slice('s', 'web', [{ addresses: [] }])).field, 'endpoints[0].addresses');
  assert.equal(onlyError(slice('s', 'web', [{ addresses: ['10.1.0.1'], conditions: { ready: 'yes' as unknown as boolean } }])).field, 'endpoints[0].conditions.ready');
  assert.equal(onlyError(slice('s', 'web', [], { ports: [{ name: 'http', port: 0 }] })).field, 'ports[0].port');
  assert.equal(onlyError(slice('s', 'web', [], { ports: [{ name: 'a', port: 1 }, { name: 'a', port: 2 }] })).field, 'ports[1].name');
});

test('Node: bad InternalIP and podCIDR are rejected; Hostname addresses are names', () => {
  const bad = node('n1', {}, { status: { addresses: [{ type: 'InternalIP', address: 'host-1' }] } });
  assert.equal(onlyError(bad).field, 'status.addresses[0].address');
  assert.equal(onlyError(node('n1', {}, { spec: { podCIDR: '10.244.0.0' } })).field, 'spec.podCIDR');
  const ok = node('n1', {}, { status: { addresses: [{ type: 'Hostname', address: 'host-1' }] } });
  assert.deepEqual(validateObject(ok, ORIGIN).errors, []);
});

test('the error message alone names origin, object and field', () => {
  const { errors } = validateObject(service('web', { clusterIP: 'x' }), ORIGIN);
  assert.equal(errors[0]!.message, `${ORIGIN}: Service ns/web: spec.clusterIP: got "x", must be an IPv4 or IPv6 address`);
});
