// The IPVS tracer over programs the real renderer writes: kube-ipvs0 addresses are local, the virtual
// server decides the endpoints, the companion iptables rules (walked with the program's ipsets) decide
// masquerading, the LB source-range firewall and the VIP filter.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IpvsRenderer } from '../../../src/dataplane/ipvs/renderer.js';
import { IpvsTracer } from '../../../src/dataplane/ipvs/tracer.js';
import type { IpvsProgram } from '../../../src/dataplane/ipvs/program.js';
import { TraceUnsupported, type TracedConnection } from '../../../src/explain/trace.js';
import type { ServicePort } from '../../../src/model/types.js';
import { ep, servicePort, snapshot } from '../fixtures.js';

const NODE = '192.0.2.10';
const NODE6 = '2001:db8::10';
const node = { localAddresses: [NODE, '127.0.0.1', NODE6, '::1'] };
const tracer = new IpvsTracer();

function program(ports: readonly ServicePort[], more: ConstructorParameters<typeof IpvsRenderer>[0] = {}): IpvsProgram {
  return new IpvsRenderer({
    nodeIPs: [NODE, NODE6],
    detectLocal: { mode: 'ClusterCIDR', clusterCIDR: '10.244.0.0/16,fd00:244::/56', bridgeInterface: '', interfaceNamePrefix: '' },
    localAddresses: () => [{ address: NODE, interface: 'eth0' }, { address: '127.0.0.1', interface: 'lo' }, { address: NODE6, interface: 'eth0' }],
    ...more,
  }).render({ snapshot: snapshot(ports), previous: undefined, full: true });
}

const pod = (destination: string, port: number, source = '10.244.0.5'): TracedConnection =>
  ({ protocol: 'TCP', destination, port, source, origin: 'pod', inInterface: 'veth1' });
const outside = (destination: string, port: number, source = '198.51.100.7'): TracedConnection =>
  ({ protocol: 'TCP', destination, port, source, origin: 'external', inInterface: 'eth0' });
const fromNode = (destination: string, port: number, source = NODE): TracedConnection =>
  ({ protocol: 'TCP', destination, port, source, origin: 'node' });

const web = (extra: Partial<ServicePort> = {}) =>
  servicePort({ name: 'web', clusterIP: '10.96.0.10', type: 'NodePort', nodePort: 30080, endpoints: [ep('10.244.1.1', 8080), ep('10.244.2.1', 8080, true)], ...extra });

test("ClusterIP from a pod: the virtual server's real servers, source kept", () => {
  const v = tracer.trace(program([web()]), pod('10.96.0.10', 80), node);
  assert.deepEqual([v.outcome, [...v.endpoints].sort(), v.masqueraded, v.sticky], ['answered', ['10.244.1.1:8080', '10.244.2.1:8080'], false, false]);
  assert.ok(v.steps.some((s) => s.where === 'virtual server TCP 10.96.0.10:80'));
});

test('ClusterIP from the node leaves from the ClusterIP and is masqueraded', () => {
  const v = tracer.trace(program([web()]), fromNode('10.96.0.10', 80), node);
  assert.deepEqual([v.outcome, v.masqueraded, v.source], ['answered', true, '10.96.0.10']);
});

test('NodePort on a node address from outside is marked and masqueraded; a port nothing serves passes', () => {
  const v = tracer.trace(program([web()]), outside(NODE, 30080), node);
  assert.deepEqual([v.outcome, v.masqueraded], ['answered', true]);
  assert.ok(v.steps.some((s) => s.where === 'nat KUBE-NODE-PORT' && /KUBE-MARK-MASQ/.test(s.rule)));
  assert.equal(tracer.trace(program([web()]), outside(NODE, 22), node).outcome, 'passed');
});

test('another port on a kube-ipvs0 address is rejected by KUBE-IPVS-FILTER', () => {
  const v = tracer.trace(program([web()]), pod('10.96.0.10', 22), node);
  assert.equal(v.outcome, 'rejected');
  assert.equal(v.steps.at(-1)!.where, 'filter KUBE-IPVS-FILTER');
});

test('ExternalIP: Cluster policy masquerades, Local policy keeps the source and uses the local endpoint', () => {
  const cluster = tracer.trace(program([web({ externalIPs: ['203.0.113.5'] })]), outside('203.0.113.5', 80), node);
  assert.deepEqual([cluster.outcome, cluster.masqueraded], ['answered', true]);
  const local = tracer.trace(program([web({ externalIPs: ['203.0.113.5'], externalPolicyLocal: true })]), outside('203.0.113.5', 80), node);
  assert.deepEqual([local.outcome, local.endpoints, local.masqueraded], ['answered', ['10.244.2.1:8080'], false]);
});

test('ETP Local without local endpoints falls back to the cluster endpoints (upstream PR 97081)', () => {
  const sp = web({ externalPolicyLocal: true, endpoints: [ep('10.244.1.1', 8080)] });
  const v = tracer.trace(program([sp]), outside(NODE, 30080), node);
  assert.deepEqual([v.outcome, v.endpoints, v.masqueraded], ['answered', ['10.244.1.1:8080'], false]);
});

test('LB source ranges: an allowed client is answered, others are dropped, the node outside the ranges too', () => {
  const lb = web({ type: 'LoadBalancer', loadBalancerIPs: [{ ip: '203.0.113.9', ipMode: 'VIP' }], loadBalancerSourceRanges: ['198.51.100.0/28'] });
  const p = program([lb]);
  assert.equal(tracer.trace(p, outside('203.0.113.9', 80, '198.51.100.7'), node).outcome, 'answered');
  const no = tracer.trace(p, outside('203.0.113.9', 80, '198.51.100.99'), node);
  assert.equal(no.outcome, 'dropped');
  assert.ok(no.steps.some((s) => s.where === 'filter KUBE-SOURCE-RANGES-FIREWALL'));
  const self = tracer.trace(p, fromNode('203.0.113.9', 80), node);
  assert.deepEqual([self.outcome, self.steps.at(-1)!.where], ['dropped', 'filter KUBE-IPVS-OUT-FILTER']);
});

test('no real servers: rejected (ICMP port unreachable)', () => {
  const v = tracer.trace(program([web({ endpoints: [] })]), pod('10.96.0.10', 80), node);
  assert.deepEqual([v.outcome, v.endpoints], ['rejected', []]);
});

test('masquerade-all masquerades pod traffic to a ClusterIP', () => {
  const v = tracer.trace(program([web()], { masqueradeAll: true }), pod('10.96.0.10', 80), node);
  assert.deepEqual([v.outcome, v.masqueraded], ['answered', true]);
});

test('affinity (persistence) and source hashing are sticky; mh with mh-port is not', () => {
  const sticky = (sp: ServicePort) => tracer.trace(program([sp]), pod('10.96.0.10', 80), node).sticky;
  assert.equal(sticky(web({ sessionAffinity: { type: 'ClientIP', timeoutSeconds: 600 } })), true);
  assert.equal(sticky(web({ scheduler: 'sh' })), true);
  assert.equal(sticky(web({ scheduler: 'mh' })), false);
  assert.equal(sticky(web()), false);
});

test('a pod reaching itself through the ClusterIP is masqueraded (KUBE-LOOP-BACK)', () => {
  const v = tracer.trace(program([web({ endpoints: [ep('10.244.2.1', 8080, true)] })]), pod('10.96.0.10', 80, '10.244.2.1'), node);
  assert.deepEqual([v.outcome, v.masqueraded], ['answered', true]);
  assert.ok(v.steps.some((s) => /KUBE-LOOP-BACK/.test(s.rule)));
});

test("IPv6: ClusterIP and NodePort on the node's IPv6 address", () => {
  const sp = servicePort({ name: 'v6', clusterIP: 'fd00:96::10', protocol: 'UDP', port: 53, type: 'NodePort', nodePort: 30053, endpoints: [ep('fd00:244::1', 5353)] });
  const p = program([sp], { families: ['IPv6'] });
  const v = tracer.trace(p, { protocol: 'UDP', destination: 'fd00:96::10', port: 53, source: 'fd00:244::5', origin: 'pod', inInterface: 'veth1' }, node);
  assert.deepEqual([v.outcome, v.endpoints, v.masqueraded], ['answered', ['[fd00:244::1]:5353'], false]);
  const n = tracer.trace(p, { protocol: 'UDP', destination: NODE6, port: 30053, source: '2001:db8::99', origin: 'external', inInterface: 'eth0' }, node);
  assert.deepEqual([n.outcome, n.masqueraded], ['answered', true]);
});

test('a companion rule the tracer does not know makes it fail closed', () => {
  const p = program([web()]);
  const fp = p.families[0]!;
  const nat = fp.nat.replace('*nat\n', '*nat\n-A KUBE-SERVICES -m owner --uid-owner 0 -j ACCEPT\n');
  assert.throws(() => tracer.trace({ ...p, families: [{ ...fp, nat }] }, pod('10.96.0.10', 80), node), TraceUnsupported);
});
