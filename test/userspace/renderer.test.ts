import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserspaceRenderer } from '../../src/dataplane/userspace/renderer.js';
import type { ListenerSpec } from '../../src/dataplane/userspace/listener-table.js';
import { empty, endpoint, localOnly, servicePort, snapshot, syncInput } from './fixtures.js';

const web = servicePort({
  name: 'web',
  portName: 'http',
  type: 'LoadBalancer',
  clusterIP: '10.96.0.10',
  port: 80,
  nodePort: 30080,
  externalIPs: ['203.0.113.5'],
  loadBalancerIPs: [
    { ip: '198.51.100.1', ipMode: 'VIP' },
    { ip: '198.51.100.2', ipMode: 'Proxy' },
  ],
  loadBalancerSourceRanges: ['198.51.100.0/24'],
  sessionAffinity: { type: 'ClientIP', timeoutSeconds: 10800 },
  scheduler: 'wrr',
  endpoints: [endpoint('10.244.1.5', 8080), endpoint('10.244.2.7', 8080, { isLocal: false, nodeName: 'node-b' })],
});
const dns4 = servicePort({ namespace: 'kube-system', name: 'dns', portName: 'dns', protocol: 'UDP', clusterIP: '10.96.0.53', port: 53, endpoints: [endpoint('10.244.1.2', 53)] });
const dns6 = servicePort({ namespace: 'kube-system', name: 'dns', portName: 'dns', protocol: 'UDP', family: 'IPv6', clusterIP: 'fd00::53', port: 53, endpoints: [endpoint('fd00:244::2', 53)] });
const sctp4 = servicePort({ name: 'sig', protocol: 'SCTP', clusterIP: '10.96.0.40', port: 3868, endpoints: [endpoint('10.244.1.8', 3868)] });
const sctp6 = servicePort({ name: 'sig', protocol: 'SCTP', family: 'IPv6', clusterIP: 'fd00::40', port: 3868, endpoints: [endpoint('fd00:244::8', 3868)] });
const all = snapshot([web, empty, localOnly, dns4, dns6, sctp4, sctp6]);

const GOLDEN = `ADDRESS       PORT   PROTO  KIND          SERVICE PORT         ACTION  SCHED  AFFINITY         SOURCES          BACKENDS
10.96.0.20    443    TCP    ClusterIP     default/empty:       reject  rr     None             *                -
10.96.0.30    80     TCP    ClusterIP     default/local-only:  proxy   rr     None             *                10.244.2.9:80
0.0.0.0       30090  TCP    NodePort      default/local-only:  proxy   rr     None             *                -; from node: 10.244.2.9:80
10.96.0.10    80     TCP    ClusterIP     default/web:http     proxy   wrr    ClientIP/10800s  *                10.244.1.5:8080,10.244.2.7:8080
203.0.113.5   80     TCP    ExternalIP    default/web:http     proxy   wrr    ClientIP/10800s  *                10.244.1.5:8080,10.244.2.7:8080
198.51.100.1  80     TCP    LoadBalancer  default/web:http     proxy   wrr    ClientIP/10800s  198.51.100.0/24  10.244.1.5:8080,10.244.2.7:8080
0.0.0.0       30080  TCP    NodePort      default/web:http     proxy   wrr    ClientIP/10800s  *                10.244.1.5:8080,10.244.2.7:8080
10.96.0.53    53     UDP    ClusterIP     kube-system/dns:dns  proxy   rr     None             *                10.244.1.2:53
fd00::53      53     UDP    ClusterIP     kube-system/dns:dns  proxy   rr     None             *                [fd00:244::2]:53
# warning: default/sig:: SCTP is not supported in userspace mode
`;

test('format prints the sorted listener table with warnings (golden)', () => {
  const r = new UserspaceRenderer({ nodePortAddresses: [] });
  assert.equal(r.format(r.render(syncInput(all))), GOLDEN);
});

function byKind(ls: readonly ListenerSpec[], key: string, kind: ListenerSpec['kind']): ListenerSpec[] {
  return ls.filter((l) => l.servicePort === key && l.kind === kind);
}

test('a port without any endpoint rejects on every address; external Local without local endpoints serves only in-cluster clients', () => {
  const t = new UserspaceRenderer({ nodePortAddresses: [] }).render(syncInput(all));
  assert.deepEqual(byKind(t.listeners, 'default/empty:', 'ClusterIP').map((l) => l.action), ['reject']);
  assert.equal(byKind(t.listeners, 'default/empty:', 'ClusterIP')[0]?.inCluster, undefined);
  assert.equal(byKind(t.listeners, 'default/local-only:', 'ClusterIP')[0]?.action, 'proxy');
  const np = byKind(t.listeners, 'default/local-only:', 'NodePort')[0];
  assert.equal(np?.action, 'proxy');
  assert.deepEqual(np?.backends, []);
  assert.deepEqual(np?.inCluster?.backends.map((b) => b.id), ['10.244.2.9:80']);
});

test('externalTrafficPolicy Local sends external listeners to local endpoints only', () => {
  const p = servicePort({ ...web, name: 'web', portName: 'http', externalPolicyLocal: true, selection: undefined });
  const t = new UserspaceRenderer({ nodePortAddresses: [] }).render(syncInput(snapshot([p])));
  assert.deepEqual(byKind(t.listeners, p.key, 'ClusterIP')[0]?.backends.map((b) => b.id), ['10.244.1.5:8080', '10.244.2.7:8080']);
  for (const kind of ['ExternalIP', 'LoadBalancer', 'NodePort'] as const) {
    assert.deepEqual(byKind(t.listeners, p.key, kind)[0]?.backends.map((b) => b.id), ['10.244.1.5:8080'], kind);
  }
});

test('externalTrafficPolicy Local: external listeners send pods (--detect-local-mode) and the node to every endpoint', () => {
  const p = servicePort({ ...web, name: 'web', portName: 'http', externalPolicyLocal: true, selection: undefined });
  const detectLocal = { mode: 'ClusterCIDR', clusterCIDR: '10.244.0.0/16,fd00:244::/64', bridgeInterface: '', interfaceNamePrefix: '' } as const;
  const t = new UserspaceRenderer({ nodePortAddresses: [], detectLocal }).render(syncInput(snapshot([p])));
  assert.equal(byKind(t.listeners, p.key, 'ClusterIP')[0]?.inCluster, undefined);
  for (const kind of ['ExternalIP', 'LoadBalancer', 'NodePort'] as const) {
    const l = byKind(t.listeners, p.key, kind)[0];
    assert.deepEqual(l?.inCluster, { podCIDRs: ['10.244.0.0/16'], node: true, backends: byKind(t.listeners, p.key, 'ClusterIP')[0]?.backends }, kind);
  }
  assert.match(new UserspaceRenderer({ nodePortAddresses: [] }).format(t), /10\.244\.1\.5:8080; from 10\.244\.0\.0\/16,node: 10\.244\.1\.5:8080,10\.244\.2\.7:8080\n/);
  // Policy Cluster: nobody needs a route of their own.
  const cluster = new UserspaceRenderer({ nodePortAddresses: [], detectLocal }).render(syncInput(snapshot([web])));
  assert.deepEqual(cluster.listeners.filter((l) => l.inCluster), []);
});

test('the pods of an in-cluster route follow --detect-local-mode: the node pod CIDR, or none (warned) by interface', () => {
  const p = servicePort({ name: 'np', type: 'NodePort', nodePort: 30080, externalPolicyLocal: true, endpoints: [endpoint('10.244.2.7', 80, { isLocal: false })] });
  const node = { ...snapshot([p]), node: { ...snapshot([p]).node, podCIDRs: ['10.244.1.0/24'] } };
  const render = (mode: 'NodeCIDR' | 'BridgeInterface') =>
    new UserspaceRenderer({ nodePortAddresses: [], detectLocal: { mode, clusterCIDR: '10.244.0.0/16', bridgeInterface: 'cbr0', interfaceNamePrefix: '' } }).render(syncInput(node));
  const byNode = render('NodeCIDR');
  assert.deepEqual(byKind(byNode.listeners, p.key, 'NodePort')[0]?.inCluster?.podCIDRs, ['10.244.1.0/24']);
  assert.deepEqual(byNode.warnings, []);
  const byBridge = render('BridgeInterface');
  assert.deepEqual(byKind(byBridge.listeners, p.key, 'NodePort')[0]?.inCluster?.podCIDRs, []);
  assert.match(byBridge.warnings.join('\n'), /detectLocalMode BridgeInterface: userspace mode cannot see which interface/);
});

test('internalTrafficPolicy Local: the ClusterIP uses local endpoints, and drops without any', () => {
  const p = servicePort({ name: 'in', internalPolicyLocal: true, endpoints: [endpoint('10.244.2.1', 80, { isLocal: false })] });
  const t = new UserspaceRenderer({ nodePortAddresses: [] }).render(syncInput(snapshot([p])));
  assert.equal(t.listeners[0]?.action, 'drop');
});

test('NodePorts listen on the given node addresses of the family only', () => {
  const r = new UserspaceRenderer({ nodePortAddresses: ['192.0.2.10', '192.0.2.11', '2001:db8::10'] });
  const t = r.render(syncInput(all));
  assert.deepEqual(byKind(t.listeners, 'default/web:http', 'NodePort').map((l) => l.id), ['TCP/192.0.2.10:30080', 'TCP/192.0.2.11:30080']);
});

test('an invalid nodePortAddresses entry is refused naming the value', () => {
  assert.throws(() => new UserspaceRenderer({ nodePortAddresses: ['192.0.2.0/24'] }), /nodePortAddresses entry "192\.0\.2\.0\/24" is not an IP address/);
});

test('SCTP ports produce no listener and one warning per service port', () => {
  const t = new UserspaceRenderer({ nodePortAddresses: [] }).render(syncInput(all));
  assert.equal(t.listeners.filter((l) => l.servicePort === 'default/sig:').length, 0);
  assert.deepEqual(t.warnings, ['default/sig:: SCTP is not supported in userspace mode']);
});

test('two service ports claiming the same address and port: the first keeps it, the other is warned about', () => {
  const a = servicePort({ name: 'a', externalIPs: ['203.0.113.9'], clusterIP: '10.96.0.1', endpoints: [endpoint('10.244.1.1', 80)] });
  const b = servicePort({ name: 'b', externalIPs: ['203.0.113.9'], clusterIP: '10.96.0.2', endpoints: [endpoint('10.244.1.2', 80)] });
  const t = new UserspaceRenderer({ nodePortAddresses: [] }).render(syncInput(snapshot([a, b])));
  assert.equal(t.listeners.filter((l) => l.id === 'TCP/203.0.113.9:80').length, 1);
  assert.equal(t.listeners.find((l) => l.id === 'TCP/203.0.113.9:80')?.servicePort, 'default/a:');
  assert.match(t.warnings.join('\n'), /default\/b:: ExternalIP TCP\/203\.0\.113\.9:80 is already served for default\/a:/);
});
