// The pieces a fast sync is built from: batched ipvsadm (failures reported on stderr), benign ip -batch
// errors, concurrent kernel reads, missing-jump inserts, and waiting for every concurrent step.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectionCounts, ipvsadmRestore } from '../../src/dataplane/ipvs/ipvsadm-batch.js';
import { onlyBenignAddressErrors } from '../../src/dataplane/ipvs/kernel-sets.js';
import { iptablesRestoreInput, readKernel } from '../../src/dataplane/ipvs/kernel-view.js';
import { JUMPS } from '../../src/dataplane/ipvs/iptables-rules.js';
import type { FamilyIpvsProgram } from '../../src/dataplane/ipvs/program.js';
import { settleAll, SyncClock } from '../../src/dataplane/ipvs/sync-timings.js';

test('ipvsadm --restore: exit 0 with a message on stderr is a failure; nothing to do runs nothing', async () => {
  const runs: string[] = [];
  const run = async (_args: readonly string[], stdin: string) => (runs.push(stdin), { stdout: '', stderr: stdin.includes('-s nosuch') ? 'Scheduler or persistence engine not found\n' : '' });
  await ipvsadmRestore(run, []);
  assert.deepEqual(runs, []);
  await ipvsadmRestore(run, ['-A -t 10.96.0.1:80 -s rr']);
  await assert.rejects(ipvsadmRestore(run, ['-A -t 10.96.0.1:80 -s nosuch']), /Scheduler or persistence engine not found/);
});

test('connection counts of several virtual servers come from one process, each service listed once', async () => {
  const stdins: string[] = [];
  const listing = 'TCP  10.96.0.1:80 rr\n  -> 10.244.1.1:8080  Masq 0 2 1\nTCP  10.96.0.2:80 rr\n  -> 10.244.1.2:8080  Masq 0 0 0\n';
  const run = async (_args: readonly string[], stdin: string) => (stdins.push(stdin), { stdout: listing, stderr: '' });
  const vs = (address: string) => ({ protocol: 'TCP' as const, address, port: 80 });
  const counts = await connectionCounts(run, [vs('10.96.0.1'), vs('10.96.0.2'), vs('10.96.0.1')]);
  assert.deepEqual(stdins, ['-L -n -t 10.96.0.1:80\n-L -n -t 10.96.0.2:80\n']);
  assert.equal(counts.get('TCP/10.96.0.1:80 10.244.1.1:8080'), 3);
  assert.equal(counts.get('TCP/10.96.0.2:80 10.244.1.2:8080'), 0);
});

test('ip -force -batch: only "already there" and "already gone" errors are benign', () => {
  assert.ok(onlyBenignAddressErrors('RTNETLINK answers: File exists\nCommand failed -:2\nRTNETLINK answers: Cannot assign requested address\nCommand failed -:4\n'));
  assert.ok(!onlyBenignAddressErrors('RTNETLINK answers: File exists\nCommand failed -:2\nCannot find device "kube-ipvs0"\nError: Device does not exist.\n'));
  assert.ok(!onlyBenignAddressErrors(''));
});

test('full-sync reads all start before any finishes', async () => {
  let inFlight = 0;
  let most = 0;
  const run = async (cmd: string, args: readonly string[]) => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setImmediate(r));
    inFlight--;
    return { stdout: cmd === 'ipvsadm' ? '-A -t 10.96.0.1:80 -s rr\n' : args.includes('addr') ? '9: kube-ipvs0    inet 10.96.0.1/32 scope global kube-ipvs0\n' : '', stderr: '' };
  };
  const fp = { family: 'IPv4', ipsets: [], jumps: [], nat: '', filter: '', virtualServers: [], boundAddresses: [] } as unknown as FamilyIpvsProgram;
  const view = await readKernel({ families: [fp], full: true, warnings: [] }, 'legacy', run);
  assert.equal(most, 5);
  assert.deepEqual([...view.table.keys()], ['TCP/10.96.0.1:80']);
  assert.deepEqual([...view.bound], ['10.96.0.1']);
});

test('iptables-restore input inserts only the jumps the saved tables lack', () => {
  const fp = { family: 'IPv4', jumps: JUMPS, nat: '*nat\nCOMMIT\n', filter: '*filter\nCOMMIT\n' } as unknown as FamilyIpvsProgram;
  const all = iptablesRestoreInput(fp, { nat: '', filter: '' });
  assert.equal(all.match(/^-I /gm)?.length, JUMPS.length);
  const saved = iptablesRestoreInput(fp, { nat: '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES\n', filter: '' });
  assert.equal(saved.match(/^-I /gm)?.length, JUMPS.length - 1);
  assert.equal(iptablesRestoreInput(fp, undefined), '*nat\nCOMMIT\n*filter\nCOMMIT\n');
});

test('settleAll waits for every step before reporting the first failure', async () => {
  let slowDone = false;
  const slow = new Promise<void>((resolve) => setImmediate(() => ((slowDone = true), resolve())));
  await assert.rejects(settleAll([Promise.reject(new Error('ipset failed')), slow]), /ipset failed/);
  assert.ok(slowDone);
});

test('SyncClock adds up each step on an injected clock, failures included', async () => {
  let t = 0;
  const clock = new SyncClock(() => t);
  await clock.time('ipvsadm', async () => void (t += 5));
  await clock.time('ipvsadm', async () => { t += 2; throw new Error('x'); }).catch(() => undefined);
  assert.deepEqual(clock.result().steps, { ipvsadm: 7 });
  assert.equal(clock.result().totalMs, 7);
});
