// externalTrafficPolicy Local through real sockets: the TCP and UDP proxies choose the backend set by the
// client's address (upstream's short-circuit of this node's pods and the node), and hold or drop the other
// clients when this node has no endpoint. The clients all use 127.0.0.1; `isNodeAddress` decides who that is.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { renderListenerTable } from '../../src/dataplane/userspace/renderer.js';
import type { ListenerSpec } from '../../src/dataplane/userspace/listener-table.js';
import { TcpProxy } from '../../src/dataplane/userspace/tcp-proxy.js';
import { UdpProxy } from '../../src/dataplane/userspace/udp-proxy.js';
import type { Endpoint } from '../../src/model/types.js';
import { askWho, connectClient, endpoint, loopbackAddress, servicePort, snapshot, tcpEchoBackend, udpClient, udpEchoBackend } from './fixtures.js';

const NODE_PORT = 30080;

/** The NodePort listener on `vip` of a policy Local Service; pods are 10.244.0.0/16, so 127.0.0.1 is not one. */
function listenerOn(vip: string, protocol: 'TCP' | 'UDP', endpoints: Endpoint[]): ListenerSpec {
  const sp = servicePort({ name: 'web', protocol, type: 'NodePort', nodePort: NODE_PORT, externalPolicyLocal: true, endpoints });
  const detectLocal = { mode: 'ClusterCIDR', clusterCIDR: '10.244.0.0/16', bridgeInterface: '', interfaceNamePrefix: '' } as const;
  const l = renderListenerTable(snapshot([sp]), [vip], detectLocal).listeners.find((x) => x.kind === 'NodePort');
  assert.ok(l?.inCluster);
  return l;
}

const opts = (fromNode: boolean) => ({
  connectTimeoutMs: 1000,
  drainGraceMs: 0,
  idleTimeoutMs: 30_000,
  maxFlows: 16,
  now: Date.now,
  onWarning: () => undefined,
  isNodeAddress: () => fromNode,
});

async function tcpProxy(t: TestContext, spec: ListenerSpec, fromNode: boolean): Promise<void> {
  const proxy = new TcpProxy(spec, opts(fromNode));
  t.after(() => proxy.close(false));
  await proxy.listen(spec.address, spec.port);
}

async function tcpBackends(t: TestContext): Promise<Endpoint[]> {
  const [here, there] = await Promise.all([tcpEchoBackend('here'), tcpEchoBackend('there')]);
  t.after(() => Promise.all([here!.close(), there!.close()]));
  return [endpoint('127.0.0.1', here!.port), endpoint('127.0.0.1', there!.port, { isLocal: false, nodeName: 'node-b' })];
}

async function whoAnswers(vip: string, n: number): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(await askWho(vip, NODE_PORT));
  return [...seen].sort();
}

test('TCP: a client on a node address is served by every endpoint, any other client by the local ones', async (t) => {
  const eps = await tcpBackends(t);
  const fromNode = loopbackAddress();
  await tcpProxy(t, listenerOn(fromNode, 'TCP', eps), true);
  assert.deepEqual(await whoAnswers(fromNode, 4), ['here', 'there']);
  const outside = loopbackAddress();
  await tcpProxy(t, listenerOn(outside, 'TCP', eps), false);
  assert.deepEqual(await whoAnswers(outside, 4), ['here']);
});

test('TCP: no local endpoint: the node still reaches the others; an outside client hears nothing and is not reset', async (t) => {
  const eps = (await tcpBackends(t)).filter((e) => !e.isLocal);
  const fromNode = loopbackAddress();
  await tcpProxy(t, listenerOn(fromNode, 'TCP', eps), true);
  assert.deepEqual(await whoAnswers(fromNode, 2), ['there']);
  const outside = loopbackAddress();
  await tcpProxy(t, listenerOn(outside, 'TCP', eps), false);
  // A reset or close shows as 'closed', an answer as its backend; silence is what upstream's DROP gives.
  const c = await connectClient(outside, NODE_PORT);
  c.socket.on('error', () => undefined);
  const answer = c.say('anyone?').catch(() => 'closed');
  const silence = new Promise((r) => setTimeout(() => r('silence'), 300));
  assert.equal(await Promise.race([answer, silence]), 'silence');
  c.socket.destroy();
});

test('UDP: no local endpoint: the node\'s flow is answered, an outside client\'s datagrams are dropped', async (t) => {
  const there = await udpEchoBackend('there');
  t.after(() => there.close());
  const eps = [endpoint('127.0.0.1', there.port, { isLocal: false, nodeName: 'node-b' })];
  for (const [fromNode, want] of [[true, 'there:q'], [false, 'timeout']] as const) {
    const vip = loopbackAddress();
    const spec = listenerOn(vip, 'UDP', eps);
    const proxy = new UdpProxy(spec, opts(fromNode));
    t.after(() => proxy.close());
    await proxy.listen(spec.address, spec.port);
    const c = await udpClient(vip, NODE_PORT);
    t.after(() => c.socket.close());
    assert.equal(await c.ask('q', 300), want, fromNode ? 'node' : 'outside');
  }
});
