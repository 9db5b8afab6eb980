// The IPVS renderer without a kernel: virtual servers per way into a Service, real servers per traffic
// policy, ipset members, and the iptables rules that depend on them.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IpvsRenderer } from '../../src/dataplane/ipvs/renderer.js';
import type { FamilyIpvsProgram } from '../../src/dataplane/ipvs/program.js';
import { ep, servicePort, snapshot } from './fixtures.js';

const NODE = '192.0.2.10';
const renderer = (more = {}) =>
  new IpvsRenderer({
    nodeIPs: [NODE],
    detectLocal: { mode: 'ClusterCIDR', clusterCIDR: '10.244.0.0/16', bridgeInterface: '', interfaceNamePrefix: '' },
    localAddresses: () => [{ address: NODE, interface: 'eth0' }, { address: '127.0.0.1', interface: 'lo' }, { address: '10.96.0.99', interface: 'kube-ipvs0' }],
    ...more,
  });
const render = (ports: Parameters<typeof snapshot>[0], more = {}): FamilyIpvsProgram => {
  const fp = renderer(more).render({ snapshot: snapshot(ports), previous: undefined, full: true }).families[0];
  assert.ok(fp);
  return fp;
};
const members = (fp: FamilyIpvsProgram, name: string) => fp.ipsets.find((s) => s.name === name)?.members ?? [];
const servers = (fp: FamilyIpvsProgram) => fp.virtualServers.map((v) => `${v.protocol} ${v.address}:${v.port} ${v.realServers.map((r) => `${r.address}:${r.port}`).join(',')}`);

test('a NodePort Service gets virtual servers on the ClusterIP and every node address but loopback and kube-ipvs0', () => {
  const fp = render([servicePort({ name: 'web', clusterIP: '10.96.0.10', nodePort: 30080, type: 'NodePort', endpoints: [ep('10.244.1.1', 8080)] })]);
  assert.deepEqual(servers(fp), ['TCP 10.96.0.10:80 10.244.1.1:8080', `TCP ${NODE}:30080 10.244.1.1:8080`]);
  assert.deepEqual(fp.boundAddresses, ['10.96.0.10']);
  assert.deepEqual(members(fp, 'KUBE-NODE-PORT-TCP'), ['30080']);
  assert.deepEqual(members(fp, 'KUBE-CLUSTER-IP'), ['10.96.0.10,tcp:80']);
  assert.deepEqual(members(fp, 'KUBE-IPVS-IPS'), ['10.96.0.10']);
  assert.match(fp.nat, /-A KUBE-NODE-PORT -p tcp .* --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ/);
  assert.match(fp.nat, /--match-set KUBE-CLUSTER-IP dst,dst ! -s 10\.244\.0\.0\/16 -j KUBE-MARK-MASQ/);
});

test('ClientIP affinity is persistence with the timeout; mh gets mh-port; the annotation picks the scheduler', () => {
  const fp = render([
    servicePort({ name: 'sticky', clusterIP: '10.96.0.11', sessionAffinity: { type: 'ClientIP', timeoutSeconds: 600 }, scheduler: 'sh' }),
    servicePort({ name: 'maglev', clusterIP: '10.96.0.12', scheduler: 'mh' }),
  ]);
  const [sticky, maglev] = fp.virtualServers;
  assert.deepEqual([sticky?.scheduler, sticky?.persistence, sticky?.schedulerFlags], ['sh', 600, []]);
  assert.deepEqual([maglev?.scheduler, maglev?.schedulerFlags], ['mh', ['mh-port']]);
});

test('externalTrafficPolicy Local: local real servers outside, cluster ones on the ClusterIP; Local sets filled', () => {
  const fp = render([
    servicePort({
      name: 'lb', clusterIP: '10.96.0.13', type: 'LoadBalancer', nodePort: 30090, externalPolicyLocal: true, healthCheckNodePort: 32000,
      loadBalancerIPs: [{ ip: '203.0.113.5', ipMode: 'VIP' }, { ip: '203.0.113.6', ipMode: 'Proxy' }],
      endpoints: [ep('10.244.1.1', 8080, true), ep('10.244.2.1', 8080)],
    }),
  ]);
  assert.deepEqual(servers(fp), [
    'TCP 10.96.0.13:80 10.244.1.1:8080,10.244.2.1:8080',
    'TCP 203.0.113.5:80 10.244.1.1:8080',
    `TCP ${NODE}:30090 10.244.1.1:8080`,
  ]);
  assert.deepEqual(members(fp, 'KUBE-LOAD-BALANCER-LOCAL'), ['203.0.113.5,tcp:80']);
  assert.deepEqual(members(fp, 'KUBE-NODE-PORT-LOCAL-TCP'), ['30090']);
  assert.deepEqual(members(fp, 'KUBE-HEALTH-CHECK-NODE-PORT'), ['32000']);
  assert.deepEqual(members(fp, 'KUBE-LOOP-BACK'), ['10.244.1.1,tcp:8080,10.244.1.1']);
  assert.deepEqual(fp.boundAddresses, ['10.96.0.13', '203.0.113.5']);
});

test('LB source ranges: CIDR members; the node is dropped in KUBE-IPVS-OUT-FILTER unless a range covers it', () => {
  const lb = (name: string, ip: string, ranges: string[]) =>
    servicePort({ name, clusterIP: `10.96.0.${ip.split('.')[3]}`, type: 'LoadBalancer', loadBalancerIPs: [{ ip, ipMode: 'VIP' }], loadBalancerSourceRanges: ranges });
  const fp = render([lb('a', '203.0.113.7', ['198.51.100.0/24']), lb('b', '203.0.113.8', ['192.0.2.0/24'])]);
  assert.deepEqual(members(fp, 'KUBE-LOAD-BALANCER-SOURCE-CIDR'), ['203.0.113.7,tcp:80,198.51.100.0/24', '203.0.113.8,tcp:80,192.0.2.0/24']);
  assert.deepEqual(members(fp, 'KUBE-LOAD-BALANCER-SOURCE-IP'), ['203.0.113.8,tcp:80,203.0.113.8']);
  assert.match(fp.filter, /-A KUBE-IPVS-OUT-FILTER -s 203\.0\.113\.7 -m ipvs --vaddr 203\.0\.113\.7 --vproto tcp --vport 80 -j DROP/);
  assert.doesNotMatch(fp.filter, /--vaddr 203\.0\.113\.8/);
});

test('KUBE-IPVS-FILTER lets Service ports through and rejects anything else to a kube-ipvs0 address (issue 72236)', () => {
  const fp = render([servicePort({ name: 'web', clusterIP: '10.96.0.10' })]);
  const rules = fp.filter.split('\n').filter((l) => l.startsWith('-A KUBE-IPVS-FILTER'));
  assert.equal(rules.length, 6);
  assert.match(rules[5] ?? '', /--ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT/);
});

test('IPv6 uses KUBE-6- sets, inet6 and ::1; External IPs already on the node are not bound to kube-ipvs0', () => {
  const fp = renderer({ families: ['IPv6'], localAddresses: () => [{ address: 'fd00::10', interface: 'eth0' }] })
    .render({ snapshot: snapshot([servicePort({ name: 'v6', clusterIP: 'fd96::a', externalIPs: ['fd00::10'], endpoints: [ep('fd44::1', 8080)] })]), previous: undefined, full: true })
    .families[0];
  assert.ok(fp);
  assert.deepEqual(fp.boundAddresses, ['fd96::a']);
  assert.ok(fp.ipsets.every((s) => s.name.startsWith('KUBE-6-') && s.name.length <= 31));
  assert.deepEqual(members(fp, 'KUBE-6-CLUSTER-IP'), ['fd96::a,tcp:80']);
  assert.match(fp.nat, /-A KUBE-SERVICES -s ::1\/128 -j RETURN/);
});

test('format prints ipvsadm -Sn, ipset save and iptables-save text', () => {
  const r = renderer();
  const text = r.format(r.render({ snapshot: snapshot([servicePort({ name: 'web', clusterIP: '10.96.0.10', endpoints: [ep('10.244.1.1', 8080)] })]), previous: undefined, full: true }));
  assert.match(text, /^-A -t 10\.96\.0\.10:80 -s rr$/m);
  assert.match(text, /^-a -t 10\.96\.0\.10:80 -r 10\.244\.1\.1:8080 -m -w 1$/m);
  assert.match(text, /^create KUBE-NODE-PORT-TCP bitmap:port range 0-65535$/m);
  assert.match(text, /^\*nat$/m);
});
