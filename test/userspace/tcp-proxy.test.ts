import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { UserspaceExecutorOptions } from '../../src/dataplane/userspace/executor.js';
import { TcpProxy, type TcpRelayInfo } from '../../src/dataplane/userspace/tcp-proxy.js';
import type { ServicePort } from '../../src/model/types.js';
import {
  askWho,
  connectClient,
  connectOutcome,
  deadPort,
  endpoint,
  loopbackAddress,
  proxyRig,
  servicePort,
  tcpEchoBackend,
  until,
  type ProxyRig,
  type TcpBackend,
} from './fixtures.js';

function svc(vip: string, backends: readonly { port: number }[], over: Partial<ServicePort> = {}): ServicePort {
  return servicePort({ name: 'web', clusterIP: vip, port: 8080, endpoints: backends.map((b) => endpoint('127.0.0.1', b.port)), ...over });
}

/** A proxy with a 1 s connect timeout, closed after the test together with `bs`. */
function proxyServing(t: TestContext, bs: readonly TcpBackend[], over: Partial<UserspaceExecutorOptions> = {}): ProxyRig {
  return proxyRig(t, bs, { connectTimeoutMs: 1000, ...over });
}

/** `n` echo backends named b0, b1, ... and a proxy to serve them. */
async function rig(t: TestContext, n: number, over: Partial<UserspaceExecutorOptions> = {}): Promise<ProxyRig & { bs: TcpBackend[] }> {
  const bs = await Promise.all(Array.from({ length: n }, (_, i) => tcpEchoBackend(`b${i}`)));
  return { bs, ...proxyServing(t, bs, over) };
}

/** What comes back within 200 ms of a write on a new connection; a close shows as 'closed'. */
async function heardWithin200ms(host: string, port: number): Promise<string[]> {
  const c = await connectClient(host, port);
  const got: string[] = [];
  c.socket.on('data', (d) => got.push(d.toString()));
  c.socket.on('close', () => got.push('closed'));
  c.socket.write('anyone?');
  await new Promise((r) => setTimeout(r, 200));
  // Copied before destroy(): our own close must not count as the proxy's answer.
  const heard = [...got];
  c.socket.destroy();
  return heard;
}

test('rr spreads connections evenly over 3 backends', async (t) => {
  const { bs, vip, apply } = await rig(t, 3);
  await apply([svc(vip, bs)]);
  const seen: string[] = [];
  for (let i = 0; i < 6; i++) seen.push(await askWho(vip, 8080));
  assert.deepEqual(
    bs.map((b) => seen.filter((s) => s === b.name).length),
    [2, 2, 2],
  );
});

test('ClientIP affinity keeps a client on one backend', async (t) => {
  const { bs, vip, apply } = await rig(t, 3);
  await apply([svc(vip, bs, { sessionAffinity: { type: 'ClientIP', timeoutSeconds: 60 } })]);
  const seen = new Set<string>();
  for (let i = 0; i < 5; i++) seen.add(await askWho(vip, 8080));
  assert.equal(seen.size, 1);
});

test('removing an endpoint keeps its established connection flowing and sends new ones elsewhere', async (t) => {
  const { bs, vip, apply } = await rig(t, 2, { drainGraceMs: 60_000 });
  await apply([svc(vip, bs)]);
  const c = await connectClient(vip, 8080);
  const first = (await c.say('hello')).split(':')[0];
  const kept = bs.filter((b) => b.name !== first);
  await apply([svc(vip, kept)]);
  assert.equal(await c.say('still there?'), `${first}:still there?`);
  for (let i = 0; i < 3; i++) assert.equal(await askWho(vip, 8080), kept[0]!.name);
  c.socket.destroy();
});

test('connections to a removed endpoint are closed once the drain grace period is over', async (t) => {
  const { bs, vip, apply } = await rig(t, 1, { drainGraceMs: 50 });
  await apply([svc(vip, bs)]);
  const c = await connectClient(vip, 8080);
  await c.say('hi');
  const closed = new Promise((r) => c.socket.once('close', r));
  await apply([svc(vip, [])]);
  await closed;
});

test('a refusing backend is skipped', async (t) => {
  const { bs, vip, apply } = await rig(t, 1);
  const dead = await deadPort();
  await apply([svc(vip, [{ port: dead }, ...bs])]);
  for (let i = 0; i < 4; i++) assert.equal(await askWho(vip, 8080), 'b0');
});

test('when every backend refuses, the client is closed at once', async (t) => {
  const ports = [{ port: await deadPort() }, { port: await deadPort() }];
  // A connect timeout far beyond the test's own limit: only a prompt close can pass.
  const { vip, apply } = proxyServing(t, [], { connectTimeoutMs: 60_000 });
  await apply([svc(vip, ports)]);
  const outcome = await connectOutcome(vip, 8080);
  assert.ok(outcome === 'ECONNRESET' || outcome === 'closed', outcome);
});

test('reject: a port without endpoints refuses connections', async (t) => {
  const { vip, apply } = proxyServing(t, []);
  await apply([svc(vip, [])]);
  assert.equal(await connectOutcome(vip, 8080), 'ECONNREFUSED');
});

test('drop: Local policy without local endpoints accepts nothing and answers nothing', async (t) => {
  // The client's 127.0.0.1 plays an outside client: the node's own would get every endpoint.
  const { bs, vip, apply } = await rig(t, 1, { isLocalAddress: (ip) => ip !== '127.0.0.1' });
  const p = svc(vip, [], {
    type: 'NodePort',
    externalIPs: [vip],
    clusterIP: loopbackAddress(),
    externalPolicyLocal: true,
    endpoints: [endpoint('127.0.0.1', bs[0]!.port, { isLocal: false })],
  });
  await apply([p]);
  assert.deepEqual(await heardWithin200ms(vip, 8080), []);
});

test('loadBalancerSourceRanges: clients outside the ranges get silence (upstream drops them)', async (t) => {
  const { bs, vip, apply } = await rig(t, 1);
  const [lbIn, lbOut] = [loopbackAddress(), loopbackAddress()];
  const inRange = svc(vip, bs, { name: 'in', type: 'LoadBalancer', loadBalancerIPs: [{ ip: lbIn, ipMode: 'VIP' }], loadBalancerSourceRanges: ['127.0.0.0/8'] });
  const outRange = svc(loopbackAddress(), bs, { name: 'out', type: 'LoadBalancer', loadBalancerIPs: [{ ip: lbOut, ipMode: 'VIP' }], loadBalancerSourceRanges: ['10.0.0.0/8'] });
  await apply([inRange, outRange]);
  assert.equal(await askWho(lbIn, 8080), 'b0');
  assert.deepEqual(await heardWithin200ms(lbOut, 8080), []);
});

test('a listener that cannot bind is a warning naming the service port, and the rest is served', async (t) => {
  const { bs, vip, apply } = await rig(t, 1);
  const taken = loopbackAddress();
  const blocker = await tcpEchoBackend('blocker', taken);
  t.after(() => blocker.close());
  const warnings = await apply([svc(vip, bs), svc(taken, bs, { name: 'clash', port: blocker.port })]);
  assert.deepEqual(warnings, [`default/clash:: cannot listen on ${taken} port ${blocker.port}/TCP (EADDRINUSE); not served`]);
  assert.equal(await askWho(vip, 8080), 'b0');
});

test('an unchanged listener keeps its socket and rr rotation across syncs', async (t) => {
  const { bs, ex, vip, apply } = await rig(t, 2);
  await apply([svc(vip, bs)]);
  const handle = ex.handle(`TCP/${vip}:8080`);
  const a = await askWho(vip, 8080);
  await apply([svc(vip, bs)]);
  assert.equal(ex.handle(`TCP/${vip}:8080`), handle);
  assert.notEqual(await askWho(vip, 8080), a);
});

/**
 * The most bytes the sockets on the path can hold without back-pressure from the proxy: the backend's send
 * buffer, the proxy's receive and send buffers and the client's receive buffer, each at the kernel's
 * largest autotuned size. A backend that gets more than this out while the client reads nothing is being
 * buffered by the proxy itself.
 */
function socketBufferCeiling(): number {
  const largest = (file: string, fallback: number): number => {
    try {
      return Number(readFileSync(file, 'utf8').trim().split(/\s+/)[2]) || fallback;
    } catch {
      return fallback;
    }
  };
  const rmem = largest('/proc/sys/net/ipv4/tcp_rmem', 6 * 1024 * 1024);
  const wmem = largest('/proc/sys/net/ipv4/tcp_wmem', 4 * 1024 * 1024);
  return 2 * rmem + 2 * wmem;
}

test('back-pressure: a client that does not read stalls the backend instead of filling the proxy', async (t) => {
  // Stalled means a state, not a pause in the numbers (a busy machine pauses everything): the backend waits
  // for 'drain', the proxy has paused its backend side, and nothing moved for STILL_MS. Waiting for it
  // is as long as the machine needs; every assertion is about that state.
  const STILL_MS = 300;
  const ceiling = socketBufferCeiling();
  const chunk = Buffer.alloc(64 * 1024, 7);
  let sent = 0;
  let waitingForDrain = false;
  let finish = false;
  // The backend streams until the test says finish, as fast as the connection takes it.
  const flood = createServer((s) => {
    s.on('error', () => undefined);
    const pump = (): void => {
      waitingForDrain = false;
      while (!finish) {
        sent += chunk.length;
        if (!s.write(chunk)) {
          waitingForDrain = true;
          s.once('drain', pump);
          return;
        }
      }
      s.end();
    };
    pump();
  });
  t.after(() => flood.close());
  const floodPort = await new Promise<number>((r) => flood.listen(0, '127.0.0.1', () => r((flood.address() as { port: number }).port)));
  const { ex, vip, apply } = proxyServing(t, []);
  await apply([svc(vip, [{ port: floodPort }])]);
  const c = await connectClient(vip, 8080);
  c.socket.pause();
  const proxy = ex.handle(`TCP/${vip}:8080`);
  assert.ok(proxy instanceof TcpProxy);

  let still = { sent: -1, since: Date.now() };
  let relay: TcpRelayInfo | undefined;
  await until(() => {
    // Without back-pressure the proxy buffers what the client does not read, and the backend never stops.
    assert.ok(sent <= ceiling, `backend sent ${sent} bytes, more than the ${ceiling} the sockets can hold, while the client read nothing`);
    if (sent !== still.sent) still = { sent, since: Date.now() };
    relay = proxy.relays()[0];
    return waitingForDrain && relay?.backendPaused === true && Date.now() - still.since >= STILL_MS;
  }, 'the backend to stall', 30_000);
  assert.ok(relay);
  assert.ok(relay.queuedToClient <= 1024 * 1024, `proxy queued ${relay.queuedToClient} bytes for the client`);
  // Reading again drains everything through, byte for byte.
  let received = 0;
  c.socket.on('data', (d: Buffer) => (received += d.length));
  const ended = new Promise((r) => c.socket.once('end', r));
  finish = true;
  c.socket.resume();
  await ended;
  assert.equal(received, sent);
  c.socket.destroy();
});

test('IPv6: a listener on ::1 relays to an IPv6 backend', async (t) => {
  const b = await tcpEchoBackend('v6', '::1').catch(() => undefined);
  if (!b) return t.skip('no IPv6 loopback here');
  const { apply } = proxyServing(t, [b]);
  const port = await deadPort();
  const p = servicePort({ name: 'six', family: 'IPv6', clusterIP: '::1', port, endpoints: [endpoint('::1', b.port)] });
  await apply([p]);
  assert.equal(await askWho('::1', port), 'v6');
});

test('onConnection reports each relay opening and closing, for the connection metrics', async (t) => {
  const events: string[] = [];
  const { bs, vip, apply } = await rig(t, 1, { onConnection: (event, protocol) => events.push(`${protocol} ${event}`) });
  await apply([svc(vip, bs)]);
  await askWho(vip, 8080);
  await until(() => events.length === 2, 'the relay to close');
  assert.deepEqual(events, ['TCP opened', 'TCP closed']);
});
