import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SortedKeyMap } from '../../src/model/sorted-key-map.js';

const key = (i: number) => `k${String(i).padStart(6, '0')}`;

test('withUpdates adds, replaces and deletes, keeps key order, and leaves the old version intact', () => {
  const base = SortedKeyMap.fromSorted(Array.from({ length: 1000 }, (_, i) => [key(i * 2), i * 2] as const));
  const updates = new Map<string, number | null>([[key(1), 1], [key(4), -4], [key(6), null], [key(5001), 5001], ['a', 0]]);
  const next = base.withUpdates(updates);
  assert.equal(next.size, 1000 + 3 - 1);
  assert.equal(next.get(key(4)), -4);
  assert.equal(next.has(key(6)), false);
  assert.equal(next.get(key(5001)), 5001);
  const keys = [...next.keys()];
  assert.deepEqual(keys, [...keys].sort());
  assert.equal(base.get(key(4)), 4, 'the previous version is unchanged');
  assert.equal(base.size, 1000);
  assert.equal([...next.values()].length, next.size);
});

test('many random updates agree with a plain Map', () => {
  let map = SortedKeyMap.empty<number>();
  const reference = new Map<string, number>();
  let seed = 7;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  for (let round = 0; round < 200; round++) {
    const updates = new Map<string, number | null>();
    for (let j = 0; j < 20; j++) {
      const k = key(rand(3000));
      const value = rand(4) === 0 ? null : rand(1000);
      updates.set(k, value);
    }
    for (const [k, v] of updates) {
      if (v === null) reference.delete(k);
      else reference.set(k, v);
    }
    map = map.withUpdates(updates);
  }
  assert.deepEqual([...map], [...reference].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  for (const [k, v] of reference) assert.equal(map.get(k), v);
  assert.equal(map.get('missing'), undefined);
});
