import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointChain, endpointString, isServiceChainName, serviceChains, servicePortNameString } from '../../src/dataplane/iptables/chain-names.js';
import { ep, servicePort } from './fixtures.js';

// Expected names are the ones upstream's proxier_test.go spells out for these services.
test('service chain names match upstream hashes', () => {
  const name = (ns: string, n: string) => serviceChains(servicePort({ namespace: ns, name: n, clusterIP: '172.30.0.1' }));
  assert.equal(name('ns1', 'svc1').cluster, 'KUBE-SVC-XPGD46QRK7WJZT7O');
  assert.equal(name('ns2', 'svc2').external, 'KUBE-EXT-GNZBNJ2PO5MGZ6GT');
  assert.equal(name('ns5', 'svc5').firewall, 'KUBE-FW-NUKIZ6OKUXPJNT4C');
  assert.equal(name('ns4', 'svc4').local, 'KUBE-SVL-4SW47YFZTEDKD3PK');
});

test('endpoint chain names match upstream hashes', () => {
  const sp = (ns: string, n: string) => servicePort({ namespace: ns, name: n, clusterIP: '172.30.0.1' });
  assert.equal(endpointChain(sp('ns1', 'svc1'), ep('10.180.0.1', 80)), 'KUBE-SEP-SXIVWICOYRO3J4NJ');
  assert.equal(endpointChain(sp('ns5', 'svc5'), ep('10.180.0.3', 80)), 'KUBE-SEP-I77PXRDZVX7PMWMN');
  assert.equal(endpointChain(sp('ns4', 'svc4'), ep('10.180.0.5', 80)), 'KUBE-SEP-C6EBXVWJJZMIWKLZ');
});

test('protocol is part of the hash; IPv6 endpoints are bracketed', () => {
  const tcp = servicePort({ namespace: 'ns1', name: 'svc1', clusterIP: '172.30.0.1' });
  const udp = servicePort({ namespace: 'ns1', name: 'svc1', clusterIP: '172.30.0.1', protocol: 'UDP' });
  assert.notEqual(serviceChains(tcp).cluster, serviceChains(udp).cluster);
  assert.equal(endpointString(ep('fd00::1', 53)), '[fd00::1]:53');
  assert.ok(isServiceChainName('KUBE-SEP-ABC') && !isServiceChainName('KUBE-SERVICES'));
});

// Measured on upstream kube-proxy v1.30.3 (test/flow/iptables-differential.test.ts): an unnamed Service port
// is "default/web", with no colon, in comments and in the hashes alike.
test('an unnamed port is namespace/name without a colon, as upstream', () => {
  const sp = servicePort({ namespace: 'default', name: 'web', portName: '', clusterIP: '10.96.0.10' });
  assert.equal(servicePortNameString(sp), 'default/web');
  assert.equal(serviceChains(sp).cluster, 'KUBE-SVC-LOLE4ISW44XBNF3G');
  assert.equal(endpointChain(sp, ep('10.244.1.11', 8080)), 'KUBE-SEP-QBMWJ7Q236QVVXD6');
});
