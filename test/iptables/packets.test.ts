// Root only: real TCP through the rules, in a client -> node -> pods namespace topology. Just enough to
// prove the rules work (the flow suite covers the rest): ClusterIP, NodePort, and a port that rejects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IptablesExecutor } from '../../src/dataplane/iptables/executor.js';
import { IptablesRenderer } from '../../src/dataplane/iptables/renderer.js';
import { ep, servicePort, snapshot } from './fixtures.js';
import { canUseNetns, connectFrom, makeTopology, startEchoServer } from '../fixtures/netns.js';

test('ClusterIP and NodePort reach a pod, a port without endpoints refuses', { skip: canUseNetns() }, async (t) => {
  const lab = await makeTopology(t);
  await startEchoServer(lab, 8080);
  const endpoints = lab.podIPs.map((ip) => ep(ip, 8080));
  const ports = [
    servicePort({ namespace: 'default', name: 'web', clusterIP: '172.30.0.10', type: 'NodePort', nodePort: 30080, endpoints }),
    servicePort({ namespace: 'default', name: 'nothing', clusterIP: '172.30.0.20' }),
  ];
  const renderer = new IptablesRenderer({
    detectLocal: { mode: 'ClusterCIDR', clusterCIDR: '10.98.0.0/16', bridgeInterface: '', interfaceNamePrefix: '' },
  });
  const executor = new IptablesExecutor({ netns: lab.node, backend: 'nft' });
  const input = { snapshot: snapshot(ports), previous: undefined, full: true };
  await executor.apply(renderer.render(input), input);

  const seen = new Set<string>();
  for (let i = 0; i < 12; i++) {
    const reply = connectFrom(lab.client, '172.30.0.10', 80);
    assert.match(reply, /^OK 10\.98\.0\.1[01]$/, `ClusterIP reply: ${reply}`);
    seen.add(reply);
  }
  assert.ok(seen.size >= 1);
  assert.match(connectFrom(lab.client, lab.nodeIP, 30080), /^OK 10\.98\.0\.1[01]$/);
  assert.equal(connectFrom(lab.client, '172.30.0.20', 80), 'ERR ECONNREFUSED');
});
