// `kproxy explain` end to end on a small cluster of manifests: the questions of issue 16 (a working
// Service, one without endpoints, externalTrafficPolicy Local on a node without local endpoints, a rejected
// Service), the JSON shape scripts rely on, the help text, and bad input.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tracerFor } from '../../src/explain/tracers.js';
import { kproxy } from './cli-run.js';
import { withCluster } from './manifests.js';

const MODE = ['--proxy-mode', 'iptables'];

test('a working Service: matched as ClusterIP, every endpoint with its state and reason', async () => {
  await withCluster(async (dir) => {
    const r = kproxy(['explain', '--from', dir, ...MODE, '--hostname-override', 'node-a', '--to', '10.96.0.20:80']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^service: +default\/web:http \(type ClusterIP\), matched as ClusterIP 10\.96\.0\.20:80$/m);
    assert.match(r.stdout, /^ {2}used +10\.244\.0\.5:8080 +ready,serving,local$/m);
    assert.match(r.stdout, /^ {2}not used 10\.244\.1\.6:8080 +not-ready,not-serving,node=node-b: not ready$/m);
    assert.match(r.stdout, /10\.244\.1\.7:8080 .*: serving but terminating, and ready endpoints exist: no fallback needed$/m);
    assert.match(r.stdout, /fd00::5 .*: wrong family: the slice holds IPv6 addresses, this port is IPv4 \(EndpointSlice web-v6\)$/m);
    assert.match(r.stdout, /10\.244\.2\.9 .*: not in the slice for this port: .*\(EndpointSlice web-other\)$/m);
    assert.match(r.stdout, /^expected: +answered: 2 usable endpoint\(s\) under traffic policy Cluster$/m);
    assert.match(r.stdout, /source: a pod on this node \(10\.244\.0\.2, from the node's pod CIDR 10\.244\.0\.0\/24\)/);
    // With the mode's tracer registered, its verdict; without, said so instead of failing.
    if (tracerFor('iptables')) assert.match(r.stdout, /^trace: +answered to 10\.244\.0\.5:8080, 10\.244\.1\.5:8080;/m);
    else assert.match(r.stdout, /^trace: +no packet tracer for mode iptables yet/m);
  });
});

test('a Service with no endpoints is rejected; topology hints leave out the other zone', async () => {
  await withCluster(async (dir) => {
    const empty = kproxy(['explain', '--from', dir, ...MODE, '--hostname-override', 'node-a', '--to', '10.96.0.30:80']);
    assert.equal(empty.status, 0, empty.stderr);
    assert.match(empty.stdout, /^endpoints: +none \(no EndpointSlice lists an endpoint for this port\)$/m);
    assert.match(empty.stdout, /^expected: +rejected: the port has no usable endpoint anywhere/m);
    const zoned = kproxy(['explain', '--from', dir, ...MODE, '--hostname-override', 'node-a', '--to', '10.96.0.70:80']);
    assert.match(zoned.stdout, /10\.244\.1\.11:8080 .*: topology hint for another zone \(zone-b; this node is in "zone-a"\)$/m);
    assert.match(zoned.stdout, /pick: 10\.244\.0\.11:8080 \(the only usable endpoint\)/);
  });
});

test('externalTrafficPolicy Local on a node without local endpoints drops traffic from outside', async () => {
  await withCluster(async (dir) => {
    const r = kproxy(['explain', '--from', dir, ...MODE, '--hostname-override', 'node-b', '--via', '192.0.2.11', '--to', '192.0.2.11:30080']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /matched as NodePort 30080 on node address 192\.0\.2\.11$/m);
    assert.match(r.stdout, /10\.244\.0\.8:8080 .*: traffic policy Local and not on this node \(on "node-a", this node is "node-b"\)$/m);
    assert.match(r.stdout, /^expected: +dropped: traffic policy Local and no usable endpoint on this node \("node-b"\)/m);
    // From a pod on that node, the same NodePort goes to the Cluster endpoints, as in kube-proxy, when
    // the mode can tell pods apart; without --cluster-cidr the pod's traffic counts as external.
    const args = ['explain', '--from', dir, ...MODE, '--hostname-override', 'node-b', '--bind-address', '192.0.2.11', '--to', '192.0.2.11:30080'];
    const fromPod = kproxy([...args, '--cluster-cidr', '10.244.0.0/16']);
    assert.match(fromPod.stdout, /^expected: +answered: 1 usable endpoint\(s\) under traffic policy Cluster$/m);
    const undetected = kproxy(args);
    assert.match(undetected.stdout, /traffic from a local pod is treated as external here: no --cluster-cidr or --detect-local-mode/);
    assert.match(undetected.stdout, /^expected: +dropped:/m);
  });
});

test('a rejected Service: explain says so, with the input error', async () => {
  await withCluster(async (dir) => {
    const r = kproxy(['explain', '--from', dir, ...MODE, '--hostname-override', 'node-a', '--to', '10.96.0.40:80']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^service: +none matches$/m);
    assert.match(r.stdout, /^rejected: +Service default\/broken claims this destination but the model rejected it:$/m);
    assert.match(r.stdout, /broken-0\.json: Service default\/broken: spec\.ports\[0\]\.targetPort: got 70000, must be an integer from 1 to 65535$/m);
  });
});

test('-o json gives the report as one versioned object', async () => {
  await withCluster(async (dir) => {
    const r = kproxy(['explain', '--from', dir, ...MODE, '--hostname-override', 'node-a', '--to', '198.51.100.9:80', '-o', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(report), ['version', 'mode', 'connection', 'match', 'rejected', 'endpoints', 'expected', 'scheduler', 'trace']);
    assert.equal(report.version, 1);
    assert.deepEqual(report.connection, {
      protocol: 'TCP',
      destination: '198.51.100.9',
      port: 80,
      source: '10.244.0.2',
      sourceNote: "a pod on this node (10.244.0.2, from the node's pod CIDR 10.244.0.0/24); give --source to use another",
      origin: 'pod',
    });
    assert.deepEqual(report.match, { kind: 'LoadBalancer', servicePort: 'default/lb:http', serviceType: 'LoadBalancer', policy: 'Cluster', how: 'load-balancer ingress 198.51.100.9:80' });
    assert.deepEqual(report.endpoints, [{ address: '10.244.0.9:8080', node: 'node-a', ready: true, serving: true, terminating: false, local: true, used: true }]);
    assert.deepEqual(report.expected.outcome, 'answered');
    assert.equal(report.trace.status, tracerFor('iptables') ? 'traced' : 'no-tracer');
    if (report.trace.status === 'traced') assert.deepEqual(report.trace.verdict.endpoints, ['10.244.0.9:8080']);
  });
});

test('kproxy explain --help shows the flags and the four examples', () => {
  const r = kproxy(['explain', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^Usage: kproxy explain --to IP:PORT\[\/TCP\|UDP\|SCTP\]/);
  for (const example of ['# A working Service', '# A Service with no endpoints', '# externalTrafficPolicy Local on a node without local endpoints', '# A Service the model rejected']) {
    assert.ok(r.stdout.includes(example), example);
  }
  assert.doesNotMatch(r.stdout, /--iptables-sync-period/, 'the command help, not the proxy help');
});

test('bad input is refused with a clear error and exit status 1', async () => {
  await withCluster(async (dir) => {
    const cases: [string[], RegExp][] = [
      [['--to', 'web:80'], /^kproxy explain: --to "web:80": "web" is not an IP address/m],
      [['--to', '10.96.0.20:99999'], /port "99999" is out of range; a port is 1-65535/],
      [['--to', '10.96.0.20:80/GRE'], /unknown protocol "GRE"; kproxy knows TCP, UDP, SCTP/],
      [[], /--to IP:PORT\[\/TCP\|UDP\|SCTP\] is required/],
      [['--to', '10.96.0.20:80', '--source', 'fd00::1'], /--source fd00::1 is IPv6 but --to 10\.96\.0\.20 is IPv4/],
      [['--to', '10.96.0.20:80', '--live', '--proxy-mode', 'ipvs'], /--live is not supported yet for mode ipvs \(only iptables and nftables\)/],
      [['--to', '10.96.0.20:80', '--live', '--proxy-mode', 'userspace'], /--live is not supported yet for mode userspace \(only iptables and nftables\)/],
    ];
    for (const [args, message] of cases) {
      const r = kproxy(['explain', '--from', dir, ...MODE, ...args]);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, message);
    }
    const misplaced = kproxy(['render', '--from', dir, ...MODE, '--to', '10.96.0.20:80']);
    assert.equal(misplaced.status, 1);
  });
});
