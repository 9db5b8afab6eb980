import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedFrequencyRunner, type BoundedFrequencyRunnerOptions } from '../../src/runner/bounded-frequency-runner.js';
import { Backoff } from '../../src/runner/backoff.js';
import { FakeTimers, settle } from './fake-timers.js';

function setup(opts: Partial<BoundedFrequencyRunnerOptions> = {}, body?: (timers: FakeTimers) => Promise<void>) {
  const timers = new FakeTimers();
  const runs: number[] = [];
  const runner = new BoundedFrequencyRunner({
    name: 'test-sync',
    minIntervalMs: 1000,
    maxIntervalMs: 10_000,
    timers,
    fn: async () => {
      runs.push(timers.now());
      if (body) await body(timers);
    },
    ...opts,
  });
  runner.start();
  return { timers, runs, runner };
}

test('run() syncs soon, but not synchronously', async () => {
  const { runner, runs } = setup();
  runner.run();
  assert.deepEqual(runs, [], 'not inside run()');
  await settle();
  assert.deepEqual(runs, [0]);
});

test('min interval: a second request waits until minInterval after the first sync', async () => {
  const { runner, runs, timers } = setup();
  runner.run();
  await settle();
  await timers.advance(300);
  runner.run();
  await timers.advance(600);
  assert.deepEqual(runs, [0], 'throttled at 900 ms');
  await timers.advance(100);
  assert.deepEqual(runs, [0, 1000]);
});

test('min interval counts from the end of a slow sync', async () => {
  const { runner, runs, timers } = setup({}, (t) => new Promise<void>((resolve) => t.setTimeout(resolve, 500)));
  runner.run();
  await timers.advance(500); // first sync ends at 500
  runner.run();
  await timers.advance(999);
  assert.deepEqual(runs, [0]);
  await timers.advance(1);
  assert.deepEqual(runs, [0, 1500]);
});

test('burst: two syncs back to back, the third waits for a token', async () => {
  const { runner, runs, timers } = setup({ burst: 2 });
  runner.run();
  await settle();
  runner.run();
  await settle();
  runner.run();
  await settle();
  assert.deepEqual(runs, [0, 0]);
  await timers.advance(1000);
  assert.deepEqual(runs, [0, 0, 1000]);
});

test('max interval: a sync runs periodically without requests', async () => {
  const { runs, timers } = setup();
  await timers.advance(9999);
  assert.deepEqual(runs, []);
  await timers.advance(1);
  assert.deepEqual(runs, [10_000]);
  await timers.advance(10_000);
  assert.deepEqual(runs, [10_000, 20_000]);
});

test('requests coalesce: many run() calls while throttled make one sync', async () => {
  const { runner, runs, timers } = setup();
  runner.run();
  await settle();
  for (let i = 0; i < 10; i++) {
    runner.run();
    await timers.advance(50);
  }
  await timers.advance(5000);
  assert.deepEqual(runs, [0, 1000]);
});

test('no overlapping runs: requests during a sync cause exactly one more afterwards', async () => {
  let active = 0;
  let maxActive = 0;
  const { runner, runs, timers } = setup({ minIntervalMs: 0 }, async (t) => {
    active++;
    maxActive = Math.max(maxActive, active);
    await new Promise<void>((resolve) => t.setTimeout(resolve, 100));
    active--;
  });
  runner.run();
  await timers.advance(10);
  assert.equal(runner.busy, true);
  runner.run();
  runner.run();
  runner.run();
  await timers.advance(1000);
  assert.deepEqual(runs, [0, 100]);
  assert.equal(maxActive, 1);
});

test('retryAfter brings the next sync forward, never before minInterval', async () => {
  const { runner, runs, timers } = setup();
  runner.run();
  await settle();
  runner.retryAfter(3000);
  await timers.advance(3000);
  assert.deepEqual(runs, [0, 3000]);
  runner.retryAfter(200); // too early for minInterval: runs when allowed
  await timers.advance(1000);
  assert.deepEqual(runs, [0, 3000, 4000]);
  runner.retryAfter(20_000); // later than the periodic sync: no effect
  await timers.advance(10_000);
  assert.deepEqual(runs, [0, 3000, 4000, 14_000]);
});

test('retryAfter called from inside a failing sync applies after it', async () => {
  let fail = true;
  const holder: { runner?: BoundedFrequencyRunner } = {};
  const { runner, runs, timers } = setup({}, async () => {
    if (fail) {
      fail = false;
      holder.runner?.retryAfter(2000);
    }
  });
  holder.runner = runner;
  runner.run();
  await timers.advance(2000);
  assert.deepEqual(runs, [0, 2000]);
});

test('a throwing sync is retried with backoff and reported; success resets the backoff', async () => {
  const errors: unknown[] = [];
  let failures = 2;
  const backoff = new Backoff({ initialMs: 1000, maxMs: 10_000, jitter: 0 });
  const { runner, runs, timers } = setup({ retryBackoff: backoff, onError: (e) => errors.push(e), minIntervalMs: 100 }, async () => {
    if (failures-- > 0) throw new Error('iptables-restore failed');
  });
  runner.run();
  await timers.advance(3000);
  assert.deepEqual(runs, [0, 1000, 3000], 'retries after 1 s then 2 s');
  assert.equal(errors.length, 2);
  assert.equal(backoff.attempts, 0, 'reset after the success');
});

test('stop() waits for the running sync and prevents further syncs', async () => {
  const { runner, runs, timers } = setup({}, (t) => new Promise<void>((resolve) => t.setTimeout(resolve, 100)));
  runner.run();
  await settle();
  const stopped = runner.stop();
  runner.run();
  await timers.advance(100);
  await stopped;
  await timers.advance(60_000);
  assert.deepEqual(runs, [0]);
});

test('run() before start() is served at start', async () => {
  const timers = new FakeTimers();
  const runs: number[] = [];
  const runner = new BoundedFrequencyRunner({ name: 'x', minIntervalMs: 1, maxIntervalMs: 5, timers, fn: () => void runs.push(timers.now()) });
  runner.run();
  await settle();
  assert.deepEqual(runs, []);
  runner.start();
  await settle();
  assert.deepEqual(runs, [0]);
  await runner.stop();
});

test('bad intervals are rejected', () => {
  const fn = () => {};
  assert.throws(() => new BoundedFrequencyRunner({ name: 'r', fn, minIntervalMs: 5, maxIntervalMs: 1 }), /r: maxInterval \(1 ms\) must be >= minInterval \(5 ms\)/);
  assert.throws(() => new BoundedFrequencyRunner({ name: 'r', fn, minIntervalMs: 1, maxIntervalMs: 5, burst: 0 }), /burst/);
});
