// Inside user-mode Linux: IPVS behaviour the flow suite's table cannot express. Schedulers for real (one
// Service per scheduler, chosen with the kproxy.io/scheduler annotation), graceful termination of a
// removed endpoint, and upstream issue 72236 (a host port must not answer on a ClusterIP). One lab and one
// kproxy process for all of them; each test changes only its own Services.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject } from '../../../src/model/objects.js';
import { CLIENT_IP, CLIENT_IP_2, Lab, NODE_IP, labRequirements } from '../../../src/lab/node-lab.js';
import { writeManifests } from '../../flow/manifests.js';
import type { RunningProxy } from '../../flow/mode-adapter.js';
import { port, service, slice } from '../../fixtures/objects.js';
import { sendFlow } from '../../flow/scenario-run.js';
import { A1, A2, THIS_NODE, at, local, thisNode } from '../../flow/scenario-fixtures.js';
import { ipvsAdapter, ipvsRequirement } from '../ipvs-adapter.js';
import { answers, holdConnection, realServers } from '../kernel-lab.js';

const A3 = '10.244.1.13';
const PODS = [A1, A2, A3];

function scheduled(name: string, scheduler: string, clusterIP: string, pods: string[]): KubeObject[] {
  const svc = service(name, { clusterIP, ports: [port(80, 8080)] });
  svc.metadata.annotations = { 'kproxy.io/scheduler': scheduler };
  return [svc, slice(name, [8080], pods.map((ip) => local(ip)))];
}

const BASE: KubeObject[] = [
  thisNode,
  ...scheduled('rr', 'rr', '10.96.5.1', PODS),
  ...scheduled('sh', 'sh', '10.96.5.2', PODS),
  ...scheduled('dh', 'dh', '10.96.5.3', PODS),
  ...scheduled('mh', 'mh', '10.96.5.4', PODS),
  ...scheduled('lc', 'lc', '10.96.5.5', [A1, A2]),
  ...scheduled('nq', 'nq', '10.96.5.6', [A1, A2]),
  ...scheduled('sed', 'sed', '10.96.5.7', [A1, A2]),
  ...scheduled('grace', 'rr', '10.96.6.1', [A1, A2]),
];

describe('IPVS kernel behaviour', () => {
  const skip = labRequirements() ?? ipvsAdapter.requirements() ?? ipvsRequirement();
  let lab: Lab | undefined;
  let proxy: RunningProxy | undefined;
  let dir = '';
  const get = () => {
    if (!lab) throw new Error('no lab');
    return lab;
  };
  const setObjects = async (objects: KubeObject[]) => {
    const since = Date.now();
    await writeManifests(dir, objects);
    await proxy?.waitForSync(since);
  };

  before(async () => {
    if (skip) return;
    lab = await Lab.create({ podIPs: PODS, clientPodIPs: [] });
    await lab.startBackend(PODS.map((ip) => at(ip)));
    dir = await mkdtemp(join(tmpdir(), 'kpt-ipvs-'));
    await writeManifests(dir, BASE);
    const since = Date.now();
    proxy = await ipvsAdapter.start(lab, dir, THIS_NODE);
    await proxy.waitForSync(since);
  });
  after(async () => {
    await proxy?.stop();
    await lab?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('rr cycles through the real servers in a fixed order', async (t) => {
    if (skip) return t.skip(skip);
    const seen = await answers(get(), '10.96.5.1:80', 9);
    assert.equal(new Set(seen.slice(0, 3)).size, 3, `first three: ${seen.join(' ')}`);
    for (let i = 3; i < 9; i++) assert.equal(seen[i], seen[i - 3], `rotation: ${seen.join(' ')}`);
  });

  test('sh keeps a client on one real server', async (t) => {
    if (skip) return t.skip(skip);
    const seen = await answers(get(), '10.96.5.2:80', 8);
    assert.equal(new Set(seen).size, 1, seen.join(' '));
    assert.ok(PODS.map((ip) => at(ip)).includes(seen[0] ?? ''), seen.join(' '));
  });

  test('dh sends every client of one destination to the same real server', async (t) => {
    if (skip) return t.skip(skip);
    const seen = [...(await answers(get(), '10.96.5.3:80', 4, CLIENT_IP)), ...(await answers(get(), '10.96.5.3:80', 4, CLIENT_IP_2))];
    assert.equal(new Set(seen).size, 1, seen.join(' '));
  });

  test('mh with mh-port spreads one client over real servers by source port', async (t) => {
    if (skip) return t.skip(skip);
    const seen = await answers(get(), '10.96.5.4:80', 12);
    assert.ok(seen.every((s) => !s.startsWith('-')), seen.join(' '));
    assert.ok(new Set(seen).size >= 2, `mh without the source port would pin one client: ${seen.join(' ')}`);
    const vs = (await get().exec('node', 'ipvsadm', ['-Ln', '-t', '10.96.5.4:80'])).stdout;
    assert.match(vs, /mh \(mh-port\)/);
  });

  for (const [scheduler, vip] of [['lc', '10.96.5.5'], ['nq', '10.96.5.6'], ['sed', '10.96.5.7']] as const) {
    test(`${scheduler} prefers the idle real server while another holds a long connection`, async (t) => {
      if (skip) return t.skip(skip);
      const held = await holdConnection(get(), `${vip}:80`);
      try {
        const state = await realServers(get(), `-t ${vip}:80`);
        const busy = [...state].find(([, s]) => s.active === 1)?.[0];
        assert.ok(busy, `one real server holds the connection: ${JSON.stringify([...state])}`);
        const seen = await answers(get(), `${vip}:80`, 5);
        assert.ok(seen.every((s) => s !== busy && !s.startsWith('-')), `busy ${busy}, answers ${seen.join(' ')}`);
      } finally {
        held.close();
      }
    });
  }

  test('graceful termination: a removed endpoint keeps its connection, takes no new ones, then goes', async (t) => {
    if (skip) return t.skip(skip);
    const held = await holdConnection(get(), '10.96.6.1:80');
    try {
      const busy = [...(await realServers(get(), '-t 10.96.6.1:80'))].find(([, s]) => s.active === 1)?.[0] ?? '';
      const keep = busy === at(A1) ? A2 : A1;
      const without = BASE.map((o) => (o.kind === 'EndpointSlice' && o.metadata.name.startsWith('grace-') ? slice('grace', [8080], [local(keep)]) : o));
      await setObjects(without);
      assert.equal((await realServers(get(), '-t 10.96.6.1:80')).get(busy)?.weight, 0, 'drained at weight 0');
      const seen = await answers(get(), '10.96.6.1:80', 4);
      assert.deepEqual(seen, Array(4).fill(at(keep)), 'new connections avoid the draining server');
      assert.equal(await held.send(), busy, 'the established connection still reaches its server');
      // The reset leaves the IPVS entry in CLOSE for 10 s; then any sync deletes the idle server.
      await sleep(12_000);
      await setObjects([...without, ...scheduled('poke', 'rr', '10.96.6.2', [A1])]);
      assert.equal((await realServers(get(), '-t 10.96.6.1:80')).has(busy), false, 'deleted once idle');
    } finally {
      held.close();
    }
  });

  test('issue 72236: a host port on the node does not answer on a ClusterIP', async (t) => {
    if (skip) return t.skip(skip);
    const reply = JSON.stringify({ endpoint: 'host:2222', source: '-' });
    const hostServer = get().spawn('node', process.execPath, ['-e', `require('net').createServer((s) => s.end(${JSON.stringify(reply + '\n')})).listen(2222, () => console.log('ready'))`]);
    await new Promise<void>((resolve) => hostServer.stdout?.on('data', (c: Buffer) => c.toString().includes('ready') && resolve()));
    try {
      const direct = await sendFlow(get(), { from: 'client', proto: 'tcp', to: `${NODE_IP}:2222`, expect: {} });
      assert.equal(direct[0]?.outcome, 'answered', `the host port answers on the node IP: ${JSON.stringify(direct)}`);
      const viaVip = await sendFlow(get(), { from: 'client', proto: 'tcp', to: '10.96.5.1:2222', expect: {} });
      assert.equal(viaVip[0]?.outcome, 'rejected', `not through a ClusterIP: ${JSON.stringify(viaVip)}`);
    } finally {
      hostServer.kill('SIGKILL');
    }
  });
});
