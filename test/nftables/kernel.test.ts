// The nftables mode against the real kernel, in a network namespace of its own: schedulers with real
// connections (node-originated, so nat-output does the DNAT), and atomicity of a rejected transaction.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { createNftablesDataPlane, NftCommand } from '../../src/dataplane/nftables/index.js';
import { NamespaceSet } from '../../src/lab/namespace-set.js';
import { addVethAddresses } from '../../src/lab/veth-addresses.js';
import type { Snapshot } from '../../src/model/types.js';
import { ep, servicePort, snapshot } from './fixtures.js';

let lab: NamespaceSet<'node'> | undefined;
let NS = '';
const EPS = ['10.244.1.11', '10.244.1.12', '10.244.1.13'];
const skip =
  process.getuid?.() !== 0 ? 'needs root' : spawnSync('sh', ['-c', 'command -v nft && command -v ip'], { stdio: 'ignore' }).status !== 0 ? 'needs nft and ip' : undefined;
const inNs = (...args: string[]) => execFileSync('ip', ['netns', 'exec', NS, ...args], { encoding: 'utf8' });

const SERVER = `const net=require('net');for(const ip of ${JSON.stringify(EPS)})net.createServer(s=>s.end(ip)).listen(8080,ip);console.log('up')`;
const CLIENT = `const net=require('net');const [ip,port,n]=process.argv.slice(1);(async()=>{const out=[];for(let i=0;i<+n;i++)out.push(await new Promise(r=>{const s=net.connect(+port,ip);let d='';s.on('data',b=>d+=b);s.on('end',()=>r(d));s.on('error',e=>r(e.code))}));console.log(out.join(' '))})()`;

function connect(ip: string, n: number): string[] {
  return inNs(process.execPath, '-e', CLIENT, ip, '80', String(n)).trim().split(' ');
}

before(async () => {
  if (skip) return;
  lab = await NamespaceSet.create(['node'], 'kpt-nft-', async (set) => {
    await addVethAddresses(set, 'node', { device: 'e0', peer: 'e1', addresses: EPS, routes: ['10.96.0.0/16'] });
    await set.spawnReady('node', process.execPath, ['-e', SERVER], { marker: 'up' });
  });
  NS = lab.ns.node;
});

after(() => lab?.destroy());

function dataPlane(runner = new NftCommand({ netns: NS })) {
  return createNftablesDataPlane({ runner, families: ['IPv4'], conntrackCleanup: false, detectLocal: { mode: '', clusterCIDR: '10.244.0.0/16', bridgeInterface: '', interfaceNamePrefix: '' } });
}

async function sync(dp: ReturnType<typeof dataPlane>, snap: Snapshot, previous?: Snapshot): Promise<void> {
  const input = { snapshot: snap, previous, full: previous === undefined };
  await dp.executor.apply(dp.renderer.render(input), input);
}

test('rr visits the endpoints in turn; sh keeps one client on one endpoint', { skip }, async () => {
  const dp = dataPlane();
  const rr = servicePort('rr', '10.96.0.1', EPS.map((ip) => ep(ip)), { scheduler: 'rr' });
  const sh = servicePort('sh', '10.96.0.2', EPS.map((ip) => ep(ip)), { scheduler: 'sh' });
  await sync(dp, snapshot([rr, sh]));
  const turns = connect('10.96.0.1', 6);
  assert.deepEqual(turns.slice(3), turns.slice(0, 3), `rr repeats its cycle: ${turns}`);
  assert.deepEqual([...turns.slice(0, 3)].sort(), EPS, `rr visits every endpoint once per cycle: ${turns}`);
  const hashed = connect('10.96.0.2', 8);
  assert.equal(new Set(hashed).size, 1, `sh sends one client to one endpoint: ${hashed}`);
  assert.ok(EPS.includes(hashed[0]!));
  await dp.executor.cleanup();
});

test('a transaction the kernel rejects leaves the previous ruleset in force, and the retry succeeds', { skip }, async () => {
  const runner = new NftCommand({ netns: NS });
  const dp = dataPlane(runner);
  const one = servicePort('web', '10.96.0.3', [ep(EPS[0]!)]);
  const first = snapshot([one], 1);
  await sync(dp, first);
  const before = inNs('nft', 'list', 'table', 'ip', 'kproxy');
  const two = servicePort('web', '10.96.0.3', [ep(EPS[1]!)]);
  const second = snapshot([one, two].slice(1), 2, [two.key]);
  const program = dp.renderer.render({ snapshot: second, previous: first, full: false });
  // Corrupt the program as a kernel-refused element would: a map value of the wrong type.
  const fam = program.families[0]!;
  const bad = { ...fam.services.get(two.key)!, elements: [...fam.services.get(two.key)!.elements, { set: 'endpoints-ip-tcp', key: '10.96.0.3 . tcp . 80 . 7', value: 'not-an-address . 1' }] };
  const broken = { ...program, families: [{ ...fam, services: new Map([[two.key, bad]]) }] };
  await assert.rejects(dp.executor.apply(broken, { snapshot: second, previous: first, full: false }), /nft transaction failed/);
  assert.equal(runner.lastPath, 'session', 'a small transaction goes through the long-running nft');
  assert.equal(inNs('nft', 'list', 'table', 'ip', 'kproxy'), before, 'nothing of the failed transaction is in force');
  assert.deepEqual(connect('10.96.0.3', 2), [EPS[0], EPS[0]]);
  await sync(dp, second);
  assert.deepEqual(connect('10.96.0.3', 2), [EPS[1], EPS[1]]);
  await dp.executor.cleanup();
  assert.throws(() => inNs('nft', 'list', 'table', 'ip', 'kproxy'), 'cleanup removed the table');
  await dp.executor.close();
});

test('when the long-running nft dies, the transaction goes to a one-shot nft', { skip }, async () => {
  const runner = new NftCommand({ netns: NS, sessionCommand: [process.execPath, '-e', 'process.exit(3)'] });
  try {
    await runner.apply('add table ip kpt-fallback\n');
    assert.equal(runner.lastPath, 'one-shot');
    assert.match(inNs('nft', 'list', 'tables'), /table ip kpt-fallback/);
  } finally {
    runner.close();
    spawnSync('ip', ['netns', 'exec', NS, 'nft', 'delete', 'table', 'ip', 'kpt-fallback']);
  }
});

test('one endpoint change through the session reaches the kernel', { skip }, async () => {
  const runner = new NftCommand({ netns: NS });
  const dp = dataPlane(runner);
  const web = servicePort('web2', '10.96.0.4', [ep(EPS[0]!)]);
  const first = snapshot([web], 1);
  await sync(dp, first);
  const moved = servicePort('web2', '10.96.0.4', [ep(EPS[2]!)]);
  await sync(dp, snapshot([moved], 2, [moved.key]), first);
  assert.equal(runner.lastPath, 'session');
  assert.deepEqual(connect('10.96.0.4', 2), [EPS[2], EPS[2]]);
  await dp.executor.cleanup();
  await dp.executor.close();
});

test('a table left by an older layout (a map of another type) is recreated on the retry', { skip }, async () => {
  inNs('nft', 'add table ip kproxy; add map ip kproxy endpoints-ip-tcp { typeof ip daddr . meta l4proto . udp dport . numgen random mod 1 : ip daddr . tcp dport; }');
  const dp = dataPlane();
  const web = servicePort('web3', '10.96.0.5', [ep(EPS[1]!)]);
  const snap = snapshot([web], 1);
  await assert.rejects(sync(dp, snap), /nft transaction failed: .*mismatch/);
  await sync(dp, snap);
  assert.deepEqual(connect('10.96.0.5', 2), [EPS[1], EPS[1]]);
  await dp.executor.cleanup();
  await dp.executor.close();
});
