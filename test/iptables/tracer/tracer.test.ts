// The iptables tracer over programs the real renderer writes (upstream's TestOverallIPTablesRules services
// and a few more): each test names the rule graph path the README describes and checks the verdict.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IptablesRenderer } from '../../../src/dataplane/iptables/renderer.js';
import { IptablesTracer } from '../../../src/dataplane/iptables/tracer.js';
import { TraceUnsupported, type TracedConnection } from '../../../src/explain/trace.js';
import type { IptablesProgram } from '../../../src/dataplane/iptables/program.js';
import type { ServicePort } from '../../../src/model/types.js';
import { ep, ipv6Services, localEp, overallServices, servicePort, snapshot } from '../fixtures.js';

const detectLocal = { mode: 'ClusterCIDR' as const, clusterCIDR: '10.0.0.0/8,fd00:10:244::/56', bridgeInterface: '', interfaceNamePrefix: '' };
const node = { localAddresses: ['192.168.0.2', '127.0.0.1', '2001:db8::2'] };
const tracer = new IptablesTracer();

function program(ports: readonly ServicePort[] = overallServices(), opts: ConstructorParameters<typeof IptablesRenderer>[0] = {}): IptablesProgram {
  return new IptablesRenderer({ detectLocal, ...opts }).render({ snapshot: snapshot(ports), previous: undefined, full: true });
}

const fromPod = (destination: string, port: number, extra: Partial<TracedConnection> = {}): TracedConnection =>
  ({ protocol: 'TCP', destination, port, source: '10.0.1.5', origin: 'pod', inInterface: 'veth1', ...extra });
const fromOutside = (destination: string, port: number, source = '198.51.100.7'): TracedConnection =>
  ({ protocol: 'TCP', destination, port, source, origin: 'external', inInterface: 'eth0' });
const fromNode = (destination: string, port: number): TracedConnection =>
  ({ protocol: 'TCP', destination, port, source: '192.168.0.2', origin: 'node' });

test('ClusterIP from a pod: KUBE-SERVICES → KUBE-SVC → KUBE-SEP DNAT, not masqueraded', () => {
  const v = tracer.trace(program(), fromPod('172.30.0.41', 80), node);
  assert.deepEqual([v.outcome, v.endpoints, v.masqueraded, v.sticky], ['answered', ['10.180.0.1:80'], false, false]);
  assert.deepEqual(v.steps.slice(0, 4).map((s) => s.where), ['nat PREROUTING', 'nat KUBE-SERVICES', 'nat KUBE-SVC-XPGD46QRK7WJZT7O', 'nat KUBE-SEP-SXIVWICOYRO3J4NJ']);
  // Every jump taken is a step, even into a chain that then returns (KUBE-POSTROUTING: not marked).
  assert.ok(v.steps.some((s) => s.where === 'nat POSTROUTING' && s.rule.endsWith('-j KUBE-POSTROUTING')));
  assert.match(v.steps[3]!.rule, /DNAT --to-destination 10.180.0.1:80/);
});

test('ClusterIP from the node is masqueraded (not from the cluster CIDR)', () => {
  const v = tracer.trace(program(), fromNode('172.30.0.41', 80), node);
  assert.deepEqual([v.outcome, v.endpoints, v.masqueraded], ['answered', ['10.180.0.1:80'], true]);
  assert.ok(v.steps.some((s) => s.where === 'nat KUBE-POSTROUTING' && /MASQUERADE/.test(s.rule)));
});

test('random probability chains: every endpoint is reachable', () => {
  const v = tracer.trace(program(), fromPod('172.30.0.44', 80), node);
  assert.deepEqual([...v.endpoints].sort(), ['10.180.0.4:80', '10.180.0.5:80']);
});

test('NodePort on a node address from outside: KUBE-NODEPORTS → KUBE-EXT, masqueraded', () => {
  const v = tracer.trace(program(), fromOutside('192.168.0.2', 3003), node);
  assert.deepEqual([v.outcome, v.endpoints, v.masqueraded], ['answered', ['10.180.0.3:80'], true]);
  assert.ok(v.steps.some((s) => s.where === 'nat KUBE-NODEPORTS'));
});

test('ExternalIP from outside is masqueraded (Cluster policy)', () => {
  const v = tracer.trace(program(), fromOutside('192.168.99.33', 80), node);
  assert.equal(v.outcome, 'answered');
  assert.equal(v.masqueraded, true);
});

test('LB with source ranges: allowed source answered with affinity, others dropped by KUBE-PROXY-FIREWALL', () => {
  const ok = tracer.trace(program(), fromOutside('5.6.7.8', 80, '203.0.113.9'), node);
  assert.deepEqual([ok.outcome, ok.endpoints, ok.sticky], ['answered', ['10.180.0.3:80'], true]);
  const no = tracer.trace(program(), fromOutside('5.6.7.8', 80, '198.51.100.7'), node);
  assert.equal(no.outcome, 'dropped');
  assert.ok(no.steps.some((s) => s.where === 'filter KUBE-PROXY-FIREWALL'));
});

test('no endpoints: the ClusterIP is rejected in filter KUBE-SERVICES', () => {
  const v = tracer.trace(program(), fromPod('172.30.0.46', 80), node);
  assert.equal(v.outcome, 'rejected');
  assert.deepEqual(v.endpoints, []);
  assert.match(v.steps.at(-1)!.rule, /has no endpoints.*REJECT/);
});

test('ETP Local without local endpoints: dropped from outside, pods and the node short-circuit to the cluster', () => {
  assert.equal(tracer.trace(program(), fromOutside('192.168.0.2', 3001), node).outcome, 'dropped');
  assert.equal(tracer.trace(program(), fromOutside('1.2.3.4', 80), node).outcome, 'dropped');
  const pod = tracer.trace(program(), fromPod('1.2.3.4', 80), node);
  assert.deepEqual([pod.outcome, pod.endpoints, pod.masqueraded], ['answered', ['10.180.0.2:80'], false]);
  const self = tracer.trace(program(), fromNode('1.2.3.4', 80), node);
  assert.deepEqual([self.outcome, self.masqueraded], ['answered', true]);
});

test('ETP Local with a local endpoint: outside traffic keeps its source and reaches only the local one', () => {
  const sp = servicePort({
    namespace: 'ns', name: 'loc', clusterIP: '172.30.0.50', type: 'NodePort', nodePort: 30050, externalPolicyLocal: true,
    endpoints: [ep('10.180.1.1', 80), localEp('10.0.1.9', 80)],
  });
  const v = tracer.trace(program([sp]), fromOutside('192.168.0.2', 30050), node);
  assert.deepEqual([v.outcome, v.endpoints, v.masqueraded], ['answered', ['10.0.1.9:80'], false]);
});

test('masquerade-all masquerades pod traffic to a ClusterIP', () => {
  const v = tracer.trace(program(overallServices(), { masqueradeAll: true }), fromPod('172.30.0.41', 80), node);
  assert.deepEqual([v.outcome, v.masqueraded], ['answered', true]);
});

test('IPv6 UDP NodePort on the given address; an address with no Service passes', () => {
  const p = program(ipv6Services(), { families: ['IPv6'], nodePortAddresses: ['2001:db8::2'] });
  const v = tracer.trace(p, { protocol: 'UDP', destination: '2001:db8::2', port: 30053, source: '2001:db8::99', origin: 'external', inInterface: 'eth0' }, node);
  assert.equal(v.outcome, 'answered');
  assert.deepEqual([...v.endpoints].sort(), ['[fd00:10:244::1]:5353', '[fd00:10:244::2]:5353', '[fd00:10:244::3]:5353']);
  assert.equal(tracer.trace(p, { protocol: 'UDP', destination: 'fd00:10:96::99', port: 53, source: 'fd00:10:244::5', origin: 'pod', inInterface: 'veth1' }, node).outcome, 'passed');
  assert.equal(tracer.trace(p, { protocol: 'SCTP', destination: 'fd00:10:96::b', port: 7777, source: 'fd00:10:244::5', origin: 'pod', inInterface: 'veth1' }, node).outcome, 'rejected');
});

test('a rule the tracer does not know makes it fail closed', () => {
  const p = program([overallServices()[0]!]);
  const fam = p.families[0]!;
  const nat = { ...fam.nat, rules: ['-A KUBE-SERVICES -m time --timestart 09:00 -j ACCEPT', ...fam.nat.rules] };
  const odd: IptablesProgram = { ...p, families: [{ ...fam, nat }] };
  assert.throws(() => tracer.trace(odd, fromPod('172.30.0.41', 80), node), TraceUnsupported);
});

test('pods told apart by interface: a pod on veth* keeps its source; without an interface the tracer says it cannot tell', () => {
  const byIface = { ...detectLocal, mode: 'InterfaceNamePrefix' as const, interfaceNamePrefix: 'veth' };
  const p = program([overallServices()[0]!], { detectLocal: byIface });
  const v = tracer.trace(p, fromPod('172.30.0.41', 80), node);
  assert.deepEqual([v.outcome, v.masqueraded], ['answered', false]);
  assert.equal(tracer.trace(p, fromPod('172.30.0.41', 80, { inInterface: 'eth0' }), node).masqueraded, true);
  assert.throws(() => tracer.trace(p, { ...fromPod('172.30.0.41', 80), inInterface: undefined }, node), TraceUnsupported);
});

test('a partial-sync program is refused: its unchanged chains are not in it', () => {
  const r = new IptablesRenderer({ detectLocal });
  const prev = snapshot(overallServices());
  r.render({ snapshot: prev, previous: undefined, full: true });
  const partial = r.render({ snapshot: snapshot(overallServices(), { changed: [] }), previous: prev, full: false });
  assert.throws(() => tracer.trace(partial, fromPod('172.30.0.41', 80), node), TraceUnsupported);
});
