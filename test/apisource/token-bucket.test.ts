import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenBucket } from '../../src/sources/api/token-bucket.js';

test('the bucket starts full with burst tokens, then refills at qps', () => {
  let now = 0;
  const bucket = new TokenBucket({ qps: 2, burst: 3, now: () => now });
  assert.deepEqual([bucket.reserve(), bucket.reserve(), bucket.reserve()], [0, 0, 0]);
  // Queued callers wait for their own token, in order: 0.5 s, then 1 s.
  assert.equal(bucket.reserve(), 500);
  assert.equal(bucket.reserve(), 1000);
  now = 10_000; // long idle: refilled, but never beyond burst
  assert.deepEqual([bucket.reserve(), bucket.reserve(), bucket.reserve(), bucket.reserve()], [0, 0, 0, 500]);
});

test('qps 0 and burst 0 mean client-go defaults (5, 10); negative qps disables the limit', () => {
  const d = new TokenBucket({ qps: 0, burst: 0, now: () => 0 });
  assert.equal(d.qps, 5);
  assert.equal(d.burst, 10);
  const off = new TokenBucket({ qps: -1, burst: 1, now: () => 0 });
  for (let i = 0; i < 100; i++) assert.equal(off.reserve(), 0);
});

test('take() waits the reserved time; an aborted wait returns its token', async () => {
  const now = 0;
  const waits: number[] = [];
  const bucket = new TokenBucket({
    qps: 1,
    burst: 1,
    now: () => now,
    sleep: async (ms, signal) => {
      waits.push(ms);
      if (signal?.aborted) throw new Error('aborted');
    },
  });
  await bucket.take();
  await bucket.take();
  assert.deepEqual(waits, [1000]);
  const ctl = new AbortController();
  ctl.abort();
  await assert.rejects(bucket.take(ctl.signal));
  // The aborted caller's token went back: the next one waits 2 s, not 3 s.
  assert.equal(bucket.reserve(), 2000);
});

test('invalid limits are refused with the option name', () => {
  assert.throws(() => new TokenBucket({ qps: Number.NaN, burst: 1 }), /kube-api-qps/);
  assert.throws(() => new TokenBucket({ qps: 1, burst: -1 }), /kube-api-burst/);
});
