import { it } from 'node:test';
import assert from 'node:assert/strict';
import { RandomScheduler } from '../../src/schedulers/random.js';
import { backend, ctx } from './fixtures.js';

it('maps the injected random source uniformly onto the backends with weight above 0', () => {
  const draws = [0, 0.49, 0.5, 0.99, 0.999999];
  let calls = 0;
  const s = new RandomScheduler(() => draws[calls++]!);
  s.update([backend('10.1.0.1'), backend('10.1.0.2', 0), backend('10.1.0.3', 5)]);
  const ids = draws.map(() => s.pick(ctx())?.ip);
  assert.deepEqual(ids, ['10.1.0.1', '10.1.0.1', '10.1.0.3', '10.1.0.3', '10.1.0.3']);
  assert.equal(calls, draws.length, 'one draw per pick');
});

it('stays in range when the source returns 1', () => {
  const s = new RandomScheduler(() => 1);
  s.update([backend('10.1.0.1'), backend('10.1.0.2')]);
  assert.equal(s.pick(ctx())?.ip, '10.1.0.2');
});
