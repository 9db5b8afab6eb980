import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { IptablesRenderer, LARGE_CLUSTER_ENDPOINTS } from '../../src/dataplane/iptables/renderer.js';
import { endpointChain, serviceChains } from '../../src/dataplane/iptables/chain-names.js';
import { ep, ipv6Services, localEp, overallServices, servicePort, snapshot } from './fixtures.js';
import { normalizeRestore } from './normalize.js';

const golden = (name: string): string => readFileSync(new URL(`../../../test/iptables/golden/${name}`, import.meta.url), 'utf8');
const detectLocal = { mode: 'ClusterCIDR' as const, clusterCIDR: '10.0.0.0/8,fd00:10:244::/56', bridgeInterface: '', interfaceNamePrefix: '' };

function full(r: IptablesRenderer, ports = overallServices()): string {
  return r.format(r.render({ snapshot: snapshot(ports), previous: undefined, full: true }));
}

// One line differs from upstream's output on purpose: a TCP port without endpoints is refused with a TCP
// reset (`-j REJECT --reject-with tcp-reset`), not upstream's ICMP (see noEndpointsTarget).
test('upstream TestOverallIPTablesRules services render to the golden rules', () => {
  assert.equal(normalizeRestore(full(new IptablesRenderer({ detectLocal }))), golden('overall-ipv4.rules'));
});

test('IPv6 UDP NodePort on given addresses and an SCTP port without endpoints match the golden rules', () => {
  const r = new IptablesRenderer({ families: ['IPv6'], detectLocal, nodePortAddresses: ['2001:db8::2'] });
  assert.equal(normalizeRestore(full(r, ipv6Services())), golden('udp-sctp-ipv6.rules'));
});

test('rules of a service come in upstream order: cluster IP entry before the NodePort tail', () => {
  const text = full(new IptablesRenderer({ detectLocal }));
  const entry = text.indexOf('"ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-');
  const tail = text.indexOf('kubernetes service nodeports; NOTE');
  assert.ok(entry > 0 && tail > entry);
  assert.match(text, /-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully\n/);
});

test('partial sync writes only the changed service chains and deletes the ones it stopped using', () => {
  const r = new IptablesRenderer({ detectLocal });
  const before = overallServices();
  const prev = snapshot(before);
  r.render({ snapshot: prev, previous: undefined, full: true });
  // ns4/svc4 loses endpoint 10.180.0.4; everything else is the same objects.
  const changed = before.map((sp) =>
    sp.key === 'ns4/svc4:p80' ? servicePort({ namespace: 'ns4', name: 'svc4', clusterIP: '172.30.0.44', type: 'NodePort', externalIPs: ['192.168.99.33'], endpoints: [localEp('10.180.0.5', 80)] }) : sp,
  );
  const next = snapshot(changed, { changed: ['ns4/svc4:p80'], generation: 2 });
  const program = r.render({ snapshot: next, previous: prev, full: false });
  const nat = program.families[0]!.nat;
  const svc4 = serviceChains(changed[3]!);
  const goneSep = endpointChain(before[3]!, ep('10.180.0.4', 80));
  assert.ok(nat.chains.includes(svc4.cluster) && nat.chains.includes(svc4.external));
  assert.ok(!nat.chains.some((c) => c === serviceChains(before[0]!).cluster), 'unchanged svc1 chain must not be rewritten');
  assert.ok(!nat.rules.some((l) => l.startsWith(`-A ${serviceChains(before[0]!).cluster} `)));
  assert.deepEqual(nat.deleted, [goneSep]);
  // svc4's entries in the top-level chains are the same as before: those chains are left alone too.
  assert.ok(!nat.chains.includes('KUBE-SERVICES') && !nat.rules.some((l) => l.startsWith('-A KUBE-SERVICES')));
  const text = r.format(program);
  assert.match(text, new RegExp(`:${goneSep} - \\[0:0\\][\\s\\S]*-X ${goneSep}\\nCOMMIT`));
  assert.ok(program.families[0]!.activeServiceChains.has(serviceChains(before[0]!).cluster));
  assert.equal(program.families[0]!.full, false);
});

test('a removed service port has all its chains deleted in a partial sync', () => {
  const r = new IptablesRenderer({ detectLocal });
  const ports = overallServices();
  const prev = snapshot(ports);
  r.render({ snapshot: prev, previous: undefined, full: true });
  const next = snapshot(ports.filter((p) => p.key !== 'ns5/svc5:p80'), { changed: ['ns5/svc5:p80'] });
  const nat = r.render({ snapshot: next, previous: prev, full: false }).families[0]!.nat;
  const c = serviceChains(ports[4]!);
  assert.deepEqual([...nat.deleted].sort(), [c.external, c.firewall, endpointChain(ports[4]!, ep('10.180.0.3', 80)), c.cluster].sort());
});

test('more than 1,000 endpoints drops the comments of endpoint rules only', () => {
  const eps = Array.from({ length: LARGE_CLUSTER_ENDPOINTS + 1 }, (_, i) => ep(`10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`, 8080));
  const big = servicePort({ namespace: 'big', name: 'svc', clusterIP: '172.30.1.1', endpoints: eps });
  const text = full(new IptablesRenderer({ detectLocal }), [big]);
  const sep = endpointChain(big, eps[0]!);
  assert.match(text, new RegExp(`-A ${sep} -s 10.1.0.1 -j KUBE-MARK-MASQ\\n`));
  assert.ok(!/ -> 10\.1\./.test(text), 'no "svc -> endpoint" comments');
  assert.match(text, /"big\/svc:p80 cluster IP"/);
  const small = full(new IptablesRenderer({ detectLocal }), [servicePort({ namespace: 'big', name: 'svc', clusterIP: '172.30.1.1', endpoints: eps.slice(0, 1000) })]);
  assert.match(small, /-A KUBE-SEP-\S+ -m comment --comment big\/svc:p80 -s 10\.1\.0\.1 /);
});

test('probabilities use ten decimals of 1/n, the last endpoint has none', () => {
  const eps = [1, 2, 3, 4, 5, 6, 7].map((i) => ep(`10.2.0.${i}`, 80));
  const text = full(new IptablesRenderer({ detectLocal }), [servicePort({ namespace: 'a', name: 'b', clusterIP: '172.30.2.1', endpoints: eps })]);
  const probs = [...text.matchAll(/--probability (\S+)/g)].map((m) => m[1]);
  assert.deepEqual(probs, ['0.1428571429', '0.1666666667', '0.2000000000', '0.2500000000', '0.3333333333', '0.5000000000']);
});

test('masqueradeAll marks every ClusterIP packet; masqueradeBit sets the mark', () => {
  const text = full(new IptablesRenderer({ detectLocal, masqueradeAll: true, masqueradeBit: 3 }), [overallServices()[0]!]);
  assert.match(text, /-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1\/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-MARK-MASQ\n/);
  assert.match(text, /-A KUBE-MARK-MASQ -j MARK --or-mark 0x00000008\n/);
  assert.throws(() => new IptablesRenderer({ masqueradeBit: 32 }), /masqueradeBit: got 32, allowed: an integer from 0 to 31/);
});

test('detect-local modes: node CIDR from the snapshot, bridge, interface prefix, none', () => {
  const svc = [overallServices()[0]!];
  const r = (mode: 'NodeCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix' | 'ClusterCIDR', extra = {}) =>
    full(new IptablesRenderer({ detectLocal: { ...detectLocal, mode, bridgeInterface: 'cbr0', interfaceNamePrefix: 'veth', ...extra } }), svc);
  assert.match(r('NodeCIDR'), /--dport 80 ! -s 10\.0\.1\.0\/24 -j KUBE-MARK-MASQ/);
  assert.match(r('BridgeInterface'), /--dport 80 ! -i cbr0 -j KUBE-MARK-MASQ/);
  assert.match(r('InterfaceNamePrefix'), /--dport 80 ! -i veth\+ -j KUBE-MARK-MASQ/);
  assert.ok(!/KUBE-SVC-XPGD46QRK7WJZT7O .*KUBE-MARK-MASQ/.test(r('ClusterCIDR', { clusterCIDR: '' })), 'no CIDR: no masquerade rule');
});

test('localhost NodePorts: off excludes 127.0.0.0/8, IPv6 excludes ::1, no KUBE-FIREWALL rule when off', () => {
  const svc = [overallServices()[2]!];
  const off = full(new IptablesRenderer({ detectLocal, localhostNodePorts: false }), svc);
  assert.match(off, /-m addrtype --dst-type LOCAL ! -d 127\.0\.0\.0\/8 -j KUBE-NODEPORTS/);
  assert.ok(!off.includes('KUBE-FIREWALL'));
  const on = new IptablesRenderer({ detectLocal }).render({ snapshot: snapshot(svc), previous: undefined, full: true });
  assert.equal(on.families[0]!.localhostNodePorts, true);
  const v6 = full(new IptablesRenderer({ families: ['IPv6'], detectLocal }), ipv6Services());
  assert.match(v6, /-m addrtype --dst-type LOCAL ! -d ::1\/128 -j KUBE-NODEPORTS/);
});

test('ipMode Proxy load-balancer IPs are not programmed; ETP Local without local endpoints drops', () => {
  const sp = servicePort({
    namespace: 'lb', name: 'web', clusterIP: '172.30.3.1', type: 'LoadBalancer', nodePort: 31000, externalPolicyLocal: true,
    loadBalancerIPs: [{ ip: '203.0.113.7', ipMode: 'Proxy' }, { ip: '203.0.113.8', ipMode: 'VIP' }], endpoints: [ep('10.3.0.1', 80)],
  });
  const text = full(new IptablesRenderer({ detectLocal }), [sp]);
  assert.ok(!text.includes('203.0.113.7'));
  assert.match(text, /"lb\/web:p80 has no local endpoints" -m tcp -p tcp -d 203\.0\.113\.8 --dport 80 -j DROP/);
  assert.match(text, /"lb\/web:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 31000 -j DROP/);
});
