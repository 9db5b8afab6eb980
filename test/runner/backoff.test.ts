import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../../src/runner/backoff.js';

test('doubles from 1 s up to the cap', () => {
  const b = new Backoff({ maxMs: 30_000, jitter: 0 });
  assert.deepEqual(Array.from({ length: 7 }, () => b.next()), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  assert.equal(b.attempts, 7);
});

test('jitter adds up to the given fraction from the injected random source, capped', () => {
  const b = new Backoff({ maxMs: 3000, jitter: 0.5, random: () => 0.5 });
  assert.deepEqual([b.next(), b.next(), b.next()], [1250, 2500, 3000]);
  const zero = new Backoff({ maxMs: 3000, jitter: 0.5, random: () => 0 });
  assert.equal(zero.next(), 1000);
});

test('reset starts over', () => {
  const b = new Backoff({ maxMs: 60_000, jitter: 0 });
  b.next();
  b.next();
  b.reset();
  assert.equal(b.next(), 1000);
});

test('invalid options are rejected naming the option', () => {
  assert.throws(() => new Backoff({ maxMs: 500 }), /backoff maxMs: got 500, allowed: >= initialMs \(1000\)/);
  assert.throws(() => new Backoff({ maxMs: 5000, factor: 0.5 }), /factor/);
});
