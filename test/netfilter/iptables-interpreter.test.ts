// The netfilter toolkit's rule interpreter on hand-written rules: reading restore text (quotes, negation,
// module options), the jump order of inserted rules, marks, ipset matches, random branches, and failing
// closed on what it does not model.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TraceUnsupported } from '../../src/explain/trace.js';
import { everyBranch, runHook, type PacketRun } from '../../src/netfilter/iptables-interpreter.js';
import type { TracedPacket } from '../../src/netfilter/rule-matches.js';
import { parseRule, ruleWords, RuleTables } from '../../src/netfilter/rule-parser.js';

const packet = (extra: Partial<TracedPacket> = {}): TracedPacket =>
  ({ protocol: 'tcp', src: '10.0.0.5', dst: '10.96.0.1', dport: 80, inInterface: 'eth0', mark: 0, ctstates: new Set(['NEW']), ...extra });
const newRun = (p = packet()): PacketRun => ({ packet: p, steps: [], masqueraded: false, sticky: false });
const ctx = { isLocal: (ip: string) => ip === '192.168.0.2', choose: () => true };

test('rule words keep quoted comments whole and read \\" inside them', () => {
  assert.deepEqual(ruleWords('-A X -m comment --comment "a \\"b\\" c" -j ACCEPT'), ['-A', 'X', '-m', 'comment', '--comment', 'a "b" c', '-j', 'ACCEPT']);
  const r = parseRule('X', ruleWords('-m mark ! --mark 0x4000/0x4000 ! -s 10.0.0.0/8 -j RETURN'), '');
  assert.deepEqual(r.matches[0]!.options, [{ name: '-s', negated: true, values: ['10.0.0.0/8'] }]);
  assert.deepEqual(r.matches[1], { module: 'mark', options: [{ name: '--mark', negated: true, values: ['0x4000/0x4000'] }] });
});

test('jumps inserted at position 1 end up in reverse order, before what the program wrote', () => {
  const t = new RuleTables().load('*filter\n:A - [0:0]\n:B - [0:0]\n-A A -j DROP\n-A B -j ACCEPT\nCOMMIT\n');
  t.insertJumps([
    { table: 'filter', from: 'INPUT', to: 'A', comment: '' },
    { table: 'filter', from: 'INPUT', to: 'B', comment: 'b' },
  ]);
  assert.deepEqual(t.rules('filter', 'INPUT')!.map((r) => r.text), ['-A INPUT -m comment --comment "b" -j B', '-A INPUT -j A']);
  assert.equal(runHook(t, 'filter', 'INPUT', newRun(), ctx), 'accept');
});

test('marks: --or-mark then --mark with a mask; RETURN goes back to the caller', () => {
  const t = new RuleTables().load([
    '*nat', ':M - [0:0]', ':P - [0:0]',
    '-A PREROUTING -j M', '-A PREROUTING -m mark --mark 0x4000/0x4000 -j P',
    '-A M -m addrtype ! --src-type LOCAL -j MARK --or-mark 0x4000', '-A M -j RETURN', '-A M -j DROP',
    '-A P -j MASQUERADE', 'COMMIT', ''].join('\n'));
  const run = newRun();
  assert.equal(runHook(t, 'nat', 'PREROUTING', run, ctx), 'accept');
  assert.equal(run.packet.mark, 0x4000);
  assert.equal(run.masqueraded, true);
  assert.deepEqual(run.steps.map((s) => s.where), ['nat PREROUTING', 'nat M', 'nat M', 'nat PREROUTING', 'nat P']);
});

test('ipset matches: hash:ip,port by dst,dst, and hash:ip,port,ip for hairpin', () => {
  const t = new RuleTables().load('*nat\n-A PREROUTING -m set --match-set S dst,dst -j DROP\n-A PREROUTING -m set --match-set H dst,dst,src -j ACCEPT\nCOMMIT\n');
  const sets = new Map([
    ['S', { name: 'S', type: 'hash:ip,port', members: ['10.96.0.1,tcp:443'] }],
    ['H', { name: 'H', type: 'hash:ip,port,ip', members: ['10.96.0.1,tcp:80,10.0.0.5'] }],
  ]);
  assert.equal(runHook(t, 'nat', 'PREROUTING', newRun(packet({ dport: 443 })), { ...ctx, sets }), 'drop');
  const run = newRun();
  assert.equal(runHook(t, 'nat', 'PREROUTING', run, { ...ctx, sets }), 'accept');
  assert.equal(run.steps.length, 1);
  assert.throws(() => runHook(t, 'nat', 'PREROUTING', newRun(), ctx), TraceUnsupported, 'a set the tracer was not given');
});

test('every random branch is walked: three endpoints behind 1/3, 1/2, rest', () => {
  const t = new RuleTables().load([
    '*nat',
    '-A PREROUTING -m statistic --mode random --probability 0.3333333333 -j DNAT --to-destination 10.1.0.1:80',
    '-A PREROUTING -m statistic --mode random --probability 0.5000000000 -j DNAT --to-destination [fd00::2]:80',
    '-A PREROUTING -j DNAT --to-destination 10.1.0.3:80', 'COMMIT', ''].join('\n'));
  const reached = everyBranch((choose) => {
    const run = newRun();
    runHook(t, 'nat', 'PREROUTING', run, { ...ctx, choose });
    return `${run.dnat!.ip}:${run.dnat!.port}`;
  });
  assert.deepEqual(reached, ['10.1.0.1:80', 'fd00::2:80', '10.1.0.3:80']);
});

test('unknown matches, targets and goto fail closed', () => {
  for (const rule of ['-m owner --uid-owner 0 -j ACCEPT', '-j TPROXY --on-port 1', '-g KUBE-X', '-m addrtype --dst-type UNICAST -j ACCEPT', '-p tcp --sport 80 -j ACCEPT']) {
    assert.throws(() => {
      const t = new RuleTables().load(`*filter\n:KUBE-X - [0:0]\n-A INPUT ${rule}\nCOMMIT\n`);
      runHook(t, 'filter', 'INPUT', newRun(), ctx);
    }, TraceUnsupported, rule);
  }
});
