import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RoundRobinScheduler } from '../../src/schedulers/rr.js';
import { WeightedRoundRobinScheduler } from '../../src/schedulers/wrr.js';
import type { Backend, Scheduler } from '../../src/schedulers/types.js';
import { backend, ctx } from './fixtures.js';

const A = backend('10.1.0.1');
const B = backend('10.1.0.2');
const C = backend('10.1.0.3');
const D = backend('10.1.0.4');

function picks(s: Scheduler, n: number): string[] {
  return Array.from({ length: n }, () => s.pick(ctx())?.ip.split('.')[3] ?? '-');
}

function named(weights: Record<string, number>): Backend[] {
  return Object.entries(weights).map(([last, w]) => backend(`10.1.0.${last}`, w));
}

describe('rr', () => {
  it('cycles through the backends in order, exactly', () => {
    const s = new RoundRobinScheduler();
    s.update([A, B, C]);
    assert.deepEqual(picks(s, 7), ['1', '2', '3', '1', '2', '3', '1']);
  });

  it('skips weight-0 backends', () => {
    const s = new RoundRobinScheduler();
    s.update([A, backend('10.1.0.2', 0), C]);
    assert.deepEqual(picks(s, 4), ['1', '3', '1', '3']);
  });

  it('keeps its place when a backend is added', () => {
    const s = new RoundRobinScheduler();
    s.update([A, B, C]);
    assert.deepEqual(picks(s, 2), ['1', '2']);
    s.update([A, B, C, D]);
    assert.deepEqual(picks(s, 4), ['3', '4', '1', '2']);
  });

  it('keeps its place when backends are added in front of the last pick', () => {
    const s = new RoundRobinScheduler();
    s.update([B, C]);
    assert.deepEqual(picks(s, 1), ['2']);
    s.update([A, B, C]);
    assert.deepEqual(picks(s, 3), ['3', '1', '2']);
  });

  it('moves on to the following backend when the last pick is removed', () => {
    const s = new RoundRobinScheduler();
    s.update([A, B, C, D]);
    assert.deepEqual(picks(s, 2), ['1', '2']);
    s.update([A, C, D]);
    assert.deepEqual(picks(s, 3), ['3', '4', '1']);
  });

  it('does not restart on an update with the same backends', () => {
    const s = new RoundRobinScheduler();
    s.update([A, B, C]);
    picks(s, 2);
    s.update([A, B, C]);
    assert.deepEqual(picks(s, 2), ['3', '1']);
  });
});

describe('wrr', () => {
  it('interleaves 3:2:1 as IPVS does over each cycle', () => {
    const s = new WeightedRoundRobinScheduler();
    s.update(named({ 1: 3, 2: 2, 3: 1 }));
    assert.deepEqual(picks(s, 12), ['1', '1', '2', '1', '2', '3', '1', '1', '2', '1', '2', '3']);
  });

  it('steps by the gcd of the weights (4:2 behaves as 2:1)', () => {
    const s = new WeightedRoundRobinScheduler();
    s.update(named({ 1: 4, 2: 2 }));
    assert.deepEqual(picks(s, 6), ['1', '1', '2', '1', '1', '2']);
  });

  it('follows the weights exactly over whole cycles', () => {
    const s = new WeightedRoundRobinScheduler();
    s.update(named({ 1: 5, 2: 3, 3: 0, 4: 1 }));
    const counts = new Map<string, number>();
    for (const id of picks(s, 9 * 20)) counts.set(id, (counts.get(id) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(counts), { 1: 100, 2: 60, 4: 20 });
  });

  it('continues its cycle across an update with the same backends', () => {
    const s = new WeightedRoundRobinScheduler();
    const set = named({ 1: 3, 2: 2, 3: 1 });
    s.update(set);
    assert.deepEqual(picks(s, 3), ['1', '1', '2']);
    s.update([...set]);
    assert.deepEqual(picks(s, 3), ['1', '2', '3']);
  });

  it('follows new weights after an update', () => {
    const s = new WeightedRoundRobinScheduler();
    s.update(named({ 1: 1, 2: 1 }));
    picks(s, 1);
    s.update(named({ 1: 1, 2: 3 }));
    const counts = new Map<string, number>();
    for (const id of picks(s, 4 * 10)) counts.set(id, (counts.get(id) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(counts), { 1: 10, 2: 30 });
  });
});
