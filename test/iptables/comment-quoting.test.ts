// Rule comments carry Service and port names. Whatever a name holds, the comment must be one that
// iptables-restore reads back as the same text (or the kernel's 255-byte cut of it): one refused line
// stops every Service's update.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { comment, quoteComment } from '../../src/netfilter/restore-writer.js';
import { canUseNetns, inNs, makeNetns, toolExists } from '../fixtures/netns.js';

const NASTY = ['default/q:a"b cluster IP', 'a\\b c', 'ends\\', 'line\nbreak\r', 'é'.repeat(200), 'x'.repeat(300), '"', '#hash x', "it's", 'tab\there'];

test('plain comments stay as upstream writes them; others are quoted with \\" and \\\\ escapes, control characters blanked', () => {
  assert.deepEqual(comment('ns/svc:http'), ['-m', 'comment', '--comment', 'ns/svc:http']);
  assert.deepEqual(comment('ns/svc:http cluster IP'), ['-m', 'comment', '--comment', '"ns/svc:http cluster IP"']);
  assert.equal(quoteComment('default/q:a"b cluster IP'), '"default/q:a\\"b cluster IP"');
  assert.equal(quoteComment('ends\\'), '"ends\\\\"');
  assert.equal(quoteComment('line\nbreak'), '"line break"');
  assert.equal(quoteComment('x'.repeat(300)), 'x'.repeat(255));
  assert.equal(Buffer.byteLength(quoteComment('é'.repeat(200))), 254, 'cut on a character boundary');
});

for (const backend of ['nft', 'legacy'] as const) {
  const skip = canUseNetns() ?? (toolExists(`iptables-${backend}-restore`) ? undefined : `iptables-${backend} not installed`);
  test(`${backend}: iptables-restore takes every quoted comment and keeps its text`, { skip }, async (t) => {
    const ns = await makeNetns(t, 'q');
    const rules = NASTY.map((text) => `-A KTEST ${comment(text).join(' ')} -j ACCEPT`);
    const input = ['*filter', ':KTEST - [0:0]', ...rules, 'COMMIT', ''].join('\n');
    execFileSync('ip', ['netns', 'exec', ns, `iptables-${backend}-restore`], { input });
    const saved = inNs(ns, [`iptables-${backend}-save`, '-t', 'filter']).split('\n').filter((l) => l.startsWith('-A KTEST'));
    assert.equal(saved.length, NASTY.length);
    assert.ok(saved[0]!.includes('a\\"b cluster IP'), saved[0]);
  });
}
