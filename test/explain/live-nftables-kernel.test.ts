// `kproxy explain --live` in nftables mode against the real kernel (root): kproxy itself programs a tiny
// Service in a namespace of its own, then explain --live, run in that namespace, finds every traced
// chain, rule and element there; a connection the node opens to the ClusterIP shows in the DNAT rule's
// counter; an element deleted behind kproxy's back is reported missing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NamespaceSet } from '../../src/lab/namespace-set.js';
import { addVethAddresses } from '../../src/lab/veth-addresses.js';
import type { LiveFinding } from '../../src/explain/live-finding.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const skip =
  process.getuid?.() !== 0 ? 'needs root' : spawnSync('sh', ['-c', 'command -v nft && command -v ip'], { stdio: 'ignore' }).status !== 0 ? 'needs nft and ip' : undefined;

const CLUSTER = [
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' }, spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] }, status: { addresses: [{ type: 'InternalIP', address: '192.0.2.10' }] } },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ipFamilies: ['IPv4'], ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }] },
  },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
    endpoints: [{ addresses: ['10.244.1.5'], nodeName: 'node-b', conditions: { ready: true, serving: true, terminating: false } }],
  },
];
const FLAGS = ['--from', '', '--proxy-mode', 'nftables', '--hostname-override', 'node-a', '--cluster-cidr', '10.244.0.0/16'];

test('explain --live finds the traced nft objects, counts a connection, and reports an element deleted behind kproxy', { skip, timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kproxy-live-nft-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'cluster.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: CLUSTER }));
  const flags = FLAGS.map((f) => (f === '' ? dir : f));
  const lab = await NamespaceSet.create(['node'], 'kpt-nftlive-', async (set) => {
    await addVethAddresses(set, 'node', { device: 'e0', peer: 'e1', addresses: ['192.0.2.10/24'], routes: ['10.96.0.0/16', '10.244.0.0/16'] });
  });
  t.after(() => lab.destroy());
  const ns = lab.ns.node;
  const inNs = (args: string[]) => spawnSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8', timeout: 30_000 });
  const explain = (): LiveFinding[] => {
    const r = inNs([process.execPath, CLI, 'explain', ...flags, '--to', '10.96.0.20:80', '--live', '-o', 'json']);
    assert.equal(r.status, 0, r.stderr);
    return (JSON.parse(r.stdout) as { live: LiveFinding[] }).live;
  };

  // kproxy itself (the real executor) programs the namespace; it has synced once the element is there.
  const proxy = lab.spawn('node', process.execPath, [CLI, ...flags, '--metrics-bind-address=127.0.0.1:10249', '--healthz-bind-address=127.0.0.1:10256']);
  let listing = '';
  for (let i = 0; i < 200 && !listing.includes('10.96.0.20 . tcp . 80'); i++) {
    await new Promise((r) => setTimeout(r, 100));
    listing = inNs(['nft', 'list', 'table', 'ip', 'kproxy']).stdout ?? '';
  }
  assert.match(listing, /10\.96\.0\.20 \. tcp \. 80 : goto cluster-ip-random-1/, 'kproxy programmed the Service');

  const before = explain();
  assert.ok(before.length > 3 && before.every((f) => f.state === 'present'), JSON.stringify(before, null, 1));
  const dnat = (findings: LiveFinding[]) => findings.find((f) => f.where === 'ip kproxy cluster-ip-random-1' && f.rule.includes('meta l4proto tcp counter dnat'));
  assert.equal(dnat(before)?.packets, 0);

  // The node's own connection: DNAT in nat-output counts its first packet (the endpoint need not answer).
  inNs([process.execPath, '-e', "const s=require('net').connect(80,'10.96.0.20');s.on('error',()=>{});setTimeout(()=>process.exit(0),300)"]);
  assert.equal(dnat(explain())?.packets, 1);

  proxy.kill('SIGTERM');
  await new Promise((r) => proxy.once('exit', r));
  execFileSync('ip', ['netns', 'exec', ns, 'nft', 'delete', 'element', 'ip', 'kproxy', 'service-ips', '{ 10.96.0.20 . tcp . 80 }']);
  const after = explain();
  assert.deepEqual(
    after.filter((f) => f.state !== 'present').map((f) => `${f.state} ${f.where}: ${f.rule}`),
    ['element missing service-ips: 10.96.0.20 . tcp . 80 : goto cluster-ip-random-1'],
  );
});
