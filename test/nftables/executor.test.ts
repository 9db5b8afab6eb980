import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNftablesDataPlane } from '../../src/dataplane/nftables/index.js';
import type { Snapshot } from '../../src/model/types.js';
import { ep, FakeNft, servicePort, snapshot } from './fixtures.js';

function cluster(n: number, eps = 5) {
  return Array.from({ length: n }, (_, i) =>
    servicePort(`svc${i}`, `10.96.${i >> 8}.${i & 255}`, Array.from({ length: eps }, (_, j) => ep(`10.244.${i >> 8}.${(i & 255)}`, 8000 + j))),
  );
}

async function sync(dp: ReturnType<typeof createNftablesDataPlane>, snap: Snapshot, previous: Snapshot | undefined) {
  const input = { snapshot: snap, previous, full: previous === undefined };
  return dp.executor.apply(dp.renderer.render(input), input);
}

test('after one endpoint changes, the transaction holds only that change', async () => {
  const nft = new FakeNft();
  const dp = createNftablesDataPlane({ runner: nft, families: ['IPv4'], conntrackCleanup: false });
  const ports = cluster(200);
  const first = snapshot(ports, 1);
  await sync(dp, first, undefined);
  assert.ok(nft.scripts[0]!.length > 10_000, 'the first sync writes everything');
  const changed = servicePort('svc7', '10.96.0.7', [...ports[7]!.endpoints.slice(0, 4), ep('10.244.0.7', 9999)]);
  const next = snapshot(ports.map((p, i) => (i === 7 ? changed : p)), 2, [changed.key]);
  await sync(dp, next, first);
  const script = nft.scripts[1]!;
  assert.deepEqual(script.trim().split('\n'), [
    'delete element ip kproxy endpoints-ip-tcp { 10.96.0.7 . 80 . 4 }',
    'add element ip kproxy endpoints-ip-tcp { 10.96.0.7 . 80 . 4 : 10.244.0.7 . 9999 }',
  ]);
});

test('a Service removed takes its elements and unused group chains with it; shared elements stay', async () => {
  const nft = new FakeNft();
  const dp = createNftablesDataPlane({ runner: nft, families: ['IPv4'], conntrackCleanup: false });
  const a = servicePort('a', '10.96.0.1', [ep('10.244.0.1')], { scheduler: 'sh' });
  const b = servicePort('b', '10.96.0.2', [ep('10.244.0.1'), ep('10.244.0.2')]);
  const first = snapshot([a, b], 1);
  await sync(dp, first, undefined);
  await sync(dp, snapshot([b], 2, [a.key]), first);
  const script = nft.scripts[1]!;
  assert.match(script, /delete element ip kproxy cluster-ips \{ 10\.96\.0\.1 \}/);
  assert.match(script, /delete chain ip kproxy cluster-ip-sh-1/);
  assert.doesNotMatch(script, /hairpin/, 'b still uses 10.244.0.1, so its hairpin pair stays');
});

test('a transaction nft rejects throws, counts a failure, and the retry rewrites everything', async () => {
  const nft = new FakeNft();
  let failures = 0;
  const dp = createNftablesDataPlane({
    runner: nft,
    families: ['IPv4'],
    conntrackCleanup: false,
    metrics: { nftablesSyncFailuresTotal: { inc: () => void failures++ } as never },
  });
  const first = snapshot(cluster(3), 1);
  await sync(dp, first, undefined);
  nft.failNext = true;
  const second = snapshot(cluster(4), 2, ['ns/svc3:']);
  await assert.rejects(sync(dp, second, first), /nft transaction failed/);
  assert.equal(failures, 1);
  assert.equal(nft.scripts.length, 1, 'nothing of the rejected transaction was recorded');
  await sync(dp, second, undefined);
  assert.equal(dp.executor.lastWasFull, true);
  assert.match(nft.scripts[1]!, /^add table ip kproxy/);
});

test('a periodic full sync only diffs when the kernel is intact, and rewrites when it is not', async () => {
  const nft = new FakeNft();
  const dp = createNftablesDataPlane({ runner: nft, families: ['IPv4'], conntrackCleanup: false });
  const snap = snapshot(cluster(3), 1);
  await sync(dp, snap, undefined);
  await sync(dp, snapshot(cluster(3), 2), undefined);
  assert.equal(dp.executor.lastWasFull, false);
  assert.equal(nft.scripts.length, 1, 'nothing changed, nothing sent');
  nft.canary = false;
  await sync(dp, snapshot(cluster(3), 3), undefined);
  assert.equal(dp.executor.lastWasFull, true);
  assert.equal(nft.scripts.length, 2);
});

test('a scheduler nft cannot run falls back to random with one warning per Service and a metric', async () => {
  const nft = new FakeNft();
  const counted: string[] = [];
  const dp = createNftablesDataPlane({
    runner: nft,
    families: ['IPv4'],
    conntrackCleanup: false,
    metrics: { schedulerFallbacksTotal: { labels: (l: { scheduler: string }) => ({ inc: () => counted.push(l.scheduler) }) } as never },
  });
  const lc = servicePort('busy', '10.96.0.9', [ep('10.244.0.1'), ep('10.244.0.2')], { scheduler: 'lc' });
  const first = snapshot([lc], 1);
  const r1 = await sync(dp, first, undefined);
  assert.equal(r1.warnings.length, 1);
  assert.match(r1.warnings[0]!, /ns\/busy:.*"lc".*random/);
  assert.deepEqual(counted, ['lc']);
  assert.match(nft.scripts[0]!, /10\.96\.0\.9 \. tcp \. 80 : goto cluster-ip-random-2/);
  const r2 = await sync(dp, snapshot([lc], 2), first);
  assert.deepEqual(r2.warnings, []);
});

test('an unknown scheduler name runs rr, as in every mode, with a warning naming the port and the value', async () => {
  const [nft, counted] = [new FakeNft(), [] as string[]];
  const schedulerFallbacksTotal = { labels: (l: { scheduler: string }) => ({ inc: () => counted.push(l.scheduler) }) } as never;
  const dp = createNftablesDataPlane({ runner: nft, families: ['IPv4'], conntrackCleanup: false, metrics: { schedulerFallbacksTotal } });
  const odd = servicePort('odd', '10.96.0.10', [ep('10.244.0.1'), ep('10.244.0.2')], { scheduler: 'fastest' });
  const r = await sync(dp, snapshot([odd], 1), undefined);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0]!, /ns\/odd:.*"fastest".*unknown.*using rr/);
  assert.deepEqual(counted, ['fastest']);
  assert.match(nft.scripts[0]!, /10\.96\.0\.10 \. tcp \. 80 : goto cluster-ip-rr-2/);
});

test('after a refused rewrite, the next rewrite deletes and recreates the table', async () => {
  const nft = new FakeNft();
  const dp = createNftablesDataPlane({ runner: nft, families: ['IPv4'], conntrackCleanup: false });
  const snap = snapshot(cluster(2), 1);
  nft.failNext = true;
  await assert.rejects(sync(dp, snap, undefined), /nft transaction failed/);
  await sync(dp, snap, undefined);
  assert.match(nft.scripts[0]!, /^add table ip kproxy\ndelete table ip kproxy\nadd table ip kproxy \{/);
  await sync(dp, snapshot(cluster(2), 2), undefined);
  await sync(dp, snapshot(cluster(3), 3), undefined);
  assert.doesNotMatch(nft.scripts.join(''), /delete table[^]*delete table/, 'only the retry recreates');
});

test('a full sync finds a flushed chain or map, logs and counts it once, and rewrites', async () => {
  const nft = new FakeNft();
  const counted: string[] = [];
  const warned: string[] = [];
  const logger = { warn: (msg: string, kv?: Record<string, unknown>) => warned.push(`${msg} ${JSON.stringify(kv)}`) } as never;
  const metrics = { syncRepairsTotal: { labels: (l: { mode: string; reason: string }) => ({ inc: () => counted.push(`${l.mode}/${l.reason}`) }) } } as never;
  const dp = createNftablesDataPlane({ runner: nft, families: ['IPv4'], conntrackCleanup: false, logger, metrics });
  await sync(dp, snapshot(cluster(3), 1), undefined);
  nft.rules.set('nat-prerouting', 0);
  await sync(dp, snapshot(cluster(3), 2), undefined);
  assert.equal(dp.executor.lastWasFull, true);
  assert.deepEqual(counted, ['nftables/missing-rules']);
  assert.match(warned.join('\n'), /Repairing proxy rules.*nat-prerouting \(0 of 1\)/);
  nft.flushedSets.add('service-ips');
  await sync(dp, snapshot(cluster(3), 3), undefined);
  assert.equal(dp.executor.lastWasFull, true);
  assert.deepEqual(counted, ['nftables/missing-rules', 'nftables/missing-elements']);
  await sync(dp, snapshot(cluster(3), 4), undefined);
  assert.equal(dp.executor.lastWasFull, false, 'repaired: the next full sync is a diff again');
  assert.equal(warned.length, 2);
});
