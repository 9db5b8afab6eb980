// The renderer reuses what unchanged ServicePort objects rendered to: its output must be exactly what a
// fresh renderer produces, and partial syncs must leave unchanged top-level chains alone only when they
// really are unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IptablesRenderer, LARGE_CLUSTER_ENDPOINTS } from '../../src/dataplane/iptables/renderer.js';
import { serviceChains } from '../../src/dataplane/iptables/chain-names.js';
import { parseSavedChains } from '../../src/dataplane/iptables/save-parser.js';
import type { ServicePort } from '../../src/model/types.js';
import { ep, localEp, overallServices, servicePort, snapshot } from './fixtures.js';

const detectLocal = { mode: 'ClusterCIDR' as const, clusterCIDR: '10.0.0.0/8', bridgeInterface: '', interfaceNamePrefix: '' };

function fresh(ports: readonly ServicePort[]): string {
  const r = new IptablesRenderer({ detectLocal });
  return r.format(r.render({ snapshot: snapshot(ports), previous: undefined, full: true }));
}

test('a periodic full render from the cache equals a fresh render, also after a changed port', () => {
  const r = new IptablesRenderer({ detectLocal });
  const ports = overallServices();
  const first = snapshot(ports);
  r.render({ snapshot: first, previous: undefined, full: true });
  const svc4 = servicePort({ namespace: 'ns4', name: 'svc4', clusterIP: '172.30.0.44', type: 'NodePort', externalIPs: ['192.168.99.33'], endpoints: [localEp('10.180.0.5', 80)] });
  const changed = ports.map((p) => (p.key === svc4.key ? svc4 : p));
  const second = snapshot(changed, { changed: [svc4.key], generation: 2 });
  r.render({ snapshot: second, previous: first, full: false });
  const third = snapshot(changed, { changed: [], generation: 3 });
  const warm = r.format(r.render({ snapshot: third, previous: second, full: true }));
  assert.equal(warm, fresh(changed));
});

test('crossing the large-cluster threshold re-renders cached endpoint rules without comments', () => {
  const r = new IptablesRenderer({ detectLocal });
  const small = overallServices();
  const first = snapshot(small);
  r.render({ snapshot: first, previous: undefined, full: true });
  const eps = Array.from({ length: LARGE_CLUSTER_ENDPOINTS }, (_, i) => ep(`10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`, 8080));
  const big = [...small, servicePort({ namespace: 'zz', name: 'big', clusterIP: '172.30.9.9', endpoints: eps })];
  const text = r.format(r.render({ snapshot: snapshot(big, { changed: ['zz/big:p80'], generation: 2 }), previous: first, full: true }));
  assert.equal(text, fresh(big));
  assert.ok(!text.includes('"ns1/svc1:p80 -> 10.180.0.1:80"'), 'cached svc1 rules were rendered with comments');
});

test('a partial sync that changes a top-level entry rewrites the top-level chains completely', () => {
  const r = new IptablesRenderer({ detectLocal });
  const ports = overallServices();
  const first = snapshot(ports);
  r.render({ snapshot: first, previous: undefined, full: true });
  // svc2 loses every endpoint: its KUBE-SERVICES entry becomes a REJECT in filter.
  const svc2 = ports[1]!;
  const empty = servicePort({ namespace: 'ns2', name: 'svc2', clusterIP: svc2.clusterIP, endpoints: [] });
  const next = snapshot(ports.map((p) => (p.key === svc2.key ? empty : p)), { changed: [svc2.key], generation: 2 });
  const fp = r.render({ snapshot: next, previous: first, full: false }).families[0]!;
  assert.ok(fp.nat.chains.includes('KUBE-SERVICES') && fp.filter.chains.includes('KUBE-SERVICES'));
  assert.ok(fp.nat.rules.some((l) => l.startsWith('-A KUBE-SERVICES') && l.includes('"ns1/svc1:p80 cluster IP"')), 'unchanged svc1 keeps its entry');
  assert.ok(fp.filter.rules.some((l) => l.includes('"ns2/svc2:p80 has no endpoints"')));
  assert.ok(fp.nat.rules.some((l) => l.includes('kubernetes service nodeports; NOTE')), 'the NodePort tail is still last');
  assert.ok(fp.nat.deleted.includes(serviceChains(svc2).cluster));
  const again = new IptablesRenderer({ detectLocal }).render({ snapshot: next, previous: undefined, full: true }).families[0]!;
  assert.deepEqual(fp.filter.rules, again.filter.rules);
  assert.equal(fp.counts.filterRulesTotal, again.counts.filterRules);
});

test('a partial sync that leaves the top-level chains alone still counts their rules as in force', () => {
  const r = new IptablesRenderer({ detectLocal });
  const ports = overallServices();
  const first = snapshot(ports);
  const before = r.render({ snapshot: first, previous: undefined, full: true }).families[0]!;
  const svc1 = ports[0]!;
  const moved = servicePort({ namespace: 'ns1', name: 'svc1', clusterIP: svc1.clusterIP, endpoints: [ep('10.180.0.9', 80)] });
  const next = snapshot(ports.map((p) => (p.key === svc1.key ? moved : p)), { changed: [svc1.key], generation: 2 });
  const fp = r.render({ snapshot: next, previous: first, full: false }).families[0]!;
  assert.deepEqual(fp.filter.chains, ['KUBE-PROXY-CANARY']);
  assert.deepEqual(fp.filter.rules, []);
  assert.equal(fp.counts.filterRules, 0);
  assert.equal(fp.counts.filterRulesTotal, before.counts.filterRulesTotal);
  assert.equal(fp.counts.natRulesTotal, before.counts.natRulesTotal);
  assert.ok(fp.nat.chains.includes(serviceChains(svc1).cluster));
});

test('reading a saved table keeps every chain name but only the rules asked for', () => {
  const text = [
    '# Generated by iptables-nft-save',
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':KUBE-SERVICES - [0:0]',
    ':KUBE-SVC-AAAA - [0:0]',
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A KUBE-SERVICES -d 172.30.0.41/32 -p tcp -j KUBE-SVC-AAAA',
    '-A PREROUTING -j DOCKER ',
    'COMMIT',
  ].join('\n');
  const t = parseSavedChains(text, new Set(['PREROUTING']));
  assert.deepEqual([...t.chains], ['PREROUTING', 'KUBE-SERVICES', 'KUBE-SVC-AAAA']);
  assert.deepEqual([...t.rules.keys()], ['PREROUTING']);
  assert.deepEqual(t.rules.get('PREROUTING'), ['-m comment --comment "kubernetes service portals" -j KUBE-SERVICES', '-j DOCKER']);
});
