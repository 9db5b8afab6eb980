// The long-running nft session's framing, against a stand-in that answers like `nft -i` (no root needed):
// silence on success, "Error:" plus the echoed line on stderr when it refuses one.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NftSession, NftSessionError, oneLine } from '../../src/dataplane/nftables/nft-session.js';

// refuse: an nft error for that line; die: exit at once; hang: never answer again.
const STAND_IN = `
let hung = false;
require('readline').createInterface({ input: process.stdin }).on('line', (line) => {
  if (hung) return;
  if (line.includes('die')) process.exit(1);
  if (line.includes('hang')) { hung = true; return; }
  if (line.startsWith('kproxy-ack-') || line.includes('refuse')) process.stderr.write('Error: syntax error\\n' + line + '\\n' + '^'.repeat(line.length) + '\\n');
});`;

const session = (timeoutMs = 5_000) => new NftSession({ command: [process.execPath, '-e', STAND_IN], timeoutMs });

test('a script becomes one line, so nft -i runs it as one transaction', () => {
  assert.equal(oneLine('add element ip t s { 1 }\ndelete element ip t s { 2 }\n'), 'add element ip t s { 1 }; delete element ip t s { 2 }');
});

test('transactions nft accepts resolve; one it refuses rejects as refused and the session goes on', async () => {
  const s = session();
  try {
    await s.apply('add element ip t s { 1 }\n');
    const refused = await s.apply('add element ip t s { refuse }\n').catch((e: unknown) => e);
    assert.ok(refused instanceof NftSessionError);
    assert.equal(refused.refused, true);
    assert.match(refused.message, /^Error: syntax error\nadd element ip t s \{ refuse \}/);
    await s.apply('add element ip t s { 3 }\n');
  } finally {
    s.close();
  }
});

test('a session that dies mid-transaction rejects as unknown, and the next transaction starts a new one', async () => {
  const s = session();
  try {
    const died = await s.apply('die\n').catch((e: unknown) => e);
    assert.ok(died instanceof NftSessionError);
    assert.equal(died.refused, false);
    assert.match(died.message, /ended/);
    await s.apply('add element ip t s { 4 }\n');
  } finally {
    s.close();
  }
});

test('a session that stops answering times out as unknown and is replaced', async () => {
  // The replacement session is a new process that must answer within the same timeout: 150 ms was too
  // little for a node process to start on a busy machine (1 of 4 runs of npm test as an ordinary user).
  const s = session(1500);
  try {
    const hung = await s.apply('hang\n').catch((e: unknown) => e);
    assert.ok(hung instanceof NftSessionError);
    assert.equal(hung.refused, false);
    assert.match(hung.message, /no answer after 1500 ms/);
    await s.apply('add element ip t s { 5 }\n');
  } finally {
    s.close();
  }
});

test('concurrent applies are answered in order, each by its own marker', async () => {
  const s = session();
  try {
    const results = await Promise.allSettled([s.apply('a\n'), s.apply('refuse\n'), s.apply('c\n')]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  } finally {
    s.close();
  }
});
