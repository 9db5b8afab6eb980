// What buildSnapshot produces: skipped Services, ServicePort fields, slice merging, dual stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceModel, type ServiceModelOptions } from '../../src/model/service-model.js';
import type { KubeObject } from '../../src/model/objects.js';
import type { Snapshot } from '../../src/model/types.js';
import { node, service, slice, TERMINATING } from './fixtures.js';

function build(objects: KubeObject[], opts: Partial<ServiceModelOptions> = {}): Snapshot {
  const m = new ServiceModel({ hostname: 'me', defaultScheduler: 'rr', serviceProxyName: '', ...opts });
  m.replace('api', objects);
  return m.buildSnapshot();
}
const v4 = (s: Snapshot, key = 'ns/web:http') => s.families.IPv4.servicePorts.get(key);
const v6 = (s: Snapshot, key = 'ns/web:http') => s.families.IPv6.servicePorts.get(key);
const addrs = (eps: readonly { ip: string; port: number }[] | undefined) => (eps ?? []).map((e) => `${e.ip}:${e.port}`);

test('headless, ExternalName, headless-labelled and empty-clusterIP Services are skipped', () => {
  const s = build([
    service('none', { clusterIP: 'None' }),
    service('empty', { clusterIP: '' }),
    service('ext', { type: 'ExternalName', externalName: 'db.example', clusterIP: '' }),
    service('lbl', {}, { labels: { 'service.kubernetes.io/headless': '' } }),
    service('web'),
  ]);
  assert.deepEqual([...s.families.IPv4.servicePorts.keys()], ['ns/web:http']);
});

test('service-proxy-name: the default proxy skips labelled Services; a named proxy takes only its own', () => {
  const mine = service('mine', { clusterIP: '10.0.0.2' }, { labels: { 'service.kubernetes.io/service-proxy-name': 'kproxy' } });
  const theirs = service('theirs', { clusterIP: '10.0.0.3' }, { labels: { 'service.kubernetes.io/service-proxy-name': 'other' } });
  const objects = [service('web'), mine, theirs];
  assert.deepEqual([...build(objects).families.IPv4.servicePorts.keys()], ['ns/web:http']);
  assert.deepEqual([...build(objects, { serviceProxyName: 'kproxy' }).families.IPv4.servicePorts.keys()], ['ns/mine:http']);
});

test('ServicePort fields: type, node port, affinity, policies, health check port, scheduler annotation', () => {
  const svc = service(
    'web',
    {
      type: 'LoadBalancer',
      ports: [{ name: 'http', port: 80, nodePort: 30080 }],
      externalTrafficPolicy: 'Local',
      healthCheckNodePort: 32000,
      sessionAffinity: 'ClientIP',
      loadBalancerSourceRanges: [' 192.168.0.0/16 ', 'fd00::/8'],
    },
    { annotations: { 'kproxy.io/scheduler': 'lc' } },
  );
  const p = v4(build([{ ...svc, status: { loadBalancer: { ingress: [{ ip: '1.1.1.1' }, { ip: '2.2.2.2', ipMode: 'Proxy' }, { hostname: 'lb.example' }] } } }]));
  assert.ok(p);
  assert.deepEqual(
    [p.type, p.nodePort, p.externalPolicyLocal, p.internalPolicyLocal, p.healthCheckNodePort, p.scheduler, p.protocol],
    ['LoadBalancer', 30080, true, false, 32000, 'lc', 'TCP'],
  );
  assert.deepEqual(p.sessionAffinity, { type: 'ClientIP', timeoutSeconds: 10800 });
  assert.deepEqual(p.loadBalancerIPs, [{ ip: '1.1.1.1', ipMode: 'VIP' }, { ip: '2.2.2.2', ipMode: 'Proxy' }]);
  assert.deepEqual(p.loadBalancerSourceRanges, ['192.168.0.0/16']);
});

test('health check node port only for LoadBalancer with Local external policy; default scheduler otherwise', () => {
  const np = v4(build([service('web', { type: 'NodePort', externalTrafficPolicy: 'Local', healthCheckNodePort: 32000, ports: [{ name: 'http', port: 80, nodePort: 30080 }] })]));
  assert.deepEqual([np?.healthCheckNodePort, np?.externalPolicyLocal, np?.scheduler], [0, true, 'rr']);
  const cl = v4(build([service('web', { externalTrafficPolicy: 'Local' })]));
  assert.equal(cl?.externalPolicyLocal, false, 'a plain ClusterIP Service takes no external traffic');
});

test('slices merge: ports matched by name and protocol, duplicates once with the local copy, sorted by IP then port', () => {
  const s = build([
    service('web', { ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
    slice('web-b', 'web', [{ addresses: ['10.1.0.9'] }, { addresses: ['10.1.0.2'], nodeName: 'me' }]),
    slice('web-a', 'web', [{ addresses: ['10.1.0.2'], nodeName: 'other' }, { addresses: ['10.1.0.1'] }]),
    slice('web-c', 'web', [{ addresses: ['10.1.0.5'] }], { ports: [{ name: 'dns', port: 5353, protocol: 'UDP' }, { name: 'http', port: 9090, protocol: 'UDP' }] }),
    slice('web-d', 'web', [{ addresses: ['web.example'] }], { addressType: 'FQDN' }),
  ]);
  const http = v4(s);
  assert.deepEqual(addrs(http?.endpoints), ['10.1.0.1:8080', '10.1.0.2:8080', '10.1.0.9:8080']);
  const dup = http?.endpoints.find((e) => e.ip === '10.1.0.2');
  assert.deepEqual([dup?.isLocal, dup?.nodeName], [true, 'me']);
  assert.deepEqual(addrs(v4(s, 'ns/web:dns')?.endpoints), ['10.1.0.5:5353']);
});

test('an unnamed single port matches a slice port with no name or an empty name', () => {
  const s = build([
    service('web', { ports: [{ port: 80 }] }),
    slice('web-1', 'web', [{ addresses: ['10.1.0.1'] }], { ports: [{ port: 8080 }] }),
    slice('web-2', 'web', [{ addresses: ['10.1.0.2'] }], { ports: [{ name: '', port: 8081, protocol: 'TCP' }] }),
  ]);
  assert.deepEqual(addrs(v4(s, 'ns/web:')?.endpoints), ['10.1.0.1:8080', '10.1.0.2:8081']);
});

test('endpoint conditions default to ready and serving; selection reflects the node', () => {
  const s = build([
    service('web', { internalTrafficPolicy: 'Local' }),
    slice('web-1', 'web', [{ addresses: ['10.1.0.1'], nodeName: 'me', conditions: TERMINATING }, { addresses: ['10.1.0.2'], nodeName: 'x' }]),
  ]);
  const p = v4(s);
  assert.deepEqual(p?.endpoints.map((e) => [e.ready, e.serving, e.terminating, e.isLocal]), [[false, true, true, true], [true, true, false, false]]);
  assert.deepEqual(addrs(p?.selection.local), ['10.1.0.1:8080']);
});

test('dual stack: one ServicePort per family with a ClusterIP; endpoints and addresses filtered to the family', () => {
  const svc = service('web', {
    clusterIP: '10.0.0.1',
    clusterIPs: ['10.0.0.1', 'fd00::1'],
    ipFamilies: ['IPv4', 'IPv6'],
    externalIPs: ['1.2.3.4', '2001:db8::4'],
  });
  const objects = [svc, slice('web-4', 'web', [{ addresses: ['10.1.0.1'] }]), slice('web-6', 'web', [{ addresses: ['fd01::1'] }], { addressType: 'IPv6' })];
  const s = build(objects);
  assert.deepEqual([v4(s)?.clusterIP, v4(s)?.externalIPs, addrs(v4(s)?.endpoints)], ['10.0.0.1', ['1.2.3.4'], ['10.1.0.1:8080']]);
  assert.deepEqual([v6(s)?.clusterIP, v6(s)?.externalIPs, addrs(v6(s)?.endpoints)], ['fd00::1', ['2001:db8::4'], ['fd01::1:8080']]);
  const v4only = build(objects, { ipFamilies: ['IPv4'] });
  assert.equal(v4only.families.IPv6.servicePorts.size, 0, 'a family not served stays empty');
  const single = build([service('web', { clusterIP: 'fd00::9', ipFamilies: ['IPv6'], clusterIPs: ['fd00::9'] })]);
  assert.deepEqual([v4(single), v6(single)?.clusterIP], [undefined, 'fd00::9']);
});

test('the own Node: default without a Node object; labels, addresses, podCIDRs, terminating from it', () => {
  const m = new ServiceModel({ hostname: 'me', defaultScheduler: 'rr', serviceProxyName: '' });
  assert.deepEqual(m.node(), { name: 'me', labels: {}, addresses: [], podCIDRs: [], terminating: false });
  m.replace('api', [
    node('someone-else', { zone: 'z' }),
    node('me', { 'topology.kubernetes.io/zone': 'zone-a' }, {
      spec: { podCIDRs: ['10.244.1.0/24'], taints: [{ key: 'ToBeDeletedByClusterAutoscaler', effect: 'NoSchedule' }] },
      status: { addresses: [{ type: 'InternalIP', address: '192.168.1.5' }, { type: 'Hostname', address: 'me' }] },
    }),
  ]);
  assert.deepEqual(m.node(), {
    name: 'me',
    labels: { 'topology.kubernetes.io/zone': 'zone-a' },
    addresses: ['192.168.1.5'],
    podCIDRs: ['10.244.1.0/24'],
    terminating: true,
  });
  assert.equal(m.buildSnapshot().node, m.node());
});

test('snapshots are frozen: ports, endpoints, maps and sets cannot be mutated', () => {
  const s = build([service('web'), slice('web-1', 'web', [{ addresses: ['10.1.0.1'], hints: { forZones: [{ name: 'a' }] } }])]);
  const p = v4(s)!;
  assert.ok(Object.isFrozen(s) && Object.isFrozen(s.families) && Object.isFrozen(s.families.IPv4) && Object.isFrozen(p));
  assert.ok(Object.isFrozen(p.endpoints) && Object.isFrozen(p.endpoints[0]) && Object.isFrozen(p.endpoints[0]!.zoneHints));
  assert.ok(Object.isFrozen(p.externalIPs) && Object.isFrozen(p.sessionAffinity) && Object.isFrozen(s.node.labels));
  for (const collection of [s.families.IPv4.servicePorts, s.changed, s.staleUDP, s.triggerTimes]) {
    assert.equal((collection as unknown as { set?: unknown }).set, undefined);
    assert.equal((collection as unknown as { add?: unknown }).add, undefined);
    assert.equal((collection as unknown as { delete?: unknown }).delete, undefined);
  }
});

test('family maps iterate sorted by key, also after later additions', () => {
  const m = new ServiceModel({ hostname: 'me', defaultScheduler: 'rr', serviceProxyName: '' });
  m.replace('api', ['m', 'c', 'x'].map((n, i) => service(n, { clusterIP: `10.0.0.${i + 1}` })));
  m.buildSnapshot();
  m.upsert('api', service('a', { clusterIP: '10.0.0.10' }));
  m.upsert('api', service('n', { clusterIP: '10.0.0.11' }));
  m.remove('api', 'Service', 'ns', 'x');
  assert.deepEqual([...m.buildSnapshot().families.IPv4.servicePorts.keys()], ['ns/a:http', 'ns/c:http', 'ns/m:http', 'ns/n:http']);
});
