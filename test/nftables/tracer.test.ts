// The nftables packet tracer on programs the real renderer produced: each Service shape kproxy programs,
// traced from a pod, from outside and from the node, and an expression the tracer does not know.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NftRenderer, type NftRendererOptions } from '../../src/dataplane/nftables/renderer.js';
import { nftablesTracer } from '../../src/dataplane/nftables/tracer.js';
import { parseRule } from '../../src/dataplane/nftables/rule-expressions.js';
import type { NftProgram } from '../../src/dataplane/nftables/program.js';
import { TraceUnsupported, type TracedConnection } from '../../src/explain/trace.js';
import type { ServicePort } from '../../src/model/types.js';
import { endpoint } from '../fixtures/service-ports.js';
import { ep, servicePort, snapshot } from './fixtures.js';

const NODE = { localAddresses: ['10.77.0.1', 'fd77::1'] };
const CLUSTER = { mode: 'ClusterCIDR' as const, clusterCIDR: '10.244.0.0/16,fd44::/64', bridgeInterface: '', interfaceNamePrefix: '' };
const BASE: NftRendererOptions = { detectLocal: CLUSTER, nodeIPs: ['10.77.0.1', 'fd77::1'], nodePortAddresses: ['10.77.0.1', 'fd77::1'] };

function program(ports: ServicePort[], opts: NftRendererOptions = BASE): NftProgram {
  return new NftRenderer(opts).render({ snapshot: snapshot(ports), previous: undefined, full: true });
}

const fromPod = (destination: string, port: number, extra: Partial<TracedConnection> = {}): TracedConnection => ({
  protocol: 'TCP',
  destination,
  port,
  source: destination.includes(':') ? 'fd44::5' : '10.244.1.5',
  origin: 'pod',
  ...extra,
});
const fromOutside = (destination: string, port: number, source = '192.0.2.9'): TracedConnection => ({ protocol: 'TCP', destination, port, source, origin: 'external' });
const fromNode = (destination: string, port: number): TracedConnection => ({ protocol: 'TCP', destination, port, source: '10.77.0.1', origin: 'node' });

const localEp = (ip: string) => endpoint(ip, 8080, { nodeName: 'node-a', isLocal: true });

test('ClusterIP from a pod: every endpoint, not masqueraded; from outside the cluster CIDR: masqueraded', () => {
  const p = program([servicePort('web', '10.96.0.10', [ep('10.244.2.1'), ep('10.244.2.2')])]);
  const v = nftablesTracer.trace(p, fromPod('10.96.0.10', 80), NODE);
  assert.equal(v.outcome, 'answered');
  assert.deepEqual(v.endpoints, ['10.244.2.1:8080', '10.244.2.2:8080']);
  assert.equal(v.masqueraded, false);
  assert.equal(v.sticky, false);
  assert.ok(v.steps.some((s) => s.where === 'service-ips' && s.rule.startsWith('10.96.0.10 . tcp . 80 : goto cluster-ip-')));
  assert.ok(v.steps.some((s) => s.where === 'endpoints-ip-tcp'));
  assert.equal(nftablesTracer.trace(p, fromNode('10.96.0.10', 80), NODE).masqueraded, true);
  // Another port of the same ClusterIP: rejected by cluster-ips-check; another address: left alone.
  assert.equal(nftablesTracer.trace(p, fromPod('10.96.0.10', 81), NODE).outcome, 'rejected');
  assert.equal(nftablesTracer.trace(p, fromPod('10.96.0.11', 80), NODE).outcome, 'passed');
  // UDP to a TCP port is not the Service either.
  assert.equal(nftablesTracer.trace(p, fromPod('10.96.0.10', 80, { protocol: 'UDP' }), NODE).outcome, 'rejected');
});

test('NodePort on a node address, from outside and from the node; other addresses are not NodePorts', () => {
  const p = program([servicePort('np', '10.96.0.20', [ep('10.244.2.1')], { type: 'NodePort', nodePort: 30080 })]);
  const outside = nftablesTracer.trace(p, fromOutside('10.77.0.1', 30080), NODE);
  assert.deepEqual([outside.outcome, outside.endpoints, outside.masqueraded], ['answered', ['10.244.2.1:8080'], true]);
  const node = nftablesTracer.trace(p, fromNode('10.77.0.1', 30080), NODE);
  assert.deepEqual([node.outcome, node.masqueraded], ['answered', true]);
  assert.equal(nftablesTracer.trace(p, fromOutside('10.77.0.2', 30080), NODE).outcome, 'passed');
  assert.equal(nftablesTracer.trace(p, fromNode('127.0.0.1', 30080), NODE).outcome, 'passed');
});

test('ExternalIP under policy Cluster: masqueraded, every endpoint', () => {
  const p = program([servicePort('ext', '10.96.0.30', [ep('10.244.2.1'), ep('10.244.2.2')], { externalIPs: ['203.0.113.7'] })]);
  const v = nftablesTracer.trace(p, fromOutside('203.0.113.7', 80), NODE);
  assert.deepEqual([v.outcome, v.endpoints.length, v.masqueraded], ['answered', 2, true]);
});

test('load balancer with source ranges: an allowed source answers, another is dropped', () => {
  const p = program([
    servicePort('lb', '10.96.0.40', [ep('10.244.2.1')], {
      type: 'LoadBalancer',
      loadBalancerIPs: [{ ip: '198.51.100.4', ipMode: 'VIP' }],
      loadBalancerSourceRanges: ['192.0.2.0/24'],
    }),
  ]);
  assert.equal(nftablesTracer.trace(p, fromOutside('198.51.100.4', 80, '192.0.2.9'), NODE).outcome, 'answered');
  const refused = nftablesTracer.trace(p, fromOutside('198.51.100.4', 80, '203.0.113.50'), NODE);
  assert.equal(refused.outcome, 'dropped');
  assert.ok(refused.steps.some((s) => s.where.endsWith('firewall-check')));
});

test('no endpoints: the ClusterIP and the NodePort reject', () => {
  const p = program([servicePort('none', '10.96.0.50', [], { type: 'NodePort', nodePort: 30050 })]);
  const v = nftablesTracer.trace(p, fromPod('10.96.0.50', 80), NODE);
  assert.equal(v.outcome, 'rejected');
  assert.ok(v.steps.some((s) => s.where === 'no-endpoint-services' && s.rule.endsWith('goto reject-chain')));
  assert.equal(nftablesTracer.trace(p, fromOutside('10.77.0.1', 30050), NODE).outcome, 'rejected');
  assert.equal(nftablesTracer.trace(p, fromNode('10.77.0.1', 30050), NODE).outcome, 'rejected');
});

test('externalTrafficPolicy Local: local endpoints only and the source kept; pods and the node use every endpoint', () => {
  const eps = [localEp('10.244.1.7'), ep('10.244.2.1')];
  const withLocal = servicePort('etp', '10.96.0.60', eps, {
    type: 'NodePort',
    nodePort: 30060,
    externalPolicyLocal: true,
    selection: { cluster: eps, local: [eps[0]!], allReachable: eps, hasAny: true, notes: [] },
  });
  const p = program([withLocal]);
  const outside = nftablesTracer.trace(p, fromOutside('10.77.0.1', 30060), NODE);
  assert.deepEqual([outside.outcome, outside.endpoints, outside.masqueraded], ['answered', ['10.244.1.7:8080'], false]);
  const pod = nftablesTracer.trace(p, fromPod('10.77.0.1', 30060), NODE);
  assert.deepEqual([pod.outcome, pod.endpoints, pod.masqueraded], ['answered', ['10.244.1.7:8080', '10.244.2.1:8080'], false]);
  const node = nftablesTracer.trace(p, fromNode('10.77.0.1', 30060), NODE);
  assert.deepEqual([node.outcome, node.endpoints.length, node.masqueraded], ['answered', 2, true]);

  const remote = [ep('10.244.2.1')];
  const noLocal = servicePort('etp2', '10.96.0.61', remote, {
    type: 'NodePort',
    nodePort: 30061,
    externalPolicyLocal: true,
    selection: { cluster: remote, local: [], allReachable: remote, hasAny: true, notes: [] },
  });
  const q = program([noLocal]);
  assert.equal(nftablesTracer.trace(q, fromOutside('10.77.0.1', 30061), NODE).outcome, 'dropped');
  assert.deepEqual(nftablesTracer.trace(q, fromPod('10.77.0.1', 30061), NODE).endpoints, ['10.244.2.1:8080']);
  assert.equal(nftablesTracer.trace(q, fromNode('10.77.0.1', 30061), NODE).outcome, 'answered');
});

test('masqueradeAll masquerades pod traffic to a ClusterIP too', () => {
  const port = servicePort('all', '10.96.0.70', [ep('10.244.2.1')]);
  assert.equal(nftablesTracer.trace(program([port]), fromPod('10.96.0.70', 80), NODE).masqueraded, false);
  assert.equal(nftablesTracer.trace(program([port], { ...BASE, masqueradeAll: true }), fromPod('10.96.0.70', 80), NODE).masqueraded, true);
});

test('a pod that reaches itself through its Service is masqueraded (hairpin)', () => {
  const self = localEp('10.244.1.5');
  const p = program([servicePort('hp', '10.96.0.75', [self])]);
  const v = nftablesTracer.trace(p, fromPod('10.96.0.75', 80), NODE);
  assert.deepEqual([v.endpoints, v.masqueraded], [['10.244.1.5:8080'], true]);
});

test('ClientIP affinity and source hashing are sticky; random is not', () => {
  const eps = [ep('10.244.2.1'), ep('10.244.2.2'), ep('10.244.2.3')];
  const sticky = servicePort('aff', '10.96.0.80', eps, { sessionAffinity: { type: 'ClientIP', timeoutSeconds: 600 } });
  const hashed = servicePort('sh', '10.96.0.81', eps, { scheduler: 'sh' });
  const p = program([sticky, hashed]);
  const a = nftablesTracer.trace(p, fromPod('10.96.0.80', 80), NODE);
  assert.deepEqual([a.outcome, a.endpoints.length, a.sticky], ['answered', 3, true]);
  assert.ok(a.steps.some((s) => /update @affinity/.test(s.rule)));
  const h = nftablesTracer.trace(p, fromPod('10.96.0.81', 80), NODE);
  assert.deepEqual([h.endpoints.length, h.sticky], [3, true]);
});

test('IPv6: keys match whatever way the address is written', () => {
  const eps = [ep('fd44::2:1'), ep('fd44::2:2')];
  const p = program([servicePort('v6', 'fd96::10', eps, { family: 'IPv6', type: 'NodePort', nodePort: 30090 })]);
  const v = nftablesTracer.trace(p, fromPod('FD96:0:0::10', 80), NODE);
  assert.deepEqual([v.outcome, v.endpoints, v.masqueraded], ['answered', ['[fd44::2:1]:8080', '[fd44::2:2]:8080'], false]);
  const np = nftablesTracer.trace(p, fromOutside('fd77::1', 30090, '2001:db8::9'), NODE);
  assert.deepEqual([np.outcome, np.masqueraded], ['answered', true]);
  // An IPv4 destination does not see the IPv6 table.
  assert.equal(nftablesTracer.trace(p, fromPod('10.96.0.10', 80), NODE).outcome, 'passed');
});

test('an expression the tracer does not model fails closed', () => {
  const p = program([servicePort('web', '10.96.0.10', [ep('10.244.2.1')])]);
  const [family] = p.families;
  const altered: NftProgram = {
    ...p,
    families: [{ ...family!, chains: family!.chains.map((c) => (c.name === 'services' ? { ...c, rules: ['tcp flags syn jump x', ...c.rules] } : c)) }],
  };
  assert.throws(() => nftablesTracer.trace(altered, fromPod('10.96.0.10', 80), NODE), TraceUnsupported);
});

test('pods recognised by interface name: a pod keeps its source, the node (no input interface) is masqueraded', () => {
  const byName = { ...BASE, detectLocal: { mode: 'InterfaceNamePrefix' as const, clusterCIDR: '', bridgeInterface: '', interfaceNamePrefix: 'veth' } };
  const p = program([servicePort('web', '10.96.0.10', [ep('10.244.2.1')])], byName);
  assert.equal(nftablesTracer.trace(p, fromPod('10.96.0.10', 80, { inInterface: 'veth1234' }), NODE).masqueraded, false);
  assert.equal(nftablesTracer.trace(p, fromPod('10.96.0.10', 80, { inInterface: 'eth0' }), NODE).masqueraded, true);
  assert.equal(nftablesTracer.trace(p, fromNode('10.96.0.10', 80), NODE).masqueraded, true);
});

test('IPv6 load balancer source ranges match as intervals inside the concatenated key', () => {
  const p = program([
    servicePort('lb6', 'fd96::40', [ep('fd44::2:1')], {
      family: 'IPv6',
      type: 'LoadBalancer',
      loadBalancerIPs: [{ ip: '2001:db8:100::4', ipMode: 'VIP' }],
      loadBalancerSourceRanges: ['2001:db8:9::/48'],
    }),
  ]);
  assert.equal(nftablesTracer.trace(p, fromOutside('2001:db8:100::4', 80, '2001:db8:9:1::7'), NODE).outcome, 'answered');
  assert.equal(nftablesTracer.trace(p, fromOutside('2001:db8:100::4', 80, '2001:db8:a::7'), NODE).outcome, 'dropped');
});

test('the steps name the decisions, not the jumps into chains where nothing matched', () => {
  const p = program([servicePort('web', '10.96.0.10', [ep('10.244.2.1')])]);
  const rules = nftablesTracer.trace(p, fromPod('10.96.0.10', 80), NODE).steps.map((s) => `${s.where}: ${s.rule}`);
  assert.ok(!rules.includes('ip kproxy filter-prerouting: ct state new jump firewall-check'), rules.join('\n'));
  assert.ok(rules.includes('ip kproxy nat-prerouting: jump services'), rules.join('\n'));
});

test('every rule the renderer writes, in every option, is one the tracer reads', () => {
  const eps = [ep('10.244.2.1'), ep('10.244.2.2')];
  const eps6 = [ep('fd44::2:1'), ep('fd44::2:2')];
  const shapes = (prefix: string, eps: typeof eps6, family: 'IPv4' | 'IPv6') =>
    ['random', 'rr', 'sh', 'dh'].flatMap((scheduler, i) => [
      servicePort(`${scheduler}${family}`, `${prefix}${i + 1}`, eps, { family, scheduler, type: 'NodePort', nodePort: 30100 + i }),
      servicePort(`aff-${scheduler}${family}`, `${prefix}${i + 11}`, eps, { family, scheduler, sessionAffinity: { type: 'ClientIP', timeoutSeconds: 60 }, externalIPs: [family === 'IPv4' ? '203.0.113.1' : '2001:db8::1'], externalPolicyLocal: true }),
    ]);
  const ports = [...shapes('10.96.1.', eps, 'IPv4'), ...shapes('fd96::1:', eps6, 'IPv6')];
  const byName = { mode: 'InterfaceNamePrefix' as const, clusterCIDR: '', bridgeInterface: '', interfaceNamePrefix: 'veth' };
  for (const opts of [BASE, { ...BASE, masqueradeAll: true, nodePortAddresses: [] }, { ...BASE, detectLocal: byName }]) {
    const p = program(ports, opts);
    for (const f of p.families) for (const c of f.chains) for (const r of c.rules) assert.doesNotThrow(() => parseRule(r), `${c.name}: ${r}`);
  }
});

test('NodePorts on every local address (no --nodeport-addresses) except loopback', () => {
  const p = program([servicePort('np', '10.96.0.20', [ep('10.244.2.1')], { type: 'NodePort', nodePort: 30080 })], { ...BASE, nodePortAddresses: [] });
  const node = { localAddresses: ['10.77.0.1', '10.77.0.2'] };
  assert.equal(nftablesTracer.trace(p, fromOutside('10.77.0.2', 30080), node).outcome, 'answered');
  assert.equal(nftablesTracer.trace(p, fromNode('127.0.0.1', 30080), node).outcome, 'passed');
});
