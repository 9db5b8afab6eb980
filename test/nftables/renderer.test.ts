import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NftRenderer } from '../../src/dataplane/nftables/renderer.js';
import { SlotTable } from '../../src/dataplane/nftables/slot-table.js';
import { kernelScheduler } from '../../src/dataplane/nftables/kernel-schedulers.js';
import { ep, servicePort, snapshot } from './fixtures.js';

const render = (r: NftRenderer, ports: Parameters<typeof snapshot>[0]) => r.render({ snapshot: snapshot(ports), previous: undefined, full: true });

test('the number of chains does not grow with the number of Services', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => servicePort(`s${i}`, `10.96.${i >> 8}.${i & 255}`, [ep('10.244.0.1'), ep('10.244.0.2')]));
  const small = render(new NftRenderer({ families: ['IPv4'] }), many(10)).families[0]!;
  const big = render(new NftRenderer({ families: ['IPv4'] }), many(2000)).families[0]!;
  assert.equal(big.chains.length, small.chains.length);
  assert.equal(big.services.size, 2000);
});

test('each kernel scheduler becomes its nft expression', () => {
  const r = new NftRenderer({ families: ['IPv4'] });
  const ports = ['random', 'rr', 'sh', 'dh'].map((s, i) => servicePort(s, `10.96.0.${i + 1}`, [ep('10.244.0.1'), ep('10.244.0.2')], { scheduler: s }));
  const text = r.format(render(r, ports));
  assert.match(text, /cluster-ip-random-2 meta l4proto tcp counter dnat ip to ip daddr . th dport . numgen random mod 2 map @endpoints-ip-tcp/);
  assert.match(text, /cluster-ip-rr-2 meta l4proto tcp counter dnat ip to .* numgen inc mod 2 map/);
  assert.match(text, /cluster-ip-sh-2 meta l4proto tcp counter dnat ip to .* jhash ip saddr mod 2 seed 0x6b707278 map/);
  assert.match(text, /cluster-ip-dh-2 meta l4proto tcp counter dnat ip to .* jhash ip daddr mod 2 seed 0x6b707278 map/);
});

test('kernelScheduler: direct, default and fallback', () => {
  assert.deepEqual(kernelScheduler('rr'), { scheduler: 'rr' });
  assert.deepEqual(kernelScheduler('wrr'), { scheduler: 'rr' });
  assert.deepEqual(kernelScheduler('', 'sh'), { scheduler: 'sh' });
  assert.deepEqual(kernelScheduler('mh'), { scheduler: 'random', fallbackFrom: 'mh' });
});

test('no endpoints rejects; endpoints elsewhere only (internal Local) drops', () => {
  const r = new NftRenderer({ families: ['IPv4'] });
  const none = servicePort('none', '10.96.0.1', []);
  const remoteOnly = servicePort('itp', '10.96.0.2', [ep('10.244.0.9')], {
    internalPolicyLocal: true,
    selection: { cluster: [ep('10.244.0.9')], local: [], allReachable: [], hasAny: true, notes: [] },
  });
  const text = r.format(render(r, [none, remoteOnly]));
  assert.match(text, /no-endpoint-services \{ 10\.96\.0\.1 \. tcp \. 80 : goto reject-chain, 10\.96\.0\.2 \. tcp \. 80 : drop \}/);
});

test('ClientIP affinity gets slot chains that remember the slot for the timeout', () => {
  const r = new NftRenderer({ families: ['IPv4'] });
  const sticky = servicePort('sticky', '10.96.0.3', [ep('10.244.0.1'), ep('10.244.0.2')], { sessionAffinity: { type: 'ClientIP', timeoutSeconds: 600 } });
  const text = r.format(render(r, [sticky]));
  assert.match(text, /cluster-ip-a600-random-2 ip saddr \. ip daddr \. meta l4proto \. th dport \. numgen inc mod 1 offset 1 @affinity goto slot-ip-a600-1/);
  assert.match(text, /slot-ip-a600-0 update @affinity \{ .* timeout 600s \}/);
});

test('slots stay put: a removed endpoint is replaced by the last one, new ones are appended', () => {
  const t = new SlotTable();
  assert.deepEqual(t.assign('x', ['a', 'b', 'c', 'd']), ['a', 'b', 'c', 'd']);
  assert.deepEqual(t.assign('x', ['a', 'c', 'd']), ['a', 'd', 'c']);
  assert.deepEqual(t.assign('x', ['a', 'c', 'd', 'e']), ['a', 'd', 'c', 'e']);
});

test('a partial render rebuilds only the changed ports', () => {
  const r = new NftRenderer({ families: ['IPv4'] });
  const a = servicePort('a', '10.96.0.1', [ep('10.244.0.1')]);
  const b = servicePort('b', '10.96.0.2', [ep('10.244.0.2')]);
  const s1 = snapshot([a, b], 1);
  const p1 = r.render({ snapshot: s1, previous: undefined, full: true });
  const aBefore = p1.families[0]!.services.get(a.key);
  const b2 = servicePort('b', '10.96.0.2', [ep('10.244.0.3')]);
  const p2 = r.render({ snapshot: snapshot([a, b2], 2, [b2.key]), previous: s1, full: false });
  assert.deepEqual([...p2.changed], [b2.key]);
  assert.equal(p2.families[0]!.services.get(a.key), aBefore, 'a is reused as is');
  assert.throws(() => p1.families[0]!.services.get(a.key), /rendered again/, 'an old program does not show the newer state');
});

test('service-ips leads straight to a group chain that decides masquerade; Local policy goes through the pick maps', () => {
  const detectLocal = { mode: 'ClusterCIDR' as const, clusterCIDR: '10.244.0.0/16', bridgeInterface: '', interfaceNamePrefix: '' };
  const r = new NftRenderer({ families: ['IPv4'], detectLocal });
  const web = servicePort('web', '10.96.0.5', [ep('10.244.0.1'), ep('10.244.0.2')], { externalIPs: ['192.0.2.5'] });
  const local = servicePort('loc', '10.96.0.6', [ep('10.244.0.3', 8080, { isLocal: true })], {
    externalIPs: ['192.0.2.6'],
    externalPolicyLocal: true,
    selection: { cluster: [ep('10.244.0.3')], local: [ep('10.244.0.3')], allReachable: [ep('10.244.0.3')], hasAny: true, notes: [] },
  });
  const text = r.format(render(r, [web, local]));
  assert.match(text, /service-ips \{ [^}]*10\.96\.0\.5 \. tcp \. 80 : goto cluster-ip-random-2/);
  assert.match(text, /service-ips \{ [^}]*192\.0\.2\.5 \. tcp \. 80 : goto external-ip-random-2/);
  assert.match(text, /add rule ip kproxy cluster-ip-random-2 ip saddr != 10\.244\.0\.0\/16 jump mark-for-masquerade\n/);
  assert.match(text, /add rule ip kproxy external-ip-random-2 jump mark-for-masquerade\n/);
  assert.doesNotMatch(text, /pick-ip \{[^}]*10\.96\.0\.5/, 'no pick element for a ClusterIP');
  assert.match(text, /service-ips \{ [^}]*192\.0\.2\.6 \. tcp \. 80 : goto external-ip-local/);
  assert.match(text, /add element ip kproxy pick-ip \{ 192\.0\.2\.6 \. tcp \. 80 : goto pick-ip-random-1 \}/);
  assert.match(text, /add element ip kproxy pick-ip-bypass \{ 192\.0\.2\.6 \. tcp \. 80 : goto pick-ip-b-random-1 \}/);
  assert.match(text, /endpoints-ip-tcp \{ [^}]*10\.96\.0\.5 \. 80 \. 0 : 10\.244\.0\.1 \. 8080/);
});

test('a full render keeps the work of unchanged ports, and redoes it when the masquerade rules change', () => {
  const detectLocal = { mode: 'NodeCIDR' as const, clusterCIDR: '', bridgeInterface: '', interfaceNamePrefix: '' };
  const r = new NftRenderer({ families: ['IPv4'], detectLocal });
  const a = servicePort('a', '10.96.0.1', [ep('10.244.0.1')]);
  const s1 = { ...snapshot([a], 1), node: { ...snapshot([a], 1).node, podCIDRs: ['10.244.0.0/24'] } };
  const before = r.render({ snapshot: s1, previous: undefined, full: true }).families[0]!.services.get(a.key);
  const again = r.render({ snapshot: { ...s1, generation: 2 }, previous: undefined, full: true });
  assert.equal(again.families[0]!.services.get(a.key), before, 'same ServicePort object: same contribution');
  const moved = { ...s1, generation: 3, node: { ...s1.node, podCIDRs: ['10.244.1.0/24'] } };
  const p3 = r.render({ snapshot: moved, previous: undefined, full: true });
  assert.notEqual(p3.families[0]!.services.get(a.key), before);
  assert.match(r.format(p3), /cluster-ip-random-1 ip saddr != 10\.244\.1\.0\/24 jump mark-for-masquerade/);
});

test('masqueradeBit 31: the mark is 0x80000000, as upstream writes 1 << 31', () => {
  const r = new NftRenderer({ families: ['IPv4'], masqueradeBit: 31 });
  const text = r.format(render(r, [servicePort('web', '10.96.0.1', [ep('10.244.0.1')])]));
  assert.match(text, /meta mark set meta mark \| 0x80000000\n/);
  assert.doesNotMatch(text, /0x-/);
});

test('counters for explain --live: on each group and slot chain DNAT, the reject, drop and masquerade rules, nowhere else', () => {
  const r = new NftRenderer({ families: ['IPv4'] });
  const sticky = servicePort('sticky', '10.96.0.3', [ep('10.244.0.1')], { sessionAffinity: { type: 'ClientIP', timeoutSeconds: 600 } });
  const text = r.format(render(r, [sticky, servicePort('web', '10.96.0.4', [ep('10.244.0.1'), ep('10.244.0.2')])]));
  const counted = text.split('\n').filter((l) => l.includes(' counter ')).map((l) => l.replace(/^add rule ip kproxy /, ''));
  assert.deepEqual(counted, [
    'cluster-ip-random-2 meta l4proto tcp counter dnat ip to ip daddr . th dport . numgen random mod 2 map @endpoints-ip-tcp',
    'cluster-ip-random-2 meta l4proto udp counter dnat ip to ip daddr . th dport . numgen random mod 2 map @endpoints-ip-udp',
    'cluster-ip-random-2 meta l4proto sctp counter dnat ip to ip daddr . th dport . numgen random mod 2 map @endpoints-ip-sctp',
    'slot-ip-a600-0 meta l4proto tcp counter dnat ip to ip daddr . th dport . numgen inc mod 1 offset 0 map @endpoints-ip-tcp',
    'slot-ip-a600-0 meta l4proto udp counter dnat ip to ip daddr . th dport . numgen inc mod 1 offset 0 map @endpoints-ip-udp',
    'slot-ip-a600-0 meta l4proto sctp counter dnat ip to ip daddr . th dport . numgen inc mod 1 offset 0 map @endpoints-ip-sctp',
    'firewall-check ip daddr . meta l4proto . th dport @firewall-ips ip daddr . meta l4proto . th dport . ip saddr != @firewall-allow counter drop',
    'cluster-ips-check ip daddr @cluster-ips meta l4proto tcp counter reject with tcp reset',
    'cluster-ips-check ip daddr @cluster-ips counter reject',
    'reject-chain meta l4proto tcp counter reject with tcp reset',
    'reject-chain counter reject',
    'mark-for-masquerade counter meta mark set meta mark | 0x00004000',
    'masquerading ct status dnat ip saddr . ip daddr @hairpin counter masquerade fully-random',
    'masquerading counter masquerade fully-random',
  ]);
});
