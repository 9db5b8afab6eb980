// Counts are crafted so lc, wlc, sed and nq disagree, and each must choose what its IPVS namesake would.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  LEAST_CONNECTION,
  LeastOverheadScheduler,
  NEVER_QUEUE,
  SHORTEST_EXPECTED_DELAY,
  WEIGHTED_LEAST_CONNECTION,
} from '../../src/schedulers/least-connection.js';
import type { ConnectionCounts, Scheduler } from '../../src/schedulers/types.js';
import { backend, ctx } from './fixtures.js';

type Load = Record<string, { weight: number; active: number; inactive: number }>;

const ALGORITHMS = {
  lc: (c: ConnectionCounts) => new LeastOverheadScheduler(LEAST_CONNECTION, c),
  wlc: (c: ConnectionCounts) => new LeastOverheadScheduler(WEIGHTED_LEAST_CONNECTION, c),
  sed: (c: ConnectionCounts) => new LeastOverheadScheduler(SHORTEST_EXPECTED_DELAY, c),
  nq: (c: ConnectionCounts) => new LeastOverheadScheduler(NEVER_QUEUE, c),
};

function choose(name: keyof typeof ALGORITHMS, load: Load): string | undefined {
  const ip = (key: string) => `10.1.0.${key.charCodeAt(0)}`;
  const counts: ConnectionCounts = {
    active: (id) => Object.entries(load).find(([k]) => id.startsWith(ip(k) + ':'))![1].active,
    inactive: (id) => Object.entries(load).find(([k]) => id.startsWith(ip(k) + ':'))![1].inactive,
  };
  const s: Scheduler = ALGORITHMS[name](counts);
  s.update(Object.entries(load).map(([k, l]) => backend(ip(k), l.weight)));
  const chosen = s.pick(ctx());
  return chosen && Object.keys(load).find((k) => chosen.ip === ip(k));
}

describe('least-connection family', () => {
  // lc: A 256, B 512, C 300. wlc: A 256, B 128, C 300. sed: A 2, B 0.75, C 1. nq: C is idle.
  const first: Load = {
    A: { weight: 1, active: 1, inactive: 0 },
    B: { weight: 4, active: 2, inactive: 0 },
    C: { weight: 1, active: 0, inactive: 300 },
  };
  // lc: A 256, B 556. wlc: A 256, B 278. sed: A 2, B 1. nq: nobody idle, so as sed.
  const second: Load = {
    A: { weight: 1, active: 1, inactive: 0 },
    B: { weight: 2, active: 1, inactive: 300 },
  };

  it('lc takes the lowest active*256+inactive, ignoring weights', () => {
    assert.equal(choose('lc', first), 'A');
    assert.equal(choose('lc', second), 'A');
  });

  it('wlc divides that overhead by the weight', () => {
    assert.equal(choose('wlc', first), 'B');
    assert.equal(choose('wlc', second), 'A');
  });

  it('sed takes the lowest (active+1)/weight and ignores inactive connections', () => {
    assert.equal(choose('sed', first), 'B');
    assert.equal(choose('sed', second), 'B');
  });

  it('nq takes an idle backend first, else chooses as sed', () => {
    assert.equal(choose('nq', first), 'C');
    assert.equal(choose('nq', second), 'B');
  });

  it('nq takes the first idle backend even when a later one is weightier', () => {
    const load: Load = {
      A: { weight: 1, active: 0, inactive: 900 },
      B: { weight: 9, active: 0, inactive: 0 },
    };
    assert.equal(choose('nq', load), 'A');
    assert.equal(choose('sed', load), 'B');
  });

  it('breaks ties towards the earlier backend', () => {
    const tie: Load = {
      A: { weight: 2, active: 1, inactive: 0 },
      B: { weight: 2, active: 1, inactive: 0 },
    };
    for (const name of ['lc', 'wlc', 'sed', 'nq'] as const) assert.equal(choose(name, tie), 'A', name);
  });

  it('weighs the overhead even when the quotients are close (256/3 against 85 and 86)', () => {
    const close: Load = {
      A: { weight: 3, active: 1, inactive: 0 },
      B: { weight: 1, active: 0, inactive: 86 },
      C: { weight: 1, active: 0, inactive: 85 },
    };
    assert.equal(choose('wlc', close), 'C');
    assert.equal(choose('wlc', { A: close.A!, B: close.B! }), 'A');
  });

  it('skips a weight-0 backend however idle it is', () => {
    const load: Load = {
      A: { weight: 0, active: 0, inactive: 0 },
      B: { weight: 1, active: 5, inactive: 5 },
    };
    for (const name of ['lc', 'wlc', 'sed', 'nq'] as const) assert.equal(choose(name, load), 'B', name);
  });
});
