// Large iptables-nft restores start with a chain-less `-S` (nft-restore-cache.ts): when it is used, where
// it goes, and, as root, that the kernel ends up with exactly the rules of the plain input.
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IptablesExecutor } from '../../src/dataplane/iptables/executor.js';
import { fullSyncExtras } from '../../src/dataplane/iptables/full-sync-extras.js';
import { restoreTextFor, wholeTableCachePays } from '../../src/dataplane/iptables/nft-restore-cache.js';
import type { FamilyProgram } from '../../src/dataplane/iptables/program.js';
import { tableRestoreText } from '../../src/netfilter/restore-writer.js';
import { IptablesRenderer } from '../../src/dataplane/iptables/renderer.js';
import type { ServicePort } from '../../src/model/types.js';
import { ep, servicePort, snapshot } from './fixtures.js';
import { canUseNetns, inNs, makeNetns, toolExists } from '../fixtures/netns.js';

const detectLocal = { mode: 'ClusterCIDR' as const, clusterCIDR: '10.0.0.0/8', bridgeInterface: '', interfaceNamePrefix: '' };
const EMPTY = { chains: new Set<string>(), rules: new Map<string, readonly string[]>() };

function services(n: number): ServicePort[] {
  return Array.from({ length: n }, (_, i) =>
    servicePort({
      namespace: 'scale', name: `svc-${i}`, clusterIP: `172.20.${i >> 8}.${i & 255}`,
      endpoints: [1, 2, 3, 4, 5].map((e) => ep(`10.${64 + (i >> 8)}.${i & 255}.${e}`, 8080)),
    }),
  );
}

function fullProgram(n: number): FamilyProgram {
  const ports = services(n);
  return new IptablesRenderer({ detectLocal }).render({ snapshot: snapshot(ports), previous: undefined, full: true }).families[0]!;
}

test('the listing pays for full syncs of many chains, not for small tables or small partial syncs', () => {
  assert.equal(wholeTableCachePays(6_000, 6_000), true, '1k Services, full');
  assert.equal(wholeTableCachePays(60_000, 60_000), true, '10k Services, full');
  assert.equal(wholeTableCachePays(40, 40), false, 'a handful of Services');
  assert.equal(wholeTableCachePays(12, 60_000), false, 'partial sync of two Services in a 10k table');
  assert.equal(wholeTableCachePays(30_000, 60_000), true, 'partial sync rewriting half of a 10k table');
});

test('with the listing, the inserted jumps and their targets come first, then -S, then the same lines', () => {
  const fp = fullProgram(200);
  const extras = fullSyncExtras(fp, 'nat', EMPTY);
  const plain = tableRestoreText(fp.nat, extras).split('\n');
  const listed = tableRestoreText(fp.nat, extras, { wholeTableCache: true }).split('\n');
  const at = listed.indexOf('-S');
  assert.ok(at > 0, 'has -S');
  const before = listed.slice(1, at);
  assert.deepEqual(before.filter((l) => l.startsWith('-')), extras.rules, 'the inserted jumps precede -S');
  assert.deepEqual(before.filter((l) => l.startsWith(':')).sort(), [':KUBE-POSTROUTING - [0:0]', ':KUBE-SERVICES - [0:0]']);
  // The same lines otherwise, and every chain's rules in the same order.
  assert.deepEqual(listed.filter((l) => l !== '-S').sort(), [...plain].sort());
  const appends = (lines: string[]): string[] => lines.filter((l) => l.startsWith('-A '));
  assert.deepEqual(appends(listed), appends(plain));
  assert.equal(listed[0], '*nat');
  assert.deepEqual(listed.slice(-2), ['COMMIT', '']);
});

test('the executor text: -S for large iptables-nft nat inputs only, never for legacy, filter or small syncs', () => {
  const big = fullProgram(200);
  const nat = (backend: 'nft' | 'legacy', fp: FamilyProgram): string[] =>
    restoreTextFor(backend, fp, 'nat', fullSyncExtras(fp, 'nat', EMPTY)).split('\n');
  assert.ok(nat('nft', big).includes('-S'));
  assert.ok(!nat('legacy', big).includes('-S'));
  assert.ok(!restoreTextFor('nft', big, 'filter').split('\n').includes('-S'));
  assert.ok(!nat('nft', fullProgram(3)).includes('-S'));
  assert.equal(restoreTextFor('legacy', big, 'nat'), tableRestoreText(big.nat), 'plain text otherwise');
});

const skip = canUseNetns() ?? (toolExists('iptables-nft-restore') ? undefined : 'iptables-nft not installed');

test('nft: the listed restore leaves exactly the rules of the plain one, first and periodic full syncs', { skip }, async (t) => {
  const fp = fullProgram(200);
  const rulesOf = (ns: string): string =>
    inNs(ns, ['iptables-nft-save', '-t', 'nat']).replace(/^#.*$/gm, '').replace(/\[\d+:\d+\]/g, '');
  // Reference: the plain input, loaded the way the executor loaded it before (no listing).
  const plainNs = await makeNetns(t, 'rp');
  const plainText = tableRestoreText(fp.nat, fullSyncExtras(fp, 'nat', EMPTY));
  execFileSync('ip', ['netns', 'exec', plainNs, 'iptables-nft-restore', '--noflush', '--counters'], { input: plainText });
  const expected = rulesOf(plainNs);
  assert.match(expected, /-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES/);

  const ns = await makeNetns(t, 'rl');
  const executor = new IptablesExecutor({ netns: ns, backend: 'nft' });
  const ports = services(200);
  const first = { snapshot: snapshot(ports), previous: undefined, full: true };
  const renderer = new IptablesRenderer({ detectLocal });
  await executor.apply(renderer.render(first), first);
  assert.equal(rulesOf(ns), expected, 'first full sync (empty namespace, jumps inserted)');
  const periodic = { snapshot: snapshot(ports, { changed: [], generation: 2 }), previous: first.snapshot, full: true };
  await executor.apply(renderer.render(periodic), periodic);
  assert.equal(rulesOf(ns), expected, 'periodic full sync (table loaded, nothing inserted)');
});
