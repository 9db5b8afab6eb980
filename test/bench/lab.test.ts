import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { BenchLab, benchLabRequirements, buildCommands, podAddressBatch, podIP } from '../../src/bench/bench-lab.js';
import { fillerClusterIP, fillerEndpointIP, serviceObjects } from '../../src/bench/cluster-manifests.js';
import { gaugeMs, kproxyArgs } from '../../src/bench/kproxy-under-test.js';
import { haproxyConfig, nginxConfig } from '../../src/bench/backends.js';

test('pod, filler and endpoint addresses are distinct and stay in their ranges', () => {
  assert.equal(podIP(0), '10.244.1.1');
  assert.equal(podIP(253), '10.244.1.254');
  assert.equal(podIP(254), '10.244.2.1');
  assert.throws(() => podIP(-1), /pod index/);
  const ips = new Set(Array.from({ length: 30000 }, (_, i) => fillerClusterIP(i)));
  assert.equal(ips.size, 30000);
  assert.ok([...ips].every((ip) => /^10\.10[01]\.\d+\.\d+$/.test(ip)));
  assert.equal(fillerEndpointIP(0, 0, 5), '10.250.0.1');
  assert.notEqual(fillerEndpointIP(0, 4, 5), fillerEndpointIP(1, 0, 5));
});

test('topology commands: namespaces first, pod addresses in one batch, routes to the node', () => {
  const cmds = buildCommands({ client: 'c', node: 'n', pods: 'p' }).map((c) => c.join(' '));
  assert.deepEqual(cmds.slice(0, 3), ['ip netns add c', 'ip netns add n', 'ip netns add p']);
  assert.equal(podAddressBatch(['10.244.1.1', '10.244.1.2']), 'addr add 10.244.1.1/32 dev p0\naddr add 10.244.1.2/32 dev p0\n');
  assert.ok(cmds.includes('ip -n c route add 10.96.0.0/12 via 10.77.0.1'));
  assert.ok(cmds.some((c) => c.includes('net.ipv4.ip_forward=1')));
});

test('a Service and its slice, with the scheduler annotation when asked', () => {
  const [svc, slice] = serviceObjects({ name: 's', clusterIP: '10.96.0.10', port: 80, targetPort: 8081, endpoints: ['10.244.1.1'], scheduler: 'lc' });
  assert.equal(svc.metadata.annotations?.['kproxy.io/scheduler'], 'lc');
  assert.equal(svc.spec.ports?.[0]?.targetPort, 8081);
  assert.equal(slice.metadata.labels?.['kubernetes.io/service-name'], 's');
  assert.deepEqual((slice.endpoints ?? []).map((e) => e.addresses[0]), ['10.244.1.1']);
});

test('kproxy flags per mode, sync gauge parsing, backend configs', () => {
  assert.ok(kproxyArgs('ipvs', '/m').includes('--iptables-backend=legacy'));
  assert.ok(kproxyArgs('userspace', '/m').includes('--userspace-portals=iptables'));
  assert.ok(kproxyArgs('nftables', '/m').includes('--proxy-mode=nftables'));
  assert.ok(kproxyArgs('iptables', '/m', 'uml').includes('--iptables-backend=legacy'), 'UML has only the legacy back end');
  assert.ok(!kproxyArgs('iptables', '/m').some((a) => a.startsWith('--iptables-backend')));
  assert.equal(gaugeMs('# HELP x\nkubeproxy_sync_proxy_rules_last_timestamp_seconds 1.7e+09\n', 'kubeproxy_sync_proxy_rules_last_timestamp_seconds'), 1.7e12);
  assert.equal(gaugeMs('', 'x'), undefined);
  assert.match(nginxConfig('/d'), /listen 80 /);
  assert.match(haproxyConfig('10.77.0.1:8090', ['10.244.1.1:80']), /mode tcp[\s\S]*bind 10\.77\.0\.1:8090[\s\S]*server pod0 10\.244\.1\.1:80/);
});

test('the lab builds, forwards between namespaces and leaves nothing behind', async (t) => {
  const why = benchLabRequirements();
  if (why) return t.skip(why);
  const lab = await BenchLab.create([podIP(0)]);
  const names = Object.values(lab.ns);
  try {
    const server = lab.spawn('pods', process.execPath, ['-e', `require('net').createServer((s) => s.end('pong')).listen(7070, '${podIP(0)}', () => console.log('up'))`]);
    await new Promise((resolve) => server.stdout?.once('data', resolve));
    const client = `const s = require('net').connect(7070, '${podIP(0)}'); s.on('data', (d) => process.stdout.write(d)); s.on('error', (e) => { console.error(e.message); process.exit(1); });`;
    const { stdout } = await lab.exec('client', process.execPath, ['-e', client], 10_000);
    assert.equal(stdout, 'pong');
  } finally {
    await lab.destroy();
  }
  const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  for (const n of names) assert.ok(!left.includes(n), `${n} still exists`);
});
