// The harness proves itself without kproxy: hand-written iptables DNAT rules stand in for a proxy. With
// them, pod->ClusterIP flows over TCP and UDP are answered with the pod's own source; without them, the same
// scenario must fail (the flows come out dropped), so a suite that passes means the data plane worked.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { endpoint, node, port, service, slice, udpPort } from '../fixtures/objects.js';
import { CLIENT_IP, CLIENT_POD_IP, NODE_IP } from '../../src/lab/node-lab.js';
import { registerScenarioTests, useFlowLab } from './run-scenarios.js';
import type { Scenario } from './scenario.js';
import { runScenario, sendFlow } from './scenario-run.js';
import { StaticDnatAdapter } from './static-dnat-adapter.js';

const POD = '10.244.1.11';


const trivial: Scenario = {
  name: 'static DNAT: pod->ClusterIP over TCP and UDP',
  nodeName: 'node-a',
  objects: [
    node('node-a', 'zone-a', [NODE_IP]),
    service('echo', { clusterIP: '10.96.7.1', ports: [port(80, 8080, { name: 'tcp' }), udpPort(53, 5353, { name: 'udp' })] }),
    slice('echo', [['tcp', 8080], ['udp', 5353, 'UDP']], [endpoint(POD)]),
  ],
  flows: [
    { from: 'pod', fromIP: CLIENT_POD_IP, proto: 'tcp', to: '10.96.7.1:80', count: 3, expect: { answeredBy: [`${POD}:8080`], all: true, source: 'client' } },
    { from: 'pod', fromIP: CLIENT_POD_IP, proto: 'udp', to: '10.96.7.1:53', expect: { answeredBy: [`${POD}:5353`], source: 'client' } },
  ],
};

const rules = new StaticDnatAdapter([
  { proto: 'tcp', from: '10.96.7.1:80', to: `${POD}:8080` },
  { proto: 'udp', from: '10.96.7.1:53', to: `${POD}:5353` },
]);

describe('flow harness self-test', () => {
  const lab = useFlowLab([trivial]);
  registerScenarioTests(rules, [trivial], lab);

  test('without any rules the same scenario fails, its flows dropped', async (t) => {
    if (lab.skipReason()) return t.skip(lab.skipReason());
    const report = await runScenario(lab.get(), new StaticDnatAdapter([]), trivial);
    assert.equal(report.failures.length, 2, report.text);
    for (const f of report.failures) assert.match(f, /expected answered, got dropped/);
    assert.match(report.text, /no rules installed/);
  });

  test('a closed port on a pod comes out rejected (ECONNREFUSED), over TCP and UDP', async (t) => {
    if (lab.skipReason()) return t.skip(lab.skipReason());
    for (const proto of ['tcp', 'udp'] as const) {
      const [r] = await sendFlow(lab.get(), { from: 'client', fromIP: CLIENT_IP, proto, to: `${POD}:9`, expect: {} });
      assert.deepEqual(r, { outcome: 'rejected', detail: 'ECONNREFUSED' });
    }
  });

  test('the client reaches a pod directly with its own source, and --count sends that many flows', async (t) => {
    if (lab.skipReason()) return t.skip(lab.skipReason());
    const results = await sendFlow(lab.get(), { from: 'client', proto: 'tcp', to: `${POD}:8080`, count: 4, expect: {} });
    assert.equal(results.length, 4);
    for (const r of results) {
      assert.equal(r.outcome, 'answered');
      assert.equal(r.endpoint, `${POD}:8080`);
      assert.equal(r.source?.split(':')[0], CLIENT_IP);
    }
    assert.equal(new Set(results.map((r) => r.local)).size, 4, 'each flow from its own source port');
  });
});
