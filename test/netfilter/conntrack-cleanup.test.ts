import { test } from 'node:test';
import assert from 'node:assert/strict';
import { staleConntrackCommands } from '../../src/netfilter/conntrack-cleanup.js';
import { ep, servicePort, snapshot } from '../iptables/fixtures.js';

const udp = (endpoints: ReturnType<typeof ep>[]) =>
  servicePort({ namespace: 'kube-system', name: 'dns', portName: 'dns', clusterIP: '10.96.0.10', protocol: 'UDP', port: 53, type: 'NodePort', nodePort: 30053, externalIPs: ['192.0.2.5'], endpoints });

test('an endpoint that went away: delete entries NATed to it, per service IP and NodePort', () => {
  const prev = snapshot([udp([ep('10.1.0.1', 53), ep('10.1.0.2', 53)])]);
  const cur = snapshot([udp([ep('10.1.0.2', 53)])]);
  assert.deepEqual(staleConntrackCommands(['kube-system/dns:dns'], prev.families.IPv4, cur.families.IPv4), [
    ['-D', '-p', 'udp', '--orig-dst', '10.96.0.10', '--dst-nat', '10.1.0.1'],
    ['-D', '-p', 'udp', '--orig-dst', '192.0.2.5', '--dst-nat', '10.1.0.1'],
    ['-D', '-p', 'udp', '--dport', '30053', '--dst-nat', '10.1.0.1'],
  ]);
});

test('a port that gained its first endpoint: delete entries to its IPs and NodePort', () => {
  const prev = snapshot([udp([])]);
  const cur = snapshot([udp([ep('10.1.0.1', 53)])]);
  assert.deepEqual(staleConntrackCommands(['kube-system/dns:dns'], prev.families.IPv4, cur.families.IPv4), [
    ['-D', '-p', 'udp', '--orig-dst', '10.96.0.10'],
    ['-D', '-p', 'udp', '--orig-dst', '192.0.2.5'],
    ['-D', '-p', 'udp', '--dport', '30053'],
  ]);
});

test('TCP ports and unchanged endpoints produce nothing; IPv6 adds -f ipv6', () => {
  const tcp = servicePort({ namespace: 'a', name: 'b', clusterIP: '10.96.0.1', endpoints: [] });
  assert.deepEqual(staleConntrackCommands(['a/b:p80'], snapshot([tcp]).families.IPv4, snapshot([tcp]).families.IPv4), []);
  const v6 = (eps: ReturnType<typeof ep>[]) => servicePort({ namespace: 'a', name: 'd', clusterIP: 'fd00::a', protocol: 'UDP', endpoints: eps });
  const cmds = staleConntrackCommands(['a/d:p80'], snapshot([v6([ep('fd00:1::1', 53)])]).families.IPv6, snapshot([v6([])]).families.IPv6);
  assert.deepEqual(cmds, [['-D', '-p', 'udp', '--orig-dst', 'fd00::a', '--dst-nat', 'fd00:1::1', '-f', 'ipv6']]);
});
