import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { UserspaceExecutor, UserspaceExecutorOptions } from '../../src/dataplane/userspace/executor.js';
import { UdpProxy } from '../../src/dataplane/userspace/udp-proxy.js';
import type { ServicePort } from '../../src/model/types.js';
import { endpoint, loopbackAddress, proxyRig, servicePort, udpClient, udpEchoBackend, until, type ProxyRig, type UdpBackend } from './fixtures.js';

function dns(vip: string, backends: readonly UdpBackend[], over: Partial<ServicePort> = {}): ServicePort {
  return servicePort({ name: 'dns', protocol: 'UDP', clusterIP: vip, port: 5353, endpoints: backends.map((b) => endpoint('127.0.0.1', b.port)), ...over });
}

/** `n` echo backends named u0, u1, ... and a proxy to serve them, all closed after the test. */
async function rig(t: TestContext, n: number, over: Partial<UserspaceExecutorOptions> = {}): Promise<ProxyRig & { bs: UdpBackend[] }> {
  const bs = await Promise.all(Array.from({ length: n }, (_, i) => udpEchoBackend(`u${i}`)));
  return { bs, ...proxyRig(t, bs, over) };
}

/** A client connected to the service port, closed after the test. */
async function client(t: TestContext, vip: string): ReturnType<typeof udpClient> {
  const c = await udpClient(vip, 5353);
  t.after(() => c.socket.close());
  return c;
}

function proxyOf(ex: UserspaceExecutor, vip: string): UdpProxy {
  const h = ex.handle(`UDP/${vip}:5353`);
  assert.ok(h instanceof UdpProxy);
  return h;
}

test('UDP: each client flow goes to one backend, flows spread rr, replies come back', async (t) => {
  const { bs, vip, apply } = await rig(t, 3);
  await apply([dns(vip, bs)]);
  const answers: string[] = [];
  for (let i = 0; i < 3; i++) {
    const c = await udpClient(vip, 5353);
    const first = await c.ask('q1');
    assert.equal(await c.ask('q2'), first.replace('q1', 'q2'), 'a flow sticks to its backend');
    answers.push(first);
    c.socket.close();
  }
  assert.deepEqual(answers.sort(), ['u0:q1', 'u1:q1', 'u2:q1']);
});

test('UDP: an idle flow expires after the idle timeout and the next datagram opens a new one', async (t) => {
  const { bs, ex, vip, apply } = await rig(t, 1, { udpIdleTimeoutMs: 40 });
  await apply([dns(vip, bs)]);
  const c = await client(t, vip);
  assert.equal(await c.ask('a'), 'u0:a');
  assert.equal(proxyOf(ex, vip).flows().length, 1);
  await until(() => proxyOf(ex, vip).flows().length === 0, 'the flow to expire');
  assert.equal(await c.ask('b'), 'u0:b');
  // A new upstream socket, so the backend saw a second source port.
  assert.equal(new Set(bs[0]!.peers).size, 2);
});

test('UDP: idle expiry follows the injected clock, not the timer alone', async (t) => {
  let clock = 0;
  const { bs, ex, vip, apply } = await rig(t, 1, { udpIdleTimeoutMs: 20, now: () => clock });
  await apply([dns(vip, bs)]);
  const c = await client(t, vip);
  await c.ask('a');
  // The timer fires, but on the injected clock no time has passed: the flow must survive.
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(proxyOf(ex, vip).flows().length, 1);
  clock += 25;
  await until(() => proxyOf(ex, vip).flows().length === 0, 'the flow to expire once the clock moved');
});

test('UDP: flows to a removed backend end at once; new flows go to the remaining ones', async (t) => {
  const { bs, ex, vip, apply } = await rig(t, 2);
  await apply([dns(vip, bs)]);
  const c = await client(t, vip);
  const first = (await c.ask('x')).split(':')[0];
  const kept = bs.filter((b) => b.name !== first);
  await apply([dns(vip, kept)]);
  assert.equal(proxyOf(ex, vip).flows().length, 0);
  assert.equal(await c.ask('y'), `${kept[0]!.name}:y`);
});

test('UDP: the flow table is bounded per listener', async (t) => {
  const { bs, ex, vip, apply } = await rig(t, 1, { maxUdpFlows: 2 });
  await apply([dns(vip, bs)]);
  const cs = await Promise.all([1, 2, 3].map(() => client(t, vip)));
  assert.equal(await cs[0]!.ask('1'), 'u0:1');
  assert.equal(await cs[1]!.ask('2'), 'u0:2');
  assert.equal(await cs[2]!.ask('3', 200), 'timeout');
  assert.equal(proxyOf(ex, vip).droppedForFullTable, 1);
});

test('UDP reject: no endpoints answers ICMP port unreachable', async (t) => {
  const { vip, apply } = await rig(t, 0);
  await apply([dns(vip, [])]);
  const c = await client(t, vip);
  assert.equal(await c.ask('anyone?'), 'ECONNREFUSED');
});

test('UDP drop: Local policy without local endpoints neither answers nor refuses', async (t) => {
  // The client's 127.0.0.1 plays an outside client: the node's own would get every endpoint.
  const { bs, vip, apply } = await rig(t, 1, { isLocalAddress: (ip) => ip !== '127.0.0.1' });
  const p = dns(loopbackAddress(), [], {
    type: 'NodePort',
    externalIPs: [vip],
    externalPolicyLocal: true,
    endpoints: [endpoint('127.0.0.1', bs[0]!.port, { isLocal: false })],
  });
  await apply([p]);
  const c = await client(t, vip);
  assert.equal(await c.ask('anyone?', 200), 'timeout');
});
