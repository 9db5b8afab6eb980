// --live in nftables mode, without root: the tracer's steps through a rendered program are found in a
// recorded `nft list table ip kproxy` of that same program (nft's own spelling: `tcp dport`, no
// `offset 0`, `1m`, hex marks, counters), with the counters the renderer's `counter` statements kept;
// a missing chain, set, element or a changed rule is reported as the kernel disagreeing.
// The recording (recorded/nft-list-table-ip.txt) is the program below applied with `nft -f` in a fresh
// namespace, after two node-originated connections to 10.96.0.3:80, one to 10.96.0.5:80 and one to
// 10.96.0.4:80: a change to what the renderer writes for these ports needs a new recording.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { NftRenderer } from '../../src/dataplane/nftables/renderer.js';
import { nftablesTracer } from '../../src/dataplane/nftables/tracer.js';
import { compareWithNftKernel, parseNftListing } from '../../src/explain/live-nftables.js';
import type { LiveFinding } from '../../src/explain/live-finding.js';
import { ep, servicePort, snapshot } from '../nftables/fixtures.js';

const RECORDED = readFileSync(new URL('../../../test/explain/recorded/nft-list-table-ip.txt', import.meta.url), 'utf8');

function program() {
  const r = new NftRenderer({ families: ['IPv4'], detectLocal: { mode: 'ClusterCIDR', clusterCIDR: '10.244.0.0/16', bridgeInterface: '', interfaceNamePrefix: '' } });
  const web = servicePort('web', '10.96.0.3', [ep('10.244.1.11'), ep('10.244.1.12')], { nodePort: 30080 });
  const none = servicePort('none', '10.96.0.4', []);
  const sticky = servicePort('aff', '10.96.0.5', [ep('10.244.1.11')], { sessionAffinity: { type: 'ClientIP', timeoutSeconds: 60 } });
  return r.render({ snapshot: snapshot([web, none, sticky]), previous: undefined, full: true });
}

function stepsTo(ip: string) {
  const v = nftablesTracer.trace(program(), { protocol: 'TCP', destination: ip, port: 80, source: '10.77.0.1', origin: 'node' }, { localAddresses: ['10.77.0.1'] });
  return v.steps;
}

const lines = (findings: readonly LiveFinding[]) => findings.map((f) => `${f.state}${f.packets !== undefined ? ` ${f.packets}/${f.bytes}` : ''} ${f.where}: ${f.rule}`);

test('every traced step is in the recorded kernel table, with the counters nft kept', () => {
  const kernel = parseNftListing(RECORDED);
  assert.deepEqual(lines(compareWithNftKernel(stepsTo('10.96.0.3'), kernel)), [
    'present ip kproxy nat-output: jump services',
    'present ip kproxy services: ip daddr . meta l4proto . th dport vmap @service-ips',
    'present service-ips: 10.96.0.3 . tcp . 80 : goto cluster-ip-random-2',
    'present ip kproxy cluster-ip-random-2: ip saddr != 10.244.0.0/16 jump mark-for-masquerade',
    'present 3/180 ip kproxy mark-for-masquerade: counter meta mark set meta mark | 0x00004000',
    'present 2/120 ip kproxy cluster-ip-random-2: meta l4proto tcp counter dnat ip to ip daddr . th dport . numgen random mod 2 map @endpoints-ip-tcp',
    'present endpoints-ip-tcp: 10.96.0.3 . 80 . 0 : 10.244.1.11 . 8080',
    'present ip kproxy nat-postrouting: jump masquerading',
    'present ip kproxy masquerading: meta mark set meta mark ^ 0x00004000',
    'present 3/180 ip kproxy masquerading: counter masquerade fully-random',
    'present endpoints-ip-tcp: 10.96.0.3 . 80 . 1 : 10.244.1.12 . 8080',
  ]);
  // Affinity: the update statement (nft prints `timeout 1m`, no `offset 0`) and the slot chain's DNAT.
  const sticky = compareWithNftKernel(stepsTo('10.96.0.5'), kernel);
  assert.ok(sticky.every((f) => f.state === 'present'), lines(sticky).join('\n'));
  assert.ok(sticky.some((f) => f.where === 'ip kproxy slot-ip-a60-0' && f.rule.startsWith('update @affinity')));
  assert.deepEqual(sticky.filter((f) => f.where === 'ip kproxy slot-ip-a60-0' && f.packets !== undefined).map((f) => f.packets), [1]);
  // No endpoints: the element of no-endpoint-services and the reject rule that counted the SYN.
  const none = compareWithNftKernel(stepsTo('10.96.0.4'), kernel);
  assert.ok(none.every((f) => f.state === 'present'), lines(none).join('\n'));
  assert.ok(none.some((f) => f.where === 'no-endpoint-services' && f.rule === '10.96.0.4 . tcp . 80 : goto reject-chain'));
  assert.deepEqual(none.filter((f) => f.where === 'ip kproxy reject-chain').map((f) => f.packets), [1]);
});

test('a chain, set, element or rule the kernel lacks is reported as such', () => {
  const damaged = RECORDED.replace('10.96.0.3 . tcp . 80 : goto cluster-ip-random-2,', '')
    .replace('numgen random mod 2 map @endpoints-ip-tcp', 'numgen random mod 3 map @endpoints-ip-tcp')
    .replace('chain masquerading {', 'chain masquerading-gone {')
    .replace(/map endpoints-ip-tcp \{/, 'map endpoints-ip-tcp-gone {');
  const findings = compareWithNftKernel(stepsTo('10.96.0.3'), parseNftListing(damaged));
  const state = (where: string) => findings.filter((f) => f.where === where).map((f) => f.state);
  assert.deepEqual(state('service-ips'), ['element missing']);
  assert.deepEqual(state('ip kproxy cluster-ip-random-2'), ['present', 'rule not found']);
  assert.deepEqual(state('ip kproxy masquerading'), ['chain missing', 'chain missing']);
  assert.deepEqual(state('endpoints-ip-tcp'), ['set missing', 'set missing']);
  // No table at all (nft list table fails; read as an empty listing): nothing is there.
  const gone = compareWithNftKernel(stepsTo('10.96.0.3'), parseNftListing(''));
  assert.ok(gone.every((f) => f.state === 'chain missing' || f.state === 'set missing'));
});

test('nft respellings are evened out, and differences that matter are not', () => {
  const listing = [
    'table ip6 kproxy {',
    '\tset cluster-ips {',
    '\t\ttype ipv6_addr',
    '\t\telements = { fd00::3,',
    '\t\t\t     fd00::4 }',
    '\t}',
    '\tchain c {',
    '\t\tiifname != "veth*" jump mark-for-masquerade',
    '\t\tmeta mark & 0x00004000 == 0x00000000 return',
    '\t\tip6 daddr fd00:1::/64 counter packets 5 bytes 300 drop',
    '\t}',
    '}',
  ].join('\n');
  const kernel = parseNftListing(listing);
  const find = (where: string, rule: string) => compareWithNftKernel([{ where, rule }], kernel)[0]!;
  assert.equal(find('cluster-ips', 'fd00:0:0::4').state, 'present');
  assert.equal(find('cluster-ips', 'fd00::5').state, 'element missing');
  assert.equal(find('ip6 kproxy c', 'iifname != "veth*" jump mark-for-masquerade').state, 'present');
  assert.equal(find('ip6 kproxy c', 'iifname "veth*" jump mark-for-masquerade').state, 'rule not found');
  assert.equal(find('ip6 kproxy c', 'meta mark & 0x4000 == 0 return').state, 'present');
  assert.deepEqual(find('ip6 kproxy c', 'ip6 daddr fd00:1:0::/64 counter drop'), { where: 'ip6 kproxy c', rule: 'ip6 daddr fd00:1:0::/64 counter drop', state: 'present', packets: 5, bytes: 300 });
  assert.equal(find('ip6 kproxy c', 'ip6 daddr fd00:1::/48 counter drop').state, 'rule not found');
});
