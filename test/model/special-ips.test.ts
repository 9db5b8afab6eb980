// Special addresses: what is refused and why, and that an ordinary address (every endpoint of a big
// cluster) costs one range lookup, not one per range: with 11 lookups each, the check was two thirds of
// the model's work when 5,000 Services x 5 endpoints arrived from the API server (a CPU profile of
// kproxy's start).

import assert from 'node:assert/strict';
import { BlockList } from 'node:net';
import { test } from 'node:test';
import { specialIPProblem } from '../../src/model/special-ips.js';

test('special addresses are refused with the reason upstream gives, kproxy additions after it', () => {
  assert.match(specialIPProblem('0.0.0.0')!, /unspecified/);
  assert.match(specialIPProblem('::')!, /unspecified/);
  assert.match(specialIPProblem('127.0.0.5')!, /loopback/);
  assert.match(specialIPProblem('::1')!, /loopback/);
  assert.match(specialIPProblem('169.254.1.1')!, /link-local range/);
  assert.match(specialIPProblem('fe80::1')!, /link-local range/);
  assert.match(specialIPProblem('224.0.0.7')!, /link-local multicast/, "upstream's reason wins over kproxy's multicast");
  assert.match(specialIPProblem('239.1.1.1')!, /may not be a multicast address/);
  assert.match(specialIPProblem('ff05::1')!, /may not be a multicast address/);
  assert.match(specialIPProblem('255.255.255.255')!, /broadcast/);
  assert.match(specialIPProblem('::ffff:127.0.0.1')!, /loopback/, 'a mapped address is judged as the IPv4 address it carries');
  assert.equal(specialIPProblem('127.0.0.1', { allowLoopback: true }), undefined);
  assert.match(specialIPProblem('169.254.0.1', { allowLoopback: true })!, /link-local/);
  for (const ok of ['10.244.1.1', '192.168.0.1', '223.255.255.255', 'fd00::1', '2001:db8::1']) assert.equal(specialIPProblem(ok), undefined, ok);
});

test('an ordinary address costs one range lookup', () => {
  const original = BlockList.prototype.check;
  let lookups = 0;
  BlockList.prototype.check = function (this: BlockList, ...args: unknown[]) {
    lookups++;
    return (original as (...a: unknown[]) => boolean).apply(this, args);
  } as BlockList['check'];
  try {
    for (let i = 1; i <= 100; i++) specialIPProblem(`10.250.0.${i}`);
    for (let i = 1; i <= 100; i++) specialIPProblem(`fd00::${i.toString(16)}`);
  } finally {
    BlockList.prototype.check = original;
  }
  assert.ok(lookups <= 200, `${lookups} lookups for 200 ordinary addresses`);
});
