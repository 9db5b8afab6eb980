// One contract, checked against every registered scheduler: the properties the data plane relies on
// whatever algorithm a service asks for.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionCounter } from '../../src/schedulers/connection-counts.js';
import { createScheduler, SCHEDULER_NAMES, schedulerFactory } from '../../src/schedulers/registry.js';
import type { Scheduler } from '../../src/schedulers/types.js';
import { backend, backends, pickIds, seededRandom } from './fixtures.js';

/** A scheduler whose picks are counted as open connections, so lc and friends spread load as in use. */
function open(name: string): { scheduler: Scheduler; pick: Parameters<typeof pickIds>[0] } {
  const counts = new ConnectionCounter({ now: () => 0 });
  const scheduler = createScheduler(name, counts, { random: seededRandom(7) });
  return {
    scheduler,
    pick: (c) => {
      const chosen = scheduler.pick(c);
      if (chosen) counts.opened(chosen.id);
      return chosen;
    },
  };
}

it('registers the IPVS schedulers and random', () => {
  assert.deepEqual([...SCHEDULER_NAMES].sort(), ['dh', 'lc', 'mh', 'nq', 'random', 'rr', 'sed', 'sh', 'wlc', 'wrr']);
});

it('rejects an unknown scheduler naming the allowed ones', () => {
  assert.equal(schedulerFactory('fifo'), undefined);
  assert.throws(() => createScheduler('fifo', new ConnectionCounter()), (err: Error) =>
    err.message.includes('"fifo"') && SCHEDULER_NAMES.every((n) => err.message.includes(n)));
});

for (const name of SCHEDULER_NAMES) {
  describe(`scheduler ${name}`, () => {
    it('is created by its factory under its own name', () => {
      const factory = schedulerFactory(name);
      assert.equal(factory?.name, name);
      assert.equal(factory.create(new ConnectionCounter()).name, name);
    });

    it('picks nothing before any update and with no backends', () => {
      const { scheduler, pick } = open(name);
      assert.deepEqual(pickIds(pick, 5), Array(5).fill(undefined));
      scheduler.update([]);
      assert.deepEqual(pickIds(pick, 5), Array(5).fill(undefined));
    });

    it('picks nothing when every backend has weight 0', () => {
      const { scheduler, pick } = open(name);
      scheduler.update(backends(3));
      assert.ok(pickIds(pick, 20).every((id) => id !== undefined));
      scheduler.update(backends(3, [0, 0, 0]));
      assert.deepEqual(pickIds(pick, 50), Array(50).fill(undefined));
    });

    it('never picks a weight-0 backend while others are available', () => {
      const { scheduler, pick } = open(name);
      const set = backends(4, [1, 0, 1, 1]);
      scheduler.update(set);
      const ids = pickIds(pick, 500);
      assert.ok(!ids.includes(set[1]!.id));
      assert.ok(ids.every((id) => id !== undefined));
    });

    it('never picks a removed backend, nor one outside the last update', () => {
      const { scheduler, pick } = open(name);
      const first = backends(5);
      scheduler.update(first);
      pickIds(pick, 100);
      const second = [first[0]!, first[2]!, backend('10.2.0.9'), first[4]!];
      scheduler.update(second);
      const allowed = new Set(second.map((b) => b.id));
      const ids = pickIds(pick, 1000);
      assert.ok(ids.every((id) => id !== undefined && allowed.has(id)), `picked ${ids.find((id) => !allowed.has(id!))}`);
    });

    it('spreads many varied picks over every backend', () => {
      const { scheduler, pick } = open(name);
      const set = backends(3);
      scheduler.update(set);
      const ids = pickIds(pick, 3000);
      for (const b of set) {
        const share = ids.filter((id) => id === b.id).length / ids.length;
        assert.ok(share > 0.2 && share < 0.47, `${b.id} got ${(share * 100).toFixed(1)}%`);
      }
    });
  });
}
